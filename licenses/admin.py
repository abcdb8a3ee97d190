from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from licenses import rules
from licenses.models import License
from portal.admin_actions import PublishableAdmin


class LicenseAdminForm(forms.ModelForm):
    """The rule lists as checkboxes with their plain-language labels."""

    permissions = forms.MultipleChoiceField(
        label=_("permissions"),
        choices=rules.Permission.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What the license lets you do."),
    )
    conditions = forms.MultipleChoiceField(
        label=_("conditions"),
        choices=rules.Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What the license asks of you in return."),
    )
    limitations = forms.MultipleChoiceField(
        label=_("limitations"),
        choices=rules.Limitation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("What the license does not give you."),
    )

    class Meta:
        model = License
        fields = ["permissions", "conditions", "limitations"]


@admin.register(License)
class LicenseAdmin(PublishableAdmin):
    form = LicenseAdminForm
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
