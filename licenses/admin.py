from django.contrib import admin

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
    list_filter = ["state", "family", "osi_approved", "fsf_libre"]
    search_fields = ["spdx_id", "name", "summary"]
    fields = [
        "spdx_id",
        "name",
        "family",
        ("osi_approved", "fsf_libre"),
        "summary",
        "text_url",
        "position",
        "state",
        "publish_at",
    ]
