"""Load the demo content idempotently.

Every row is found by its natural key (a section's slug, a statement's section and
position, a license's SPDX id, a project's slug, a release's project and version, a
category's or language's slug), then created, updated, or left alone when nothing
differs. Loading twice therefore writes nothing the second time: ``updated_at``
and the history stay as they were. Rows an editor added are never touched or
deleted.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from licenses.models import License
from licenses.services import license_save
from portal.demo import data
from portal.models import Section, SiteSettings, Statement
from portal.publishing.history import many_to_many_in_last_version
from portal.publishing.models import State
from projects.models import Category, Language, LicenseChange, Project, Release
from projects.services import project_link_licenses, project_save

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class DemoSummary:
    """What a load did, per kind of row: ``{"sections": Counter(created=5)}``."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c[CREATED] or c[UPDATED] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {c[CREATED]} created, {c[UPDATED]} updated, "
            f"{c[UNCHANGED]} unchanged"
            for kind, c in self.counts.items()
        ]


def _upsert(model, key: dict, values: dict, *, save=None):
    """The row of ``model`` with natural ``key``, created or updated to ``values``.

    Values are compared after ``full_clean()`` (which normalises SPDX ids and
    expressions), so a row that already holds them is not saved again.
    ``save(instance)`` replaces the plain ``full_clean()`` + ``save()``.
    """
    save = save or _clean_and_save
    instance = model.objects.filter(**key).first()
    if instance is None:
        instance = model(**key, **values)
        save(instance)
        return instance, CREATED
    before = {name: getattr(instance, name) for name in values}
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    if all(getattr(instance, name) == value for name, value in before.items()):
        return instance, UNCHANGED
    save(instance)
    return instance, UPDATED


def _clean_and_save(instance) -> None:
    instance.full_clean()
    instance.save()


def _published(values: dict) -> dict:
    return {**values, "state": State.PUBLISHED, "publish_at": None}


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create or update every demo row; return what was done."""
    summary = DemoSummary()
    _load_site_settings(summary)
    _load_sections(summary)
    _load_licenses(summary)
    categories = _load_by_slug(
        Category, data.CATEGORIES, "categories", summary, positioned=True
    )
    languages = _load_by_slug(Language, data.LANGUAGES, "languages", summary)
    projects = _load_projects(summary, categories=categories, languages=languages)
    _load_license_history(summary, projects=projects)
    _load_releases(summary, projects=projects)
    return summary


def _load_site_settings(summary: DemoSummary) -> None:
    settings = SiteSettings.load()
    if settings._state.adding:
        outcome = CREATED
    elif any(getattr(settings, k) != v for k, v in data.SITE_SETTINGS.items()):
        outcome = UPDATED
    else:
        outcome = UNCHANGED
    if outcome != UNCHANGED:
        for name, value in data.SITE_SETTINGS.items():
            setattr(settings, name, value)
        _clean_and_save(settings)
    summary.add("site settings", outcome)


def _load_sections(summary: DemoSummary) -> None:
    for position, values in enumerate(data.SECTIONS, start=1):
        values = dict(values)
        statements = values.pop("statements")
        slug = values.pop("slug")
        values = {"intro": "", **values, "position": position}
        section, outcome = _upsert(Section, {"slug": slug}, _published(values))
        summary.add("sections", outcome)
        for number, statement in enumerate(statements, start=1):
            _, outcome = _upsert(
                Statement,
                {"section": section, "position": number},
                _published(_statement_values(statement)),
            )
            summary.add("statements", outcome)


def _load_licenses(summary: DemoSummary) -> None:
    licenses = {}
    for position, values in enumerate(data.LICENSES, start=1):
        values = dict(values)
        spdx_id = values.pop("spdx_id")
        change_license = values.pop("change_license", None)
        values = {
            "text_url": f"https://spdx.org/licenses/{spdx_id}.html",
            "change_license": licenses[change_license] if change_license else None,
            "change_period_months": None,
            "change_cap_months": None,
            **values,
            "position": position,
        }
        licenses[spdx_id], outcome = _upsert(
            License,
            {"spdx_id": spdx_id},
            _published(values),
            save=lambda license_: license_save(license_=license_),
        )
        summary.add("licenses", outcome)


def _load_by_slug(
    model, rows: list[dict], kind: str, summary: DemoSummary, *, positioned=False
) -> dict:
    """Categories or languages by slug; ``positioned`` numbers them in list order."""
    loaded = {}
    for position, values in enumerate(rows, start=1):
        values = dict(values)
        slug = values.pop("slug")
        if positioned:
            values["position"] = position
        loaded[slug], outcome = _upsert(model, {"slug": slug}, values)
        summary.add(kind, outcome)
    return loaded


def _load_projects(
    summary: DemoSummary, *, categories: dict, languages: dict
) -> dict[str, Project]:
    projects = {}
    for position, values in enumerate(data.PROJECTS, start=1):
        values = dict(values)
        slug = values.pop("slug")
        language_slugs = values.pop("languages")
        values = {
            "homepage_url": "",
            "docs_url": "",
            "status": Project.Status.ACTIVE,
            "featured": False,
            **values,
            "category": categories[values["category"]],
            "position": position,
        }
        project, outcome = _upsert(
            Project,
            {"slug": slug},
            _published(values),
            save=lambda project: project_save(project=project),
        )
        if outcome == UNCHANGED:
            # A license record added since the last load gets linked all the same.
            project_link_licenses(project=project)
        wanted = [languages[s] for s in language_slugs]
        if outcome == UNCHANGED:
            # Unchanged languages write nothing; changed ones make a version.
            project.languages.set(wanted)
        else:
            # Part of the version just saved.
            with many_to_many_in_last_version(project):
                project.languages.set(wanted)
        projects[slug] = project
        summary.add("projects", outcome)
    return projects


def _load_releases(summary: DemoSummary, *, projects: dict[str, Project]) -> None:
    for values in data.RELEASES:
        values = dict(values)
        key = {
            "project": projects[values.pop("project")],
            "version": values.pop("version"),
        }
        _, outcome = _upsert(Release, key, _published(values))
        summary.add("releases", outcome)


def _load_license_history(
    summary: DemoSummary, *, projects: dict[str, Project]
) -> None:
    for slug, steps in data.LICENSE_HISTORY.items():
        for effective_on, expression, note, *stated in steps:
            if stated:
                terms = stated[0]
            elif expression == "BUSL-1.1" and slug in data.BUSL_PROJECTS:
                terms = data.BUSL_TERMS
            else:
                terms = {}
            _, outcome = _upsert(
                LicenseChange,
                {"project": projects[slug], "effective_on": effective_on},
                {
                    "license_expression": expression,
                    "note": note,
                    **dict.fromkeys(LicenseChange.TERMS[:4], ""),
                    "change_date": None,
                    "change_after_months": None,
                    **terms,
                },
            )
            summary.add("license history", outcome)


def _statement_values(statement: dict) -> dict:
    """A statement's fields, with the ones it does not use emptied."""
    unused = ("title", "attribution_name", "attribution_role")
    unused += ("contrast_title", "contrast_body")
    return {**dict.fromkeys(unused, ""), **statement}
