"""Admin pieces shared by every publishable model: the workflow's actions.

An item moves draft -> in review -> published. Every editor may submit drafts for
review; only a user with the model's publish permission (the Publisher role, see
README "Editing") sees and may run "Publish" and "Unpublish". Django hides an
action from a user without the permission its ``permissions`` names (checked by
``has_<name>_permission`` on the ModelAdmin) and refuses it if posted anyway.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import router, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.admin.editing import ContentAdmin
from portal.publishing.models import State
from portal.publishing.policy import PublishingRefused, check_publishing


def set_state(request, queryset, state: State, *, allowed_from, reason: str) -> int:
    """Move the selected items that are in one of the ``allowed_from`` states to
    ``state``; return how many changed.

    Each item is first put to the publish policy (``check_publishing``); an item
    it refuses is left as it is. Each item is saved (not bulk-updated), so
    ``updated_at`` (which caches and feeds read to notice a change) and
    ``revision`` move on, and the change is in the item's history with its author
    and ``reason``, and in the admin's log, as an edit through the form would be.
    """
    model = queryset.model
    with transaction.atomic(using=router.db_for_write(model)):
        changed = list(
            model._default_manager.filter(
                pk__in=queryset.values("pk"), state__in=allowed_from
            )
        )
        changed = [obj for obj in changed if _allowed(request.user, obj, state)]
        for obj in changed:
            obj.state = state
            obj._history_user = request.user
            obj._change_reason = reason
            obj.save(update_fields=["state", "updated_at"])  # and the revision
    if changed:
        label = capfirst(model._meta.get_field("state").verbose_name)
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": [str(label)]}}],
        )
    return len(changed)


def _allowed(user, obj, state) -> bool:
    try:
        check_publishing(
            user=user, model=type(obj), current=obj, changes={"state": state}
        )
    except PublishingRefused:
        return False
    return True


@admin.action(
    description=gettext_lazy("Submit selected drafts for review"),
    permissions=["submit"],
)
def submit_for_review(modeladmin, request, queryset):
    count = set_state(
        request,
        queryset,
        State.REVIEW,
        allowed_from=[State.DRAFT],
        reason=_("Submitted for review"),
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d item submitted for review.",
            "%(count)d items submitted for review.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
    left = queryset.count() - count
    if left:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d item left as it was: only drafts can be submitted.",
                "%(count)d items left as they were: only drafts can be submitted.",
                left,
            )
            % {"count": left},
            messages.WARNING,
        )


def _run_state_action(
    modeladmin, request, queryset, state, *, allowed_from, reason, done
):
    count = set_state(
        request, queryset, state, allowed_from=allowed_from, reason=reason
    )
    modeladmin.message_user(request, done(count) % {"count": count}, messages.SUCCESS)


@admin.action(
    description=gettext_lazy("Publish selected items"), permissions=["publish"]
)
def publish(modeladmin, request, queryset):
    _run_state_action(
        modeladmin,
        request,
        queryset,
        State.PUBLISHED,
        allowed_from=[State.DRAFT, State.REVIEW],
        reason=_("Published"),
        done=lambda n: ngettext(
            "%(count)d item published.", "%(count)d items published.", n
        ),
    )


@admin.action(
    description=gettext_lazy("Unpublish selected items (back to draft)"),
    permissions=["publish"],
)
def unpublish(modeladmin, request, queryset):
    _run_state_action(
        modeladmin,
        request,
        queryset,
        State.DRAFT,
        allowed_from=[State.PUBLISHED, State.REVIEW],
        reason=_("Unpublished"),
        done=lambda n: ngettext(
            "%(count)d item unpublished.", "%(count)d items unpublished.", n
        ),
    )


class PublishableAdmin(ContentAdmin):
    """List columns, filters and actions every publishable model shares."""

    actions = [submit_for_review, publish, unpublish]
    publishing_fields = ("state", "publish_at", "unpublish_at")

    def has_submit_permission(self, request, obj=None) -> bool:
        """Submitting for review is part of editing: the change permission."""
        return self.has_change_permission(request, obj)

    @admin.display(boolean=True, description=gettext_lazy("public now"))
    def is_published(self, obj):
        return obj.is_published()
