"""Bulk import of projects (with languages, releases and license history) from CSV
or JSON, in the format of :mod:`projects.catalogue_format`.

The rules an editor can rely on:

* Every row goes through the same validation as the admin (``full_clean()``: SPDX
  expressions, URLs, slugs, choices), and every problem is reported with its line
  (CSV) or item number (JSON), the project's slug and the field.
* A real run is all-or-nothing: one transaction, rolled back if any row has an
  error. A dry run is the same run, always rolled back, so it finds exactly the
  errors a real run would meet, database uniqueness included.
* Every row goes through the first half of the one write path
  (``projects.services.project_apply`` / ``release_apply``): the publish
  policy decides, for the importing user, the row's state and schedule: an
  editor's file may create drafts and change content, not publish or
  reschedule what is published. An editor's row that changes a published
  project or release (``must_review``) is kept as its pending revision
  (``portal.publishing.revisions``; the project's languages included), not
  applied: the report counts it as "kept for review", and readers see the
  published version until a publisher approves it.
* Idempotent by slug: a row updates the project with its slug, and a row that
  changes nothing writes nothing (no save, no history entry, ``updated_at`` kept).
* It never deletes: releases and history entries absent from the file are kept.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from itertools import batched

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.dispatch import Signal
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from licenses.expressions import check_expression
from licenses.models import License, remembered_conversion_terms
from portal.http.caching import mark_content_changed
from portal.publishing.bulk import Ids, analyze_tables, insert_objects, insert_rows
from portal.publishing.history import DeferredHistory, record_author
from portal.publishing.policy import (
    SYSTEM,
    PublishingRefused,
    must_review,
    remembered_permissions,
)
from portal.publishing.revisions import revision_submit, working_copy
from portal.text import json_input
from projects.catalogue_format import (
    HISTORY_PARTS,
    LIST_SEPARATOR,
    PROJECT_COLUMNS,
    RELEASE_PARTS,
    TERMS_COLUMNS,
    restore_formulas,
    unpack,
)
from projects.models import Category, Language, LicenseChange, Project, Release
from projects.services import (
    license_usage_deferred,
    project_apply,
    project_grant_with_terms,
    project_refresh_conversions,
    release_apply,
)

REQUIRED_COLUMNS = ["slug", "name", "summary", "license_expression"]
# What a user needs to import at all (admin page and command alike); what the
# file may publish is then the publish policy's to decide, row by row.
IMPORT_PERMISSIONS = ("projects.add_project", "projects.change_project")
TRUE = {"true", "1", "yes", "y", "on"}
FALSE = {"false", "0", "no", "n", "off", ""}


# Sent once per chunk of a real import with the ids of the projects it created
# (``project_ids``): their bulk insert sends no ``post_save``.
catalogue_imported = Signal()


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, columns)."""


@dataclass(frozen=True)
class RowError:
    line: int
    slug: str
    field: str
    message: str
    unit: str = "line"

    def __str__(self):
        where = f"{self.unit} {self.line}"
        if self.slug:
            where += f" ({self.slug})"
        return f"{where}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows whose change of published content waits for a publisher.
    pending: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return summary_text(
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            pending=self.pending,
            error_count=len(self.errors),
            dry_run=self.dry_run,
        )


def summary_text(
    *,
    rows: int,
    created: int,
    updated: int,
    unchanged: int,
    error_count: int,
    dry_run,
    pending: int = 0,
) -> str:
    """One sentence on an import's outcome (the command's last line, the admin's
    report); ``pending``: rows whose change of published content waits for a
    publisher."""
    if error_count:
        return f"{error_count} error(s) in {rows} row(s): nothing was written."
    verb = "would be" if dry_run else "were"
    kept = (
        f" {pending} change(s) of published content {verb} kept for review: "
        "readers see the published version until a publisher approves them."
        if pending
        else ""
    )
    return (
        f"{rows} row(s): {created} project(s) {verb} created, "
        f"{updated} updated, {unchanged} unchanged."
        + kept
        + (" Dry run: nothing was written." if dry_run else "")
    )


class RowInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def read_file(content: bytes | str, fmt: str) -> Sequence[tuple[int, dict]]:
    """Rows of a CSV or JSON file as ``(line or item number, raw dict)``."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file is not UTF-8 text (byte {error.start})."
            ) from None
    if fmt == "json":
        return _read_json(content)
    if fmt == "csv":
        return _read_csv(content)
    raise ImportFileError(f"Unknown format '{fmt}': use csv or json.")


def _read_json(content: str) -> list[tuple[int, dict]]:
    try:
        data = json_input.loads(content)
    except json_input.TooDeep as error:
        raise ImportFileError(str(error)) from None
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"The JSON is malformed at line {error.lineno}, column {error.colno}: "
            f"{error.msg}."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("projects"), list):
        data = data["projects"]
    if not isinstance(data, list):
        raise ImportFileError(
            'A JSON file holds a list of projects, or {"projects": [...]}.'
        )
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(f"Item {number} is not an object.")
        _check_columns(item.keys())
        rows.append((number, item))
    return rows


def _read_csv(content: str) -> "CsvRows":
    return CsvRows(content)


class CsvRows(Sequence):
    """The rows of a CSV text as ``(line, raw dict)``, made again on each pass
    instead of kept: an import holds one row's dict at a time, not the whole
    file's. The file is checked as a whole (header, cells) when this is made."""

    def __init__(self, content: str):
        self.content = content
        self.count = sum(1 for _row in self._rows(restore=False))

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        return self._rows(restore=True)

    def __getitem__(self, index):
        return list(self)[index]

    def _rows(self, *, restore: bool) -> Iterator[tuple[int, dict]]:
        reader = csv.DictReader(io.StringIO(self.content))
        if not reader.fieldnames:
            raise ImportFileError("The CSV file is empty: it needs a header row.")
        _check_columns(reader.fieldnames)
        try:
            for row in reader:
                if None in row:
                    raise ImportFileError(
                        f"Line {reader.line_num} has more cells than the header."
                    )
                yield reader.line_num, (restore_formulas(row) if restore else row)
        except csv.Error as error:
            raise ImportFileError(f"Line {reader.line_num}: {error}.") from None


def _check_columns(columns: Iterable[str]) -> None:
    columns = [c for c in columns if c is not None]
    unknown = [c for c in columns if c not in PROJECT_COLUMNS]
    if unknown:
        raise ImportFileError(
            f"Unknown column(s): {', '.join(unknown)}. "
            f"Known columns: {', '.join(PROJECT_COLUMNS)}."
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(f"Missing required column(s): {', '.join(missing)}.")


# Rows imported between two writes of what the import keeps for the end (new
# releases, links, history records) and two loads of the projects the file names.
CHUNK_ROWS = 1000
# Rows created or updated from which a real import refreshes the database's
# statistics of the tables it writes in bulk (``analyze_tables``).
ANALYZE_AFTER_ROWS = 1000

# The tables whose new rows go in bulk and that later queries read.
WRITTEN_IN_BULK = (
    Project,
    Release,
    LicenseChange,
    Project.licenses.through,
    Project.languages.through,
)


def import_catalogue(
    rows: Sequence[tuple[int, dict]],
    *,
    fmt: str,
    dry_run: bool = False,
    user,
    progress: Callable[[int, int, int], None] | None = None,
) -> ImportReport:
    """Import ``rows`` (from :func:`read_file`) as ``user`` (a user, or
    ``portal.publishing.policy.SYSTEM`` for the portal's own loaders); see the
    module docstring. ``progress(rows done, rows in all, errors so far)`` is
    called after each row.

    The rows go in chunks of ``CHUNK_ROWS``, inside the one transaction: each
    chunk loads the existing projects it names, and its new releases, links and
    history records are written (or, in a dry run, dropped) before the next, so
    memory holds one chunk's objects, whatever the file's size."""
    total = len(rows)
    report = ImportReport(rows=total, dry_run=dry_run)
    unit = "item" if fmt == "json" else "line"
    try:
        # The licenses' usage is refreshed once, at the end (the new links are
        # bulk inserted, without a signal).
        with (
            transaction.atomic(),
            remembered_conversion_terms(),
            remembered_permissions(),
            license_usage_deferred(),
        ):
            importer = _Importer(fmt=fmt, user=user)
            seen: dict[str, int] = {}
            done = 0
            for chunk in batched(rows, CHUNK_ROWS):
                # Not ``slugs - seen.keys()``: that walks every slug seen so
                # far, once per chunk.
                importer.load_projects(
                    {
                        slug
                        for _line, raw in chunk
                        if (slug := str(raw.get("slug") or "").strip()) not in seen
                    }
                )
                for line, raw in chunk:
                    done += 1
                    _import_one(importer, report, seen, line, raw, unit)
                    if progress:
                        progress(done, total, len(report.errors))
                # In a dry run too (new releases): it must meet what a real
                # run would. Once a row has failed, nothing more is written.
                importer.flush(write=not report.errors, keep=not dry_run)
            if dry_run or report.errors:
                transaction.set_rollback(True)
            else:
                if report.created + report.updated >= ANALYZE_AFTER_ROWS:
                    # Before the usage's recount over the whole catalogue.
                    analyze_tables(WRITTEN_IN_BULK, using=Project.objects.db)
                # Bulk inserts send no signal: say that the content changed.
                transaction.on_commit(mark_content_changed)
    except IntegrityError:
        # Only a concurrent write can get here (uniqueness is checked in memory
        # against what existed when each chunk began).
        report.errors.append(
            RowError(
                0,
                "",
                "file",
                "Someone else changed the catalogue during the import; nothing was "
                "written. Run it again.",
                unit,
            )
        )
    return report


def _import_one(importer, report: ImportReport, seen: dict, line, raw, unit) -> None:
    slug = str(raw.get("slug") or "").strip()
    if slug in seen:
        report.errors.append(
            RowError(
                line,
                slug,
                "slug",
                f"'{slug}' already appears at {unit} {seen[slug]}.",
                unit,
            )
        )
        return
    seen[slug] = line
    # No savepoint per row: a row that fails half-way may leave writes behind,
    # but any error rolls the whole import back.
    try:
        outcome = importer.import_row(raw)
        setattr(report, outcome, getattr(report, outcome) + 1)
    except RowInvalid as invalid:
        for name, messages in invalid.errors.items():
            report.errors.extend(
                RowError(line, slug, name, message, unit) for message in messages
            )


# Columns whose blank cell means "the default", not an empty value.
BLANK_MEANS_DEFAULT = {"state", "status"}


class _Importer:
    def __init__(self, *, fmt: str, user):
        self.fmt = fmt
        self.user = user
        # History names a person; the portal's own loaders name none.
        author = None if user is SYSTEM else user
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.languages = {lang.slug: lang for lang in Language.objects.all()}
        self.licenses = {lic.spdx_id.lower(): lic for lic in License.objects.all()}
        # The projects of the current chunk's rows (load_projects): those that
        # exist, then those the chunk creates.
        self.projects: dict[str, Project] = {}
        self.existing_pks: set[int] = set()
        self.new_links = _NewLinks()
        # New projects and their license history: validated row by row, with
        # ids taken in advance (``_ProjectIds``) so that their releases, links
        # and history records can name them, and inserted together at the end
        # of the chunk instead of one insert (and its signals) per row.
        self.project_ids = Ids(Project, using=Project.objects.db)
        self.ids: dict[type, Ids] = {}
        self.new_projects: list[Project] = []
        self.new_changes: list[LicenseChange] = []
        # One bulk insert per model at the end, not one record (and a query of
        # the project's languages) per save.
        self.history = DeferredHistory(user=author)
        self.reason = _("Import")
        self.valid_values = _ValidValues()
        # New releases: validated row by row, inserted together at the end.
        self.new_releases: list[Release] = []
        # The row's change of a published project kept for review: the project
        # with the row's values (not saved) and its many-to-many values.
        self.for_review: tuple[Project, dict] | None = None
        self.submitted = 0

    def load_projects(self, slugs: set[str]) -> None:
        """Forget the last chunk's projects; load the existing ones of ``slugs``
        (no row before named them: a second row of a slug is an error)."""
        self.projects = {}
        slugs = [slug for slug in slugs if slug]
        for batch in batched(slugs, 500):
            for project in Project.objects.filter(slug__in=batch).prefetch_related(
                "licenses", "languages", "releases", "license_changes"
            ):
                self.projects[project.slug] = project
                self.existing_pks.add(project.pk)
        self.project_ids.reserve(len(slugs) - len(self.projects))

    def flush(self, *, write: bool, keep: bool) -> None:
        """Insert the chunk's new releases (if ``write``), then its new links
        and history records (if ``write`` and ``keep``: not in a dry run), and
        let go of them."""
        if write:
            insert_objects(self.new_projects, using=Project.objects.db)
            self._insert_new(self.new_changes)
            self.write_new_releases()
        if write and keep:
            self.new_links.write()
            self.history.write()
            if self.new_projects:
                # Bulk inserts send no post_save: say which projects are new
                # (webhooks, sync of the content).
                catalogue_imported.send(
                    sender=Project, project_ids=[p.pk for p in self.new_projects]
                )
        self.new_projects = []
        self.new_changes = []
        self.new_releases = []
        self.new_links.rows = {}
        self.history.pending = {}

    # -- parsing -----------------------------------------------------------------

    def import_row(self, raw: dict) -> str:
        errors: dict[str, list[str]] = {}
        values = self._project_values(raw, errors)
        languages = self._languages(raw.get("languages"), errors)
        releases = self._entries(raw.get("releases"), RELEASE_PARTS, "releases", errors)
        history = self._entries(
            raw.get("license_history"), HISTORY_PARTS, "license_history", errors
        )
        terms = self._terms(raw, errors)
        if errors:
            self._check_the_rest(values, errors)
            raise RowInvalid(errors)
        project = self.projects.get(values["slug"])
        created = project is None
        self.for_review, self.submitted = None, 0
        changed = self._save_project(project, values, raw)
        project = self.projects[values["slug"]]
        changed |= self._set_languages(project, languages)
        if self.for_review is not None:
            self._submit_for_review(project)
        # The history and its terms first: they decide the releases' conversions.
        history_changed = False
        for save in (self._save_history, self._save_terms):
            if (
                save(project, history if save == self._save_history else terms, errors)
                and not created
            ):
                history_changed = True
                getattr(project, "_prefetched_objects_cache", {}).pop(
                    "license_changes", None
                )
                prefetch_related_objects([project], "license_changes")
        if history_changed and project.pk in self.existing_pks:
            project_refresh_conversions(project=project)
        changed |= history_changed
        changed |= self._save_releases(project, releases, values.get("state"), errors)
        if errors:
            raise RowInvalid(errors)
        if created:
            return "created"
        if self.submitted:
            return "pending"
        return "updated" if changed else "unchanged"

    def _review(self, project: Project) -> tuple[Project, dict]:
        """The row's change of ``project`` kept for review, begun from its
        pending revision if there is one."""
        if self.for_review is None:
            working, many_to_many, _pending = working_copy(
                user=self.user, current=project
            )
            self.for_review = (working, dict(many_to_many or {}))
        return self.for_review

    def _submit_for_review(self, project: Project) -> None:
        working, many_to_many = self.for_review
        try:
            revision = revision_submit(
                user=self.history.user,
                instance=working,
                many_to_many=many_to_many,
                reason=_("Import"),
            )
        except ValidationError as error:
            raise RowInvalid({"slug": error.messages}) from None
        self.submitted += revision is not None

    def _check_the_rest(self, values: dict, errors: dict) -> None:
        """A row with errors in some cells: validate its other fields too, so
        that the report lists every error of the row at once."""
        current = self.projects.get(values.get("slug"))
        project = Project() if current is None else copy(current)
        for name, value in values.items():
            setattr(project, name, value)
        try:
            project.full_clean(
                exclude=list(errors), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name not in errors:
                    errors[name] = messages

    def _project_values(self, raw: dict, errors: dict) -> dict:
        values = {}
        for name in PROJECT_COLUMNS:
            if name in {"languages", "releases", "license_history"} or name not in raw:
                continue
            if name in TERMS_COLUMNS:
                continue
            value = raw[name]
            if name in BLANK_MEANS_DEFAULT and (
                value is None or not str(value).strip()
            ):
                # As if the column were absent: the documented default for a new
                # project, the current value for an existing one.
                continue
            try:
                values[name] = self._convert(name, value)
            except ValueError as error:
                errors.setdefault(name, []).append(str(error))
        return values

    def _convert(self, name: str, value):
        if name == "featured":
            if isinstance(value, bool):
                return value
            text = str(value if value is not None else "").strip().lower()
            if text in TRUE:
                return True
            if text in FALSE:
                return False
            raise ValueError(f"'{value}' is not true or false.")
        if name == "position":
            try:
                number = int(str(value).strip() or 0)
            except ValueError:
                raise ValueError(f"'{value}' is not a whole number.") from None
            if number < 0:
                raise ValueError("The position cannot be negative.")
            return number
        if name == "category":
            slug = str(value or "").strip()
            if not slug:
                return None
            if slug not in self.categories:
                known = ", ".join(sorted(self.categories)) or "none yet"
                raise ValueError(
                    f"Unknown category '{slug}'. Known categories: {known}."
                )
            return self.categories[slug]
        if name in {"publish_at", "unpublish_at"}:
            return _datetime(value)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError(f"Expected text, not {type(value).__name__}.")
        return value.strip()

    def _terms(self, raw: dict, errors: dict) -> dict | None:
        """The row's terms columns (None when it has none), parsed."""
        if not any(name in raw for name in TERMS_COLUMNS):
            return None
        try:
            return _terms_values(raw, label="")
        except TermsInvalid as invalid:
            for name, message in invalid.errors.items():
                errors.setdefault(name, []).append(message)
            return None

    def _save_terms(self, project: Project, terms: dict | None, errors) -> bool:
        if terms is None:
            return False
        current = project.terms
        if current is None and not any(v not in ("", None) for v in terms.values()):
            return False
        if current is not None and all(
            getattr(current, k) == v for k, v in terms.items()
        ):
            return False
        if self._terms_locked(project, "terms", errors):
            return False
        grant = project_grant_with_terms(project=project, terms=terms)
        if not self._change_valid(project, grant, "", errors):
            return False
        self._save_change(project, grant)
        return True

    def _languages(self, value, errors: dict) -> list[str] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = value.split(LIST_SEPARATOR)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors["languages"] = ["Give a list of language slugs."]
            return None
        slugs = []
        for text in value:
            slug = slugify(text.strip())
            if text.strip() and not slug:
                errors.setdefault("languages", []).append(
                    f"'{text}' is not a language slug."
                )
            elif slug:
                slugs.append(slug)
        return slugs

    def _entries(self, value, parts, name, errors: dict) -> list[dict] | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return unpack(value, parts)
            except ValueError as error:
                errors[name] = [str(error)]
                return None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            errors[name] = [f"Give a list of objects with {', '.join(parts)}."]
            return None
        unknown = {key for entry in value for key in entry} - set(parts)
        if unknown:
            errors[name] = [
                f"Unknown key(s) {', '.join(sorted(unknown))}; known: "
                f"{', '.join(parts)}."
            ]
            return None
        return value

    # -- writing -----------------------------------------------------------------

    def write_new_releases(self) -> None:
        """One insert of the new releases (their projects are saved)."""
        for release in self.new_releases:
            release.project_id = release.project.pk
        self._insert_new(self.new_releases)
        self.new_releases = []

    def _insert_new(self, objs: list) -> None:
        """Insert new releases or history steps, with ids taken at once (their
        history records name them)."""
        if not objs:
            return
        model = type(objs[0])
        ids = self.ids.setdefault(model, Ids(model, using=Project.objects.db))
        ids.reserve(len(objs))
        for obj in objs:
            obj.pk = ids.take()
        insert_objects(objs, using=Project.objects.db)

    def _record_author(self, instance) -> None:
        """Before each save: the history record, by the importing user, for
        the reason "Import", written with the others at the end."""
        record_author(instance, user=self.history.user, reason=self.reason)
        self.history.defer(instance)

    def _save_project(self, project, values: dict, raw: dict) -> bool:
        if project is not None and must_review(self.user, project):
            return self._project_for_review(project, values)
        if project is not None:
            if all(getattr(project, name) == value for name, value in values.items()):
                return False
            before = {name: getattr(project, name) for name in values}
        try:
            project = project_apply(user=self.user, project=project, data=values)
        except PublishingRefused as refusal:
            raise RowInvalid({refusal.field: [refusal.message]}) from None
        try:
            # Slugs are unique in memory: those in the database when the import
            # began (self.projects) and those of the rows before this one.
            self.valid_values.full_clean(project)
        except ValidationError as error:
            raise RowInvalid(error.message_dict) from None
        if project.pk is not None and all(
            getattr(project, name) == before[name] for name in values
        ):
            return False  # differed only in spelling (an expression's case)
        created = project.pk is None
        self._record_author(project)
        if created:
            project.pk = self.project_ids.take()
            self.new_projects.append(project)
            _known_empty(project, "license_changes")
        else:
            project.save()
        self.projects[project.slug] = project
        self._link_licenses(project, created=created)
        return True

    def _project_for_review(self, project: Project, values: dict) -> bool:
        working, _many_to_many = self._review(project)
        if all(getattr(working, name) == value for name, value in values.items()):
            return False
        try:
            project_apply(user=self.user, project=working, data=values)
        except PublishingRefused as refusal:
            raise RowInvalid({refusal.field: [refusal.message]}) from None
        try:
            working.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise RowInvalid(error.message_dict) from None
        return True

    def _link_licenses(self, project: Project, *, created: bool) -> None:
        ids = check_expression(project.license_expression).license_ids
        wanted = {
            self.licenses[i.lower()].pk for i in ids if i.lower() in self.licenses
        }
        if created:
            self.new_links.add(project, "licenses", wanted)
        elif wanted != {license_.pk for license_ in project.licenses.all()}:
            project.licenses.set(wanted)

    def _set_languages(self, project: Project, slugs) -> bool:
        if slugs is None:
            return False
        for slug in slugs:
            if slug not in self.languages:
                self.languages[slug] = Language.objects.create(
                    slug=slug, name=slug.replace("-", " ").title()
                )
        wanted = {self.languages[slug].pk for slug in slugs}
        if project.pk in self.existing_pks and must_review(self.user, project):
            _working, many_to_many = self._review(project)
            now = many_to_many.get("languages")
            if now is None:
                now = [language.pk for language in project.languages.all()]
            if wanted == set(now):
                return False
            many_to_many["languages"] = sorted(wanted)
            return True
        if project.pk not in self.existing_pks:
            self.new_links.add(project, "languages", wanted)
            return bool(wanted)
        if wanted == {language.pk for language in project.languages.all()}:
            return False
        project.languages.set(wanted)
        return True

    def _save_releases(
        self, project: Project, entries, default_state, errors: dict
    ) -> bool:
        if not entries:
            return False
        existing = (
            {release.version: release for release in project.releases.all()}
            if project.pk in self.existing_pks
            else {}
        )
        changed = False
        versions = set()
        for entry in entries:
            version = str(entry.get("version") or "").strip()
            label = f"releases[{version or '?'}]"
            if version in versions:
                errors.setdefault(label, []).append(
                    f"Version '{version}' is listed twice for this project."
                )
                continue
            versions.add(version)
            try:
                values = {
                    "released_on": _date(entry.get("released_on"), required=True),
                    "license_expression": str(
                        entry.get("license_expression") or project.license_expression
                    ).strip(),
                    "change_date": _date(entry.get("change_date")),
                    "state": str(
                        entry.get("state") or default_state or project.state
                    ).strip(),
                }
            except ValueError as error:
                errors.setdefault(label, []).append(str(error))
                continue
            release = existing.get(version) or Release(project=project, version=version)
            if release.pk and must_review(self.user, release):
                self._release_for_review(release, values, label, errors)
                continue
            if release.pk and all(getattr(release, k) == v for k, v in values.items()):
                continue
            try:
                release_apply(user=self.user, release=release, data=values)
            except PublishingRefused as refusal:
                errors.setdefault(f"{label}.{refusal.field}", []).append(
                    refusal.message
                )
                continue
            # Versions are unique in memory (``existing`` and ``versions``).
            if not _entry_valid(release, label, errors, self.valid_values):
                continue
            self._record_author(release)
            if release.pk is None:
                self.new_releases.append(release)
            else:
                release.save()
            existing[version] = release
            changed = True
        return changed

    def _release_for_review(self, release, values: dict, label, errors) -> None:
        """A published release the importing user may not publish: the row's
        change of it is kept as its pending revision."""
        working = working_copy(user=self.user, current=release)[0]
        if all(getattr(working, k) == v for k, v in values.items()):
            return
        try:
            release_apply(user=self.user, release=working, data=values)
        except PublishingRefused as refusal:
            errors.setdefault(f"{label}.{refusal.field}", []).append(refusal.message)
            return
        if not _entry_valid(working, label, errors):
            return
        revision = revision_submit(
            user=self.history.user, instance=working, reason=_("Import")
        )
        self.submitted += revision is not None

    def _terms_locked(self, project: Project, label: str, errors: dict) -> bool:
        """A published project's license history and terms have no pending
        revision of their own: only someone who may publish it changes them."""
        if project.pk in self.existing_pks and must_review(self.user, project):
            errors.setdefault(label, []).append(
                "The license history and terms of a published project are changed "
                "by a publisher."
            )
            return True
        return False

    def _save_history(self, project: Project, entries, errors: dict) -> bool:
        if not entries:
            return False
        existing = (
            {change.effective_on: change for change in project.license_changes.all()}
            if project.pk in self.existing_pks
            else {}
        )
        changed = False
        days = set()
        for entry in entries:
            label = f"license_history[{entry.get('effective_on') or 'beginning'}]"
            try:
                effective_on = _date(entry.get("effective_on"))
            except ValueError as error:
                errors.setdefault(label, []).append(str(error))
                continue
            if effective_on in days:
                errors.setdefault(label, []).append(
                    "This day is listed twice in the project's license history."
                )
                continue
            days.add(effective_on)
            try:
                values = {
                    "license_expression": str(
                        entry.get("license_expression") or ""
                    ).strip(),
                    "note": str(entry.get("note") or "").strip(),
                    **_terms_values(entry, label=label),
                }
            except TermsInvalid as invalid:
                for name, message in invalid.errors.items():
                    errors.setdefault(name, []).append(message)
                continue
            change = existing.get(effective_on) or LicenseChange(
                project=project, effective_on=effective_on
            )
            if change.pk and all(getattr(change, k) == v for k, v in values.items()):
                continue
            if self._terms_locked(project, label, errors):
                continue
            for name, value in values.items():
                setattr(change, name, value)
            # Days are unique in memory (``existing`` and ``days``).
            if not self._change_valid(project, change, label, errors):
                continue
            self._save_change(project, change)
            existing[effective_on] = change
            changed = True
        return changed

    def _change_valid(self, project, change, label: str, errors: dict) -> bool:
        """Validate a step of ``project``'s license history. A new project has
        none stored: its steps are checked against each other in memory, so the
        model's look for a stored beginning (a query per step) is skipped by
        validating the step without its project."""
        if project.pk in self.existing_pks:
            return _entry_valid(change, label, errors, self.valid_values)
        change.project = None
        try:
            return _entry_valid(change, label, errors, self.valid_values)
        finally:
            change.project = project

    def _save_change(self, project: Project, change: LicenseChange) -> None:
        """Save a step of the license history; a new project's is inserted with
        the project (``flush``) and joins its history in memory at once."""
        self._record_author(change)
        if project.pk in self.existing_pks:
            change.save()
            return
        steps = list(project.license_changes.all())
        if not any(step is change for step in steps):
            self.new_changes.append(change)
            # The model's order: the beginning (no day) first.
            steps.append(change)
            steps.sort(
                key=lambda c: (c.effective_on is not None, c.effective_on or date.min)
            )
            _known_empty(project, "license_changes")
            project.license_changes.all()._result_cache.extend(steps)


class _ValidValues:
    """``full_clean()`` without uniqueness (checked in memory by the import),
    that does not check again a value a field has already accepted.

    A field's own checks (``Field.clean``: type, length, choices, validators)
    depend on the value alone, and an import meets the same values again and
    again (a state, an expression, a date, an empty URL): a value a field
    accepted once is left out of ``clean_fields()`` for that field afterwards.
    The model's ``clean()`` runs for every instance, as do the checks of related
    fields (they read the database) and of the schedule (it compares two
    fields). Memory stays bounded: past ``KEPT`` values (most of them a name
    or a slug, never seen again), it begins afresh."""

    KEPT = 20_000
    KEPT_TYPES = (str, int, bool, date, type(None))
    ALWAYS = {"publish_at", "unpublish_at"}

    def __init__(self):
        self.accepted: set[tuple] = set()
        self.fields: dict[type, list] = {}

    def full_clean(self, instance, *, exclude=()) -> None:
        model = type(instance)
        fields = self.fields.get(model)
        if fields is None:
            # (name, attname, the start of its keys): a field's own hash is slow.
            fields = self.fields[model] = [
                (each.name, each.attname, (model, each.attname))
                for each in model._meta.concrete_fields
                if not (each.is_relation or each.generated or each.name in self.ALWAYS)
            ]
        if len(self.accepted) > self.KEPT:
            self.accepted = set()
        checked = []
        skipped = list(exclude)
        for name, attname, start in fields:
            value = getattr(instance, attname)
            if type(value) not in self.KEPT_TYPES:
                continue
            key = (start, type(value), value)
            if key in self.accepted:
                skipped.append(name)
            else:
                checked.append((name, attname, key))
        failed = set()
        try:
            instance.full_clean(
                exclude=skipped, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            failed = set(error.message_dict)
            raise
        finally:
            for name, attname, key in checked:
                if name in failed or name in exclude:
                    continue
                # As checked: ``clean_fields`` may have converted it.
                if getattr(instance, attname) == key[2]:
                    self.accepted.add(key)


class _NewLinks:
    """Links of the projects this import creates, written in one insert per
    relation at the end instead of a lookup and an insert per project."""

    def __init__(self):
        # Per relation, (project id, other id) pairs: the rows are made only
        # when written (a dry run makes none).
        self.rows: dict[str, list[tuple[int, int]]] = {}

    def add(self, project: Project, name: str, pks: set[int]) -> None:
        self.rows.setdefault(name, []).extend((project.pk, pk) for pk in pks)

    def write(self) -> None:
        for name, pairs in self.rows.items():
            field = Project._meta.get_field(name)
            through = field.remote_field.through
            columns = [
                through._meta.get_field(field.m2m_field_name()),
                through._meta.get_field(field.m2m_reverse_field_name()),
            ]
            insert_rows(through, columns, pairs, using=Project.objects.db)
        self.rows = {}


class TermsInvalid(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


def _terms_values(entry: dict, *, label: str) -> dict:
    """The six terms of a row or history entry as model values."""
    values, errors = {}, {}
    prefix = f"{label}." if label else ""
    for name in TERMS_COLUMNS:
        value = entry.get(name)
        try:
            if name == "change_date":
                values[name] = _date(value)
            elif name == "change_after_months":
                text = str(value if value is not None else "").strip()
                if not text:
                    values[name] = None
                elif not text.isdigit():
                    raise ValueError(f"'{text}' is not a whole number of months.")
                else:
                    values[name] = int(text)
            else:
                values[name] = str(value if value is not None else "").strip()
        except ValueError as error:
            errors[prefix + name] = str(error)
    if errors:
        raise TermsInvalid(errors)
    return values


def _entry_valid(
    entry, label: str, errors: dict, valid_values: "_ValidValues | None" = None
) -> bool:
    """Validate a release or history entry of the row's project; its errors go
    under ``label`` (the row's own fields for none). Uniqueness is checked in
    memory by the caller, and the project is the one just saved (no query to find
    it again)."""
    try:
        if valid_values is None:
            entry.full_clean(
                exclude=["project"], validate_unique=False, validate_constraints=False
            )
        else:
            valid_values.full_clean(entry, exclude=["project"])
    except ValidationError as error:
        prefix = f"{label}." if label else ""
        for name, messages in error.message_dict.items():
            errors.setdefault(f"{prefix}{name}", []).extend(messages)
        return False
    return True


def _known_empty(project: Project, relation: str) -> None:
    """Tell ``project`` (just created) that ``relation`` holds nothing yet, as a
    prefetch would, so that reading it costs no query."""
    related = Project._meta.get_field(relation).related_model
    queryset = QuerySet(related)
    queryset._result_cache = []
    queryset._prefetch_done = True
    project._prefetched_objects_cache = {
        **getattr(project, "_prefetched_objects_cache", {}),
        relation: queryset,
    }


def _date(value, *, required: bool = False):
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValueError("A date is required (YYYY-MM-DD).")
        return None
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"'{text}' is not a date (YYYY-MM-DD).")
    return parsed


def _datetime(value):
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(
            f"'{text}' is not a date and time (e.g. 2026-12-01T09:00:00+00:00)."
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
