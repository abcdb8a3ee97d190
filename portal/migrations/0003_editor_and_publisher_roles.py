"""The two editing roles, as groups with the least privilege they need.

Editor: view, add and change the content models, submit drafts for review (part
of changing). No publishing, no deleting, no site settings, no user management.

Publisher: everything an Editor may, plus publish and unpublish (the
``publish_<model>`` permissions), delete the content models, and change the site
settings.

Idempotent: running it again (or on a database where the groups exist) leaves
exactly these permissions on the two groups. Permissions are created first if
they do not exist yet (on a fresh database Django creates them only after all
migrations, in ``post_migrate``).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# (app label, model name): content models every role edits.
CONTENT = [
    ("portal", "section"),
    ("portal", "statement"),
    ("licenses", "license"),
    ("projects", "project"),
    ("projects", "release"),
    ("projects", "licensechange"),
    ("projects", "category"),
    ("projects", "language"),
]
PUBLISHABLE = [
    ("portal", "section"),
    ("portal", "statement"),
    ("licenses", "license"),
    ("projects", "project"),
    ("projects", "release"),
]

EDITOR = [
    (app, f"{action}_{model}")
    for app, model in CONTENT
    for action in ("view", "add", "change")
]
PUBLISHER = [
    *EDITOR,
    *((app, f"publish_{model}") for app, model in PUBLISHABLE),
    *((app, f"delete_{model}") for app, model in CONTENT),
    ("portal", "view_sitesettings"),
    ("portal", "change_sitesettings"),
]
ROLES = {"Editor": EDITOR, "Publisher": PUBLISHER}


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        # The historical app registry marks apps without a models module;
        # create_permissions skips those, so it is told they have models.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        permissions = [
            Permission.objects.using(using).get(
                content_type__app_label=app, codename=codename
            )
            for app, codename in wanted
        ]
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=list(ROLES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0002_workflow_history_revisions"),
        ("licenses", "0003_workflow_history_revisions"),
        ("projects", "0003_workflow_history_revisions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
