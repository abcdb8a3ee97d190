"""Full-text search of any queryset of the site: what a query finds, in what
order, and the snippet shown under each hit. The site's search (``portal.search``)
and the project directory's ``q`` (``projects.search``) both use it; every
queryset they pass starts from ``published()``.

**On PostgreSQL**, each searchable model has one weighted search vector (its
``SEARCH_FIELDS``: e.g. name A, summary B, description C for projects; SPDX id and
name A, summary B for licenses; title A, body B for statements). The reader's
words go through ``websearch_to_tsquery``, so quotes, ``or`` and ``-word`` work
and no input is a syntax error; hits are ordered by ``ts_rank`` (a word in a name
weighs more than the same word in a description) and carry a ``ts_headline``
snippet. Each vector is stored in a generated column, ``search_vector`` of the
model (``portal.text.fulltext``), computed by PostgreSQL on every write: a search
reads and ranks the stored vectors and computes none per row. The projects'
column has a GIN index (migration ``projects/0006_project_search_vector_column``;
``tests/test_search.py`` checks with EXPLAIN that it is used); licenses and
statements are a few dozen rows each, where a scan is faster than an index.

**On other databases** (SQLite, for development and tests), every word must
appear, in any letter case, in one of the same fields; the rank adds the same
weights per word and field, so a name match still ranks above a description
match, and the snippet is cut around the first match in Python. The page and the
result shape are the same on both.

Snippets are safe HTML whose only tag is ``<mark>``: matches are marked with two
private-use characters, the text is escaped, and only then do those characters
become ``<mark>`` and ``</mark>`` (balanced, whatever the text held).
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import (
    Case,
    F,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.text.fulltext import SEARCH_CONFIG

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
SNIPPET_CHARACTERS = 220

# The weights PostgreSQL's ts_rank gives A, B, C and D by default; the fallback
# uses the same numbers.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}

# Marks around a match until the snippet is escaped (Unicode private use area).
START, STOP = "\ue000", "\ue001"
MARKS = re.compile(f"([{START}{STOP}])")
WORD = re.compile(r"\w[\w.+-]*")
# Markdown that would show as noise in a one-line snippet: link targets, emphasis,
# code ticks, heading and quote markers.
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKDOWN_NOISE = re.compile(r"(\*\*|__|`|^#+\s|^>\s)", re.MULTILINE)


# ---------------------------------------------------------------- the query


def clean_query(text: str | None) -> str:
    """The reader's query as searched: no control characters (PostgreSQL refuses
    a NUL), single spaces, at most :data:`MAX_QUERY_LENGTH` characters."""
    text = "".join(c if c.isprintable() else " " for c in (text or ""))
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def query_words(text: str) -> list[str]:
    """The words of a query, for the fallback: ``"open core" -sdk`` gives
    ``["open", "core", "sdk"]``."""
    return WORD.findall(clean_query(text))[:MAX_WORDS]


def full_text(queryset: QuerySet) -> bool:
    """Whether the queryset's database has PostgreSQL's full-text search."""
    return connections[queryset.db].vendor == "postgresql"


def search_query(text: str) -> SearchQuery:
    return SearchQuery(clean_query(text), search_type="websearch", config=SEARCH_CONFIG)


def matching(queryset: QuerySet, text: str, fields) -> QuerySet:
    """The rows of ``queryset`` that ``text`` finds, annotated ``search_rank``
    (higher is better). Not ordered: see :func:`by_relevance`. On PostgreSQL the
    model's stored ``search_vector`` (of ``fields``) is searched and ranked."""
    if not query_words(text):
        return queryset.annotate(search_rank=Value(0.0)).none()
    if full_text(queryset):
        query = search_query(text)
        return queryset.filter(search_vector=query).annotate(
            search_rank=SearchRank(F("search_vector"), query)
        )
    words = query_words(text)
    for word in words:
        anywhere = Q()
        for name, _weight in fields:
            anywhere |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(anywhere)
    rank = Value(0.0)
    for word in words:
        for name, weight in fields:
            rank = rank + Case(
                When(**{f"{name}__icontains": word}, then=Value(WEIGHTS[weight])),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return queryset.annotate(search_rank=rank)


def by_relevance(queryset: QuerySet) -> QuerySet:
    """Best match first; ties in the model's own order."""
    return queryset.order_by("-search_rank", *queryset.model._meta.ordering)


# ---------------------------------------------------------------- snippets


def plain(text: str) -> str:
    """Markdown source as a reader would read it in one line."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = MARKDOWN_NOISE.sub("", text)
    return " ".join(text.split())


def highlighted(text: str) -> SafeString:
    """``text`` escaped, its match marks turned into balanced ``<mark>`` tags."""
    parts, open_ = [], False
    for piece in MARKS.split(text):
        if piece == START:
            if not open_:
                parts.append("<mark>")
                open_ = True
        elif piece == STOP:
            if open_:
                parts.append("</mark>")
                open_ = False
        else:
            parts.append(escape(piece))
    if open_:
        parts.append("</mark>")
    # Safe: every piece of text was escaped just above; the only markup is ours.
    return mark_safe("".join(parts))  # noqa: S308


def _spaced(fields):
    for number, name in enumerate(fields):
        if number:
            yield Value(" ")
        yield name


def with_snippet(queryset: QuerySet, text: str, fields) -> QuerySet:
    """On PostgreSQL, annotate ``search_snippet``: ``ts_headline`` of ``fields``."""
    if not full_text(queryset):
        return queryset
    source = (
        fields[0]
        if len(fields) == 1
        else Concat(*_spaced(fields), output_field=TextField())
    )
    return queryset.annotate(
        search_snippet=SearchHeadline(
            source,
            search_query(text),
            config=SEARCH_CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    )


def snippet(item, text: str, fields) -> SafeString:
    """The highlighted snippet of a hit: PostgreSQL's headline if it made one,
    else a window of the text around the first word found."""
    found = getattr(item, "search_snippet", None)
    if found is not None:
        return highlighted(plain(found))
    source = plain(" ".join(getattr(item, name) or "" for name in fields))
    source = MARKS.sub("", source)
    return highlighted(_window(source, query_words(text)))


def _window(source: str, words: list[str]) -> str:
    """About :data:`SNIPPET_CHARACTERS` of ``source`` around the first of
    ``words`` it contains, each occurrence of the words between marks."""
    if not words:
        return source[:SNIPPET_CHARACTERS]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(source)
    start = 0
    if first and first.start() > SNIPPET_CHARACTERS // 3:
        # Begin on a word, a third of the window before the match.
        start = source.rfind(" ", 0, first.start() - SNIPPET_CHARACTERS // 3) + 1
    end = start + SNIPPET_CHARACTERS
    window = source[start:end]
    if end < len(source):
        window = window.rsplit(" ", 1)[0] + " …"
    if start:
        window = "… " + window
    return pattern.sub(lambda match: f"{START}{match.group(0)}{STOP}", window)
