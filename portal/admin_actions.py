"""Admin pieces shared by every publishable model."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.publishing import State


@admin.action(description=_("Publish selected items"))
def publish(modeladmin, request, queryset):
    count = queryset.update(state=State.PUBLISHED)
    modeladmin.message_user(
        request,
        ngettext("%(count)d item published.", "%(count)d items published.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Unpublish selected items (back to draft)"))
def unpublish(modeladmin, request, queryset):
    count = queryset.update(state=State.DRAFT)
    modeladmin.message_user(
        request,
        ngettext("%(count)d item unpublished.", "%(count)d items unpublished.", count)
        % {"count": count},
        messages.SUCCESS,
    )


class PublishableAdmin(admin.ModelAdmin):
    """List columns, filters and actions every publishable model shares."""

    actions = [publish, unpublish]
    publishing_fields = ("state", "publish_at")

    @admin.display(boolean=True, description=_("public now"))
    def is_published(self, obj):
        return obj.is_published()
