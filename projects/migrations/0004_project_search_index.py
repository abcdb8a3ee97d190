"""A GIN index of the projects' weighted search vector, on PostgreSQL only.

An expression index: PostgreSQL uses it for a query whose expression is exactly
this one, which ``projects.search.weighted_vector(PROJECT_FIELDS)`` builds (the
expression is written out here, as a migration must not change when the code
does; ``tests/test_search.py`` checks with EXPLAIN that the two still agree). On
other databases (SQLite) the search is a plain substring match and nothing is
created.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "project_search_vector_gin"


def search_index() -> GinIndex:
    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )
    return GinIndex(vector, name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("projects", "Project"), search_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("projects", "Project"), search_index())


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_workflow_history_revisions")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
