from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from licenses.models import License
from portal.admin_actions import PublishableAdmin


@admin.register(License)
class LicenseAdmin(PublishableAdmin):
    list_display = [
        "spdx_id",
        "name",
        "family",
        "osi_approved",
        "fsf_libre",
        "position",
        "state",
        "is_published",
    ]
    list_editable = ["position"]
    list_filter = ["state", "family", "osi_approved", "fsf_libre", "deprecated"]
    search_fields = ["spdx_id", "name", "summary"]
    autocomplete_fields = ["change_license"]
    readonly_fields = ["deprecated"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "spdx_id",
                    "name",
                    "family",
                    ("osi_approved", "fsf_libre", "deprecated"),
                    "summary",
                    "text_url",
                    "position",
                ]
            },
        ),
        (
            _("Conversion terms (source-available licenses)"),
            {
                "fields": [
                    "change_license",
                    ("change_period_months", "change_cap_months"),
                ]
            },
        ),
        (
            _("Permissions, conditions and limitations"),
            {
                "classes": ["collapse"],
                "fields": ["permissions", "conditions", "limitations"],
            },
        ),
        (_("Publishing"), {"fields": ["state", "publish_at"]}),
    ]
