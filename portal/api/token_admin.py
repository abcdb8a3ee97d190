"""Issuing and revoking API tokens in the admin (registered from
``PortalConfig.ready()``)."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.api.tokens import ApiToken


class IssueTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user"]


@admin.action(description=_("Revoke selected tokens"))
def revoke(modeladmin, request, queryset):
    count = 0
    for token in queryset.filter(revoked_at__isnull=True):
        token.revoke()
        count += 1
    modeladmin.message_user(
        request,
        ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = IssueTokenForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "active"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    actions = [revoke]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    @admin.display(boolean=True, description=_("active"))
    def active(self, token):
        return token.is_active

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user"]
        return ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A token's owner cannot change: issue a new token instead.
        return ["user", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, secret = ApiToken.issue(name=obj.name, user=obj.user)
        obj.pk = token.pk
        obj.prefix = token.prefix
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code> {}",
                _("The token for this integration is:"),
                secret,
                _(
                    "Copy it now: it is shown only this once and cannot be read "
                    "again (only its hash is kept)."
                ),
            ),
            messages.WARNING,
        )
