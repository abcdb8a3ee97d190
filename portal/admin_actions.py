"""Admin pieces shared by every publishable model."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.publishing import State


def set_state(request, queryset, state: State) -> int:
    """Move the selected items to ``state``; return how many changed.

    A bulk ``update()`` skips ``save()``, so ``updated_at`` (which caches and feeds
    read to notice a change) is set here, and each change is written to the
    object's admin history with its author, as an edit through the form would be.
    """
    changed = list(queryset.exclude(state=state))
    if not changed:
        return 0
    queryset.model.objects.filter(pk__in=[obj.pk for obj in changed]).update(
        state=state, updated_at=timezone.now()
    )
    label = capfirst(queryset.model._meta.get_field("state").verbose_name)
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=changed,
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": [str(label)]}}],
    )
    return len(changed)


@admin.action(description=_("Publish selected items"))
def publish(modeladmin, request, queryset):
    count = set_state(request, queryset, State.PUBLISHED)
    modeladmin.message_user(
        request,
        ngettext("%(count)d item published.", "%(count)d items published.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Unpublish selected items (back to draft)"))
def unpublish(modeladmin, request, queryset):
    count = set_state(request, queryset, State.DRAFT)
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
