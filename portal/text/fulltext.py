"""PostgreSQL full-text search vectors, shared by the models that store one and
by the search that reads them (``portal.text.search``).

A vector is ``setweight(to_tsvector('english', field), 'A') || ...`` over
(field, weight) pairs. A model may store it in a generated column
(``GeneratedField(expression=stored_vector(FIELDS), db_persist=True)``): the
database computes it on every insert and update, whatever writes the row (the
admin, the API, a bulk import, ``update()``), and a search then reads and ranks
the stored value instead of computing it again for every row it matches. On
other databases the column is always NULL and the search falls back to
substring matching.
"""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Func
from django.utils.translation import gettext_lazy as _

SEARCH_CONFIG = "english"


def weighted_vector(fields) -> SearchVector:
    """``setweight(to_tsvector(...), 'A') || ...`` over ``(field, weight)`` pairs."""
    vectors = [
        SearchVector(name, weight=weight, config=SEARCH_CONFIG)
        for name, weight in fields
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


class PostgresOnly(Func):
    """Its one expression on PostgreSQL; NULL on any other database."""

    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "NULL", []
        return compiler.compile(self.source_expressions[0])


def stored_vector(fields) -> PostgresOnly:
    """The expression of a generated column holding ``fields``' weighted vector."""
    return PostgresOnly(weighted_vector(fields))


def search_vector_field(fields) -> models.GeneratedField:
    """A model's ``search_vector``: the weighted vector of ``fields``, computed
    by PostgreSQL on every write (NULL on other databases)."""
    return models.GeneratedField(
        expression=stored_vector(fields),
        output_field=SearchVectorField(null=True),
        db_persist=True,
        verbose_name=_("search vector"),
    )


class WithoutSearchVector:
    """Manager mixin: the stored vector is only ever read inside the database,
    so no query loads it."""

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")
