from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from licenses import rules
from licenses.models import License, describe_user, licenses_in_use
from licenses.services import license_save
from portal.admin.actions import PublishableAdmin
from portal.admin.forms import ContentAdminForm


def rule_field(kind: str) -> forms.MultipleChoiceField:
    """A rule list as checkboxes, labelled and explained as on the model field."""
    model_field = License._meta.get_field(kind)
    return forms.MultipleChoiceField(
        label=model_field.verbose_name,
        choices=rules.VOCABULARIES[kind].choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=model_field.help_text,
    )


class LicenseAdminForm(ContentAdminForm):
    """The rule lists as checkboxes with their plain-language labels."""

    permissions = rule_field("permissions")
    conditions = rule_field("conditions")
    limitations = rule_field("limitations")

    class Meta:
        model = License
        fields = ["permissions", "conditions", "limitations"]


@admin.register(License)
class LicenseAdmin(PublishableAdmin):
    form = LicenseAdminForm
    # Fits a 1280 px screen: OSI approval and FSF libre status share a column,
    # the family is a filter.
    list_display = [
        "spdx_id",
        "name",
        "approved_by",
        "position",
        "state",
        "is_published",
    ]
    list_editable = ["position"]
    list_filter = ["state", "family", "osi_approved", "fsf_libre", "deprecated"]
    search_fields = ["spdx_id", "name", "summary"]
    autocomplete_fields = ["change_license"]
    markdown_fields = ("summary",)
    readonly_fields = ["deprecated"]

    @admin.display(description=_("approved by"))
    def approved_by(self, obj):
        names = [
            name
            for name, approved in (("OSI", obj.osi_approved), ("FSF", obj.fsf_libre))
            if approved
        ]
        return ", ".join(names) or "-"

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
                    ("position", "is_default"),
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
        (
            _("Publishing"),
            {"fields": ["state", "publish_at", "unpublish_at"]},
        ),
    ]

    def save_content(self, request, obj, form, change):
        # The form has asked the publish policy (ContentAdminForm.clean); the one
        # write path recomputes conversions only when the terms changed.
        license_save(license_=obj)

    def get_deleted_objects(self, objs, request):
        """Django's summary of a deletion, whose protected rows (a license in use)
        make the delete page and the bulk delete action refuse: named as what
        uses each license, with a message saying why."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        usage = licenses_in_use(objs) if protected else {}
        if usage:
            # Django lists the projects' link rows; the projects are what an
            # editor knows and can change.
            protected = [
                self._link_to(request, user)
                for users in usage.values()
                for user in users
            ]
            messages.error(
                request,
                _("A license in use cannot be deleted: %(details)s")
                % {
                    "details": "; ".join(
                        _("%(license)s is used by %(users)s")
                        % {
                            "license": license_.spdx_id,
                            "users": ", ".join(describe_user(u) for u in users),
                        }
                        for license_, users in usage.items()
                    )
                }
                + ". "
                + _("Make them use another license first."),
            )
        return deleted, counts, perms_needed, protected

    def _link_to(self, request, obj):
        opts = obj._meta
        label = capfirst(opts.verbose_name)
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            )
        except NoReverseMatch:
            return f"{label}: {obj}"
        return format_html('{}: <a href="{}">{}</a>', label, url, obj)
