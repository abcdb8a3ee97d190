"""The catalogue file format shared by import and export (CSV and JSON).

One row per project. In JSON a file is a list of objects (or ``{"projects": [...]}``);
in CSV the list fields are packed into one cell each:

==================== ======================================================= ==========
column               value                                                   default
==================== ======================================================= ==========
slug                 the project's key: a row updates the project with the   (required)
                     same slug or creates it
name, summary        text                                                    (required)
description          Markdown                                                empty
repository_url,      absolute http(s) URLs                                   empty
homepage_url,
docs_url
license_expression   an SPDX expression, e.g. ``Apache-2.0 OR MIT``           (required)
category             a category slug that exists in the portal               none
languages            language slugs; CSV: ``python;rust``. Unknown slugs are  none
                     created as new languages.
status               active, maintenance, archived, deprecated               active
featured             true/false (also 1/0, yes/no)                           false
position             a whole number                                          0
licensor,            the terms of the project's source-available grant in    empty
licensed_work,       effect today (its license history entry; see the API's
additional_use_grant,``terms``): change_license an SPDX expression,
change_license,      change_date a date (YYYY-MM-DD), change_after_months a
change_date,         whole number. A project without license history gets
change_after_months  an entry from its beginning under its expression.
state                draft, review, published                                draft
publish_at           ISO 8601 date-time, e.g. ``2026-12-01T09:00:00+00:00``   empty
unpublish_at         ISO 8601 date-time, after ``publish_at``                 empty
releases             JSON: ``[{"version", "released_on", "license_expression", none
                     "change_date", "state"}]``; CSV: entries separated by
                     ``;``, parts by ``|``:
                     ``23.11.0|2023-11-15|BUSL-1.1|change date|state``
                     (the last two parts optional; a release's state defaults
                     to its project's)
license_history      JSON: ``[{"effective_on", "license_expression",         none
                     "note", and the six terms above}]``; CSV:
                     ``effective on|expression|note|licensor|...;...``
                     (an empty date: from the project's beginning)
==================== ======================================================= ==========

A ``;`` or ``|`` inside a packed value (a note, say) is written ``\\;`` or ``\\|``.
An import never deletes: a release or history entry missing from the file is kept.

**Formulas in CSV.** A spreadsheet runs a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)``, or
``+cmd|...`` that starts a program): an exported file opened by an editor must
not run what someone typed into a project. So the CSV export writes such a cell
with a ``'`` before it, which makes it text (OWASP, "CSV Injection"), and the
import removes that ``'`` again. To keep the two exact inverses, a cell that
starts with ``'`` already before one of those characters (``'=1``) gets one more
(``''=1``), and the import removes one ``'`` only from a cell that starts with
``'`` followed, after any more ``'``, by one of them: any other cell, ``'quoted``
say, is read as it is. The JSON export is exact: JSON is no spreadsheet.
"""

import re

LIST_SEPARATOR = ";"
PART_SEPARATOR = "|"

PROJECT_COLUMNS = [
    "slug",
    "name",
    "summary",
    "description",
    "repository_url",
    "homepage_url",
    "docs_url",
    "license_expression",
    "category",
    "languages",
    "status",
    "featured",
    "position",
    "licensor",
    "licensed_work",
    "additional_use_grant",
    "change_license",
    "change_date",
    "change_after_months",
    "state",
    "publish_at",
    "unpublish_at",
    "releases",
    "license_history",
]
RELEASE_PARTS = ["version", "released_on", "license_expression", "change_date", "state"]
TERMS_COLUMNS = [
    "licensor",
    "licensed_work",
    "additional_use_grant",
    "change_license",
    "change_date",
    "change_after_months",
]
HISTORY_PARTS = ["effective_on", "license_expression", "note", *TERMS_COLUMNS]

# A cell a spreadsheet would run as a formula, after any quotes (see above).
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise_formula(cell: str) -> str:
    """The CSV cell for ``cell``: text, never a formula, to a spreadsheet."""
    return "'" + cell if _FORMULA.match(cell) else cell


def restore_formula(cell: str) -> str:
    """The inverse of :func:`neutralise_formula`."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def restore_formulas(row: dict) -> dict:
    """A CSV row's cells as they were before :func:`neutralise_formula`."""
    return {
        name: restore_formula(cell) if isinstance(cell, str) else cell
        for name, cell in row.items()
    }


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR)
        .replace(PART_SEPARATOR, "\\" + PART_SEPARATOR)
    )


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is not escaped by a backslash; keep escapes."""
    pieces, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    pieces.append("".join(current))
    return pieces


def _unescape(text: str) -> str:
    out, escaped = [], False
    for char in text:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    if escaped:
        out.append("\\")
    return "".join(out)


def pack(entries: list[dict], parts: list[str]) -> str:
    """A list of entries as one CSV cell: ``a|b|c;a|b|c``, trailing empties dropped.

    A ``;``, ``|`` or ``\\`` inside a value is escaped with a backslash.
    """
    packed = []
    for entry in entries:
        values = [_escape(str(entry.get(part) or "")) for part in parts]
        while values and not values[-1]:
            values.pop()
        packed.append(PART_SEPARATOR.join(values))
    return LIST_SEPARATOR.join(packed)


def unpack(cell: str, parts: list[str]) -> list[dict]:
    """The inverse of :func:`pack`."""
    entries = []
    for chunk in _split(cell or "", LIST_SEPARATOR):
        if not chunk.strip():
            continue
        values = [_unescape(value).strip() for value in _split(chunk, PART_SEPARATOR)]
        if len(values) > len(parts):
            raise ValueError(
                f"'{_unescape(chunk).strip()}' has {len(values)} parts separated by "
                f"'{PART_SEPARATOR}'; at most {len(parts)} ({', '.join(parts)}). "
                f"Write a '{LIST_SEPARATOR}' or '{PART_SEPARATOR}' inside a value as "
                f"'\\{LIST_SEPARATOR}' or '\\{PART_SEPARATOR}'."
            )
        entries.append(dict(zip(parts, values, strict=False)))
    return entries
