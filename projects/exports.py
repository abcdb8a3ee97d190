"""Export of the whole catalogue, drafts included, as CSV or JSON.

The output is the format that :mod:`projects.imports` reads (see
:mod:`projects.catalogue_format`), so export -> import round-trips with nothing lost.
A CSV cell that a spreadsheet would run as a formula is written as text (a ``'``
before it), which the import removes again; JSON is written exactly.
"""

import csv
import io
import json

from projects.catalogue_format import (
    HISTORY_PARTS,
    LIST_SEPARATOR,
    PROJECT_COLUMNS,
    RELEASE_PARTS,
    TERMS_COLUMNS,
    neutralise_formula,
    pack,
)
from projects.models import Project

SCALAR_FIELDS = [
    column
    for column in PROJECT_COLUMNS
    if column not in {"category", "languages", "releases", "license_history"}
    and column not in TERMS_COLUMNS
]


def catalogue_rows() -> list[dict]:
    """Every project as a JSON-ready dict, in catalogue order."""
    projects = (
        Project.objects.select_related("category")
        .prefetch_related("languages", "releases", "license_changes")
        .order_by("position", "slug")
    )
    return [project_row(project) for project in projects]


def _text(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def project_row(project: Project) -> dict:
    row = {field: _text(getattr(project, field)) for field in SCALAR_FIELDS}
    terms = project.terms
    for name in TERMS_COLUMNS:
        row[name] = _text(getattr(terms, name)) if terms else ""
    row["category"] = project.category.slug if project.category else ""
    row["languages"] = sorted(language.slug for language in project.languages.all())
    row["releases"] = [
        {part: _text(getattr(release, part)) for part in RELEASE_PARTS}
        for release in sorted(project.releases.all(), key=lambda r: r.released_on)
    ]
    row["license_history"] = [
        {part: _text(getattr(change, part)) for part in HISTORY_PARTS}
        for change in project.license_changes.all()
    ]
    return row


def export_json(rows: list[dict]) -> str:
    return json.dumps({"projects": rows}, ensure_ascii=False, indent=2) + "\n"


def export_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PROJECT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {
            **row,
            "featured": "true" if row["featured"] else "false",
            "languages": LIST_SEPARATOR.join(row["languages"]),
            "releases": pack(row["releases"], RELEASE_PARTS),
            "license_history": pack(row["license_history"], HISTORY_PARTS),
        }
        writer.writerow(
            {name: neutralise_formula(str(cell)) for name, cell in cells.items()}
        )
    return buffer.getvalue()
