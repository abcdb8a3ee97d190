"""The projects' weighted search vector, stored in a generated column.

PostgreSQL computes ``search_vector`` on every insert and update, so a search
ranks and rechecks the stored vector instead of computing ``to_tsvector`` again
for every row it matches (a common word matches a tenth of the catalogue). The
GIN index moves from the expression (``0004_project_search_index``) to the
column, under the same name. On other databases the column is always NULL and
no index is created.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

import portal.text.fulltext

INDEX_NAME = "project_search_vector_gin"


def expression_index() -> GinIndex:
    from django.contrib.postgres.search import SearchVector

    vector = (
        SearchVector("name", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )
    return GinIndex(vector, name=INDEX_NAME)


def column_index() -> GinIndex:
    return GinIndex(fields=["search_vector"], name=INDEX_NAME)


def index_the_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    project = apps.get_model("projects", "Project")
    schema_editor.remove_index(project, expression_index())
    schema_editor.add_index(project, column_index())


def index_the_expression(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    project = apps.get_model("projects", "Project")
    schema_editor.remove_index(project, column_index())
    schema_editor.add_index(project, expression_index())


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_publishing_indexes")]

    operations = [
        migrations.AddField(
            model_name="project",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=portal.text.fulltext.PostgresOnly(
                    django.contrib.postgres.search.CombinedSearchVector(
                        django.contrib.postgres.search.CombinedSearchVector(
                            django.contrib.postgres.search.SearchVector(
                                "name", config="english", weight="A"
                            ),
                            "||",
                            django.contrib.postgres.search.SearchVector(
                                "summary", config="english", weight="B"
                            ),
                            django.contrib.postgres.search.SearchConfig("english"),
                        ),
                        "||",
                        django.contrib.postgres.search.SearchVector(
                            "description", config="english", weight="C"
                        ),
                        django.contrib.postgres.search.SearchConfig("english"),
                    )
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(
                    null=True
                ),
                verbose_name="search vector",
            ),
        ),
        migrations.RunPython(index_the_column, index_the_expression, elidable=False),
    ]
