# The many-to-many table of Project.licenses gets a model of its own, whose link
# to the license is protected. Only the state changes: the table, its rows, its
# columns and its unique pair stay as Django created them for the plain field.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licenses", "0005_search_vector_column"),
        ("projects", "0008_slug_help_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ProjectLicense",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "license",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="licenses.license",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "project's license",
                        "verbose_name_plural": "projects' licenses",
                        "db_table": "projects_project_licenses",
                        "unique_together": {("project", "license")},
                    },
                ),
                migrations.AlterField(
                    model_name="project",
                    name="licenses",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Filled in from the license expression.",
                        related_name="projects",
                        through="projects.ProjectLicense",
                        to="licenses.license",
                        verbose_name="licenses",
                    ),
                ),
            ],
        )
    ]
