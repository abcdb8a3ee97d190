"""Render the Markdown of the rows saved before its HTML was stored."""

from django.db import migrations

from portal.text.fields import render_stored_markdown


def render(apps, schema_editor):
    render_stored_markdown(apps.get_model("portal", "Section"))
    render_stored_markdown(apps.get_model("portal", "Statement"))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_text_rules_and_stored_html"),
    ]

    operations = [
        migrations.RunPython(render, migrations.RunPython.noop, elidable=True),
    ]
