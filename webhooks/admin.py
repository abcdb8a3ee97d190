"""The webhooks' admin: superusers manage subscriptions, publishers may look at
them and at the delivery log.

A subscription's secret is shown once, on the page that follows its creation
(or the *Rotate the secret* action), never on its change page. The delivery
log lists each event sent to each subscription with its last attempt's answer;
*Redeliver* sends the selected ones again (same event id, same body).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.publishing.policy import publish_permission
from projects.models import Project
from webhooks.models import Delivery, EventType, Subscription
from webhooks.services import (
    delivery_redeliver,
    subscription_rotate_secret,
    subscription_save,
)


def may_view(request) -> bool:
    """Superusers, and publishers (who may publish projects)."""
    user = request.user
    return (
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm(publish_permission(Project)))
    )


class SuperuserWritesAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return may_view(request)

    def has_view_permission(self, request, obj=None):
        return may_view(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The kinds of event sent to this URL."),
    )

    class Meta:
        model = Subscription
        fields = ["url", "description", "events", "active", "owner"]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # The one check of a target (its address included), as at delivery.
        try:
            from webhooks import targets

            targets.resolve(self.instance.url)
        except ValidationError as error:
            self.add_error("url", error)


@admin.action(description=gettext_lazy("Rotate the secret"), permissions=["change"])
def rotate_secret(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(
            request, _("Select exactly one subscription."), messages.ERROR
        )
        return None
    subscription = queryset.get()
    secret = subscription_rotate_secret(subscription=subscription)
    return modeladmin.secret_page(request, subscription, secret)


@admin.register(Subscription)
class SubscriptionAdmin(SuperuserWritesAdmin):
    form = SubscriptionForm
    list_display = ["url", "owner", "event_list", "active", "failing_since"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["deliveries_link", "failing_since", "paused_reason"]
    actions = [rotate_secret]
    autocomplete_fields = []

    @admin.display(description=gettext_lazy("events"))
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description=gettext_lazy("delivery log"))
    def deliveries_link(self, obj):
        if obj.pk is None:
            return "-"
        url = reverse("admin:webhooks_delivery_changelist")
        return format_html(
            '<a href="{}?subscription__id__exact={}">{}</a>',
            url,
            obj.pk,
            _("Deliveries to this URL"),
        )

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "events", "active", "owner"]
        return fields + (self.readonly_fields if obj else [])

    def save_model(self, request, obj, form, change):
        subscription_save(subscription=obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self.secret_page(request, obj, obj.plain_secret)

    def secret_page(self, request, subscription, secret):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "subscription": subscription,
            "secret": secret,
            "title": _("Signing secret"),
        }
        response = TemplateResponse(
            request, "admin/webhooks/subscription/secret.html", context
        )
        response["Cache-Control"] = "no-store"
        return response


@admin.action(description=gettext_lazy("Redeliver"), permissions=["redeliver"])
def redeliver(modeladmin, request, queryset):
    count = 0
    for delivery in queryset:
        delivery_redeliver(delivery=delivery)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d delivery queued again.",
            "%(count)d deliveries queued again.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Delivery)
class DeliveryAdmin(SuperuserWritesAdmin):
    list_display = [
        "event_type",
        "event_subject",
        "subscription",
        "status",
        "response_code",
        "duration_ms",
        "attempts",
        "error",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "subscription", "event__type"]
    list_select_related = ["event", "subscription"]
    actions = [redeliver]
    readonly_fields = [
        "subscription",
        "event_type",
        "event_subject",
        "event_id",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "error",
        "first_attempt_at",
        "last_attempt_at",
        "next_attempt_at",
        "body",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        return request.user.is_superuser

    @admin.display(description=gettext_lazy("event"), ordering="event__type")
    def event_type(self, obj):
        return obj.event.type

    @admin.display(description=gettext_lazy("subject"))
    def event_subject(self, obj):
        return obj.event.subject

    @admin.display(description=gettext_lazy("event id"))
    def event_id(self, obj):
        return str(obj.event.id)

    @admin.display(description=gettext_lazy("body"))
    def body(self, obj):
        return obj.event.body
