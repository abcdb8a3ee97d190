"""A queryset's SQL, compiled once per process, its values bound per request.

Building a query's SQL (the queryset, its lookups, the compiler's joins) can
cost more of the page's time than the database answering it: the directory's
licenses and languages, a union of two ``published()`` querysets, cost some
milliseconds of Python for a query PostgreSQL answers in a fraction of one.

``KeptQuery`` builds its queryset once per process, database, number of
keys and shape (what Django writes into the SQL itself, such as a slice's
bounds), with marker values in place of the moment (``at``) and the
primary keys (``pks``), and keeps the SQL Django compiled for it: the
``published()`` rule in it is the one ``published_q()`` wrote, not a copy. A
request binds its own moment and keys where the markers were. Before keeping
a shape, it checks that binding that request's values gives exactly the SQL
and parameters Django compiles for that request's own queryset; if not, the
shape is never kept and every request builds its query as before. Nothing is
shared between processes; each keeps a handful of strings.
"""

import datetime
from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

# Values no row and no query of the site uses, so that each parameter Django
# compiled from one of them is known for what it stands for.
AT_MARKER = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
PK_MARKER_BASE = -(10**15)

# What a parameter of the kept SQL stands for.
AT, KEY, CONSTANT = "at", "key", "constant"


def bind(slots: list, at, pks: Sequence[int]) -> list:
    """The parameters of the kept SQL for this moment (as a parameter) and
    these keys."""
    return [
        at if kind == AT else pks[value] if kind == KEY else value
        for kind, value in slots
    ]


# Shapes kept per query at most (then forgotten, and kept again as asked).
KEPT_MOST = 256


class KeptQuery:
    """``build(at=..., pks=..., shape=...)`` returns a ``values_list()``
    queryset of the rows visible at ``at`` for the primary keys ``pks``;
    ``rows()`` returns its rows, as the queryset would, from the SQL kept for
    that many keys and that ``shape`` (a tuple of what changes the SQL itself,
    such as a slice's bounds, which Django writes into it). ``model``: a
    ``Publishable`` model the queryset reads through ``published()``."""

    def __init__(self, build: Callable[..., QuerySet], *, model):
        self.build = build
        # A moment becomes a parameter as ``published()`` compares it: through
        # a ``Publishable`` model's ``publish_at``.
        self.moment_field = model._meta.get_field("publish_at")
        self.kept = {}

    def prep_at(self, at, connection):
        return self.moment_field.get_db_prep_value(at, connection)

    def rows(
        self,
        *,
        pks: Sequence[int] = (),
        at=None,
        shape: tuple = (),
        using: str = "default",
    ) -> list:
        at = at or timezone.now()
        pks = list(dict.fromkeys(pks))
        connection = connections[using]
        key = (using, connection.vendor, len(pks), shape)
        compiled = self.kept.get(key, False)
        if compiled is False:
            if len(self.kept) >= KEPT_MOST:
                self.kept.clear()
            compiled = self.kept[key] = self.compile(
                pks=pks, at=at, shape=shape, connection=connection
            )
        if compiled is None:
            return list(self.build(at=at, pks=pks, shape=shape).using(using))
        sql, slots, converters = compiled
        params = bind(slots, self.prep_at(at, connection), pks)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters:
                    for function in functions:
                        row[position] = function(row[position], expression, connection)
        return [tuple(row) for row in rows]

    def compile(self, *, pks, at, shape=(), connection):
        """The SQL of the queryset built with markers, its parameters as slots
        (the moment, a key by its index, or a constant), and the compiler's value
        converters; None if binding this request's values does not give the
        SQL Django compiles for them."""
        markers = [PK_MARKER_BASE - index for index in range(len(pks))]
        compiler = (
            self.build(at=AT_MARKER, pks=markers, shape=shape)
            .query.chain()
            .get_compiler(connection=connection)
        )
        sql, params = compiler.as_sql()
        prepped_marker = self.prep_at(AT_MARKER, connection)
        index_of = {marker: index for index, marker in enumerate(markers)}
        slots = []
        for param in params:
            if param == prepped_marker:
                slots.append((AT, None))
            elif type(param) is int and param in index_of:
                slots.append((KEY, index_of[param]))
            else:
                slots.append((CONSTANT, param))
        fresh_sql, fresh_params = (
            self.build(at=at, pks=pks, shape=shape)
            .query.chain()
            .get_compiler(connection=connection)
            .as_sql()
        )
        bound = bind(slots, self.prep_at(at, connection), pks)
        if (sql, bound) != (fresh_sql, list(fresh_params)):
            return None
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        return sql, slots, converters
