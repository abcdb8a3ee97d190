"""The admin base of every content model: history, no lost updates, editing aids.

``ContentAdmin`` (and ``ContentInline`` for inline rows) gives each model's admin

* simple-history's history page (who changed what and when, with each change's
  fields) and revert view, plus a *compare* view: any two versions side by side,
  field by field (``<id>/history/compare/?from=<history id>&to=<history id>``);
* the revision stamp and its check (``portal.admin.forms.ContentAdminForm``),
  and the merge of a save with one made meanwhile (``portal.admin.merge``);
* a live Markdown preview under Markdown fields, rendered by the site's own
  sanitising renderer (``PortalAdminSite.markdown_preview``), and a character
  counter under summaries: small scripts that only add to a working form;
* "View on site" for what the public can see now, and "Preview" for any
  publishable item whatever its state: its public page as readers would see it
  (``<id>/preview/``, see ``portal.publishing.previews``);
* pending revisions (``portal.publishing.revisions``): an editor's save of a
  published item (its change form, its inline rows, its revert page) is kept for
  review instead of applied; the item's page says a change is pending, and
  ``<id>/revision/`` compares it with the published version, word by word, and
  lets a publisher approve it or send it back with a comment;
  ``<id>/revision/preview/`` shows it on the public page.
"""

import dataclasses

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from portal.admin.diffs import field_change
from portal.admin.forms import PENDING_FIELD, REVISION_FIELD, ContentAdminForm
from portal.admin.merge import change_form_context, merging_form
from portal.publishing.history import many_to_many_in_last_version
from portal.publishing.models import Publishable
from portal.publishing.policy import may_publish
from portal.publishing.previews import Preview, can_preview, preview_response
from portal.publishing.revisions import (
    Revision,
    RevisionStatus,
    content_fields,
    many_to_many_fields,
    pending_revision,
    revision_approve,
    revision_send_back,
    revision_submit,
    with_values,
)

SAVED_FOR_REVIEW = gettext_lazy(
    "Your change was saved for review; readers still see the published version."
)

# A list column's text longer than this is cut, the whole shown on hover.
LIST_TEXT_LENGTH = 18


def shortened(text: str, length: int = LIST_TEXT_LENGTH):
    """``text`` for a narrow list column: cut to ``length`` characters with the
    whole as its tooltip."""
    if len(text) <= length:
        return text
    return format_html(
        '<span title="{}">{}</span>', text, Truncator(text).chars(length)
    )


class ContentAdminBase:
    """What the admin of a content model and its inlines share: the editing aids
    on the fields that want them, the publish permission, the revision stamp."""

    # Fields written in Markdown: they get a live preview.
    markdown_fields: tuple[str, ...] = ()
    # Fields whose length matters (summaries): they get a character counter.
    counted_fields: tuple[str, ...] = ("summary",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is None:
            return formfield
        if db_field.name in self.markdown_fields:
            formfield.widget.attrs["data-markdown-preview"] = reverse(
                f"{self.admin_site.name}:markdown_preview"
            )
        if db_field.name in self.counted_fields:
            formfield.widget.attrs["data-char-counter"] = ""
        return formfield

    def has_publish_permission(self, request, obj=None) -> bool:
        """May the user publish and unpublish this model (Publisher role)?"""
        return may_publish(request.user, self.model)

    def get_fields(self, request, obj=None):
        # The stamps are placed by get_fieldsets, on change forms only.
        stamps = (REVISION_FIELD, PENDING_FIELD)
        return [f for f in super().get_fields(request, obj) if f not in stamps]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self._stamps_revision(request, obj) and fieldsets:
            stamps = (REVISION_FIELD, PENDING_FIELD)
            name, options = fieldsets[0]
            fields = [f for f in options["fields"] if f not in stamps]
            fieldsets[0] = (name, {**options, "fields": [*fields, *stamps]})
        return fieldsets

    def _stamps_revision(self, request, obj) -> bool:
        return obj is not None and self.has_change_permission(request, obj)


class ContentAdmin(ContentAdminBase, SimpleHistoryAdmin):
    form = ContentAdminForm
    # A column of the history page: a link comparing each version with the one
    # before (any two can then be chosen on the compare page).
    history_list_display = ["compare"]
    compare_template = "portal_admin/history_compare.html"

    class Media:
        css = {"all": ["portal-admin/editing.css"]}
        js = ["portal-admin/char-counter.js", "portal-admin/markdown-preview.js"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = merging_form(super().get_form(request, obj, change=change, **kwargs))
        return type(form.__name__, (form,), {"user": request.user})

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        # One save, one version: the many-to-many rows, saved after the object
        # (by save_related, or the revert view), join its history record.
        save_m2m = form.save_m2m

        def save_m2m_in_the_same_version():
            with many_to_many_in_last_version(obj):
                save_m2m()

        form.save_m2m = save_m2m_in_the_same_version
        return obj

    def save_model(self, request, obj, form, change):
        if change and getattr(form, "needs_review", False):
            self.save_for_review(request, obj, form)
            return
        self.save_content(request, obj, form, change)

    def save_content(self, request, obj, form, change):
        """Save ``obj`` live: each model's admin names its write path here."""
        super().save_model(request, obj, form, change)

    def save_for_review(self, request, obj, form) -> None:
        """Keep the editor's change of a published item as its pending revision;
        nothing of the item itself is written (its many-to-many values neither)."""
        many_to_many = {
            field.name: form.cleaned_data[field.name]
            for field in many_to_many_fields(type(obj))
            if field.name in form.cleaned_data
        }
        form.save_m2m = lambda: None
        form.revision = revision_submit(
            user=request.user, instance=obj, many_to_many=many_to_many
        )
        request.saved_for_review = True

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(
            getattr(inline_form, "revision", None)
            for formset in formsets
            for inline_form in formset.forms
        ):
            request.saved_for_review = True

    def response_change(self, request, obj):
        if not getattr(request, "saved_for_review", False):
            return super().response_change(request, obj)
        self.message_user(request, SAVED_FOR_REVIEW, messages.SUCCESS)
        return HttpResponseRedirect(self._admin_url("change", obj))

    def _admin_url(self, view, obj, query: str = "") -> str:
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}",
            args=[quote(obj.pk)],
        )
        return f"{url}?{query}" if query else url

    def view_on_site(self, obj):
        """The public page of ``obj``, only while the public can see it (a
        draft's page would be a 404)."""
        if not hasattr(obj, "get_absolute_url"):
            return None
        if hasattr(obj, "is_published") and not obj.is_published():
            return None
        return obj.get_absolute_url()

    def get_urls(self):
        opts = self.model._meta
        urls = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.history_compare_view),
                name=f"{opts.app_label}_{opts.model_name}_history_compare",
            ),
        ]
        if issubclass(self.model, Publishable):
            # The longest first: "<id>/preview/" would take "<id>/revision/preview/".
            urls += [
                path(
                    "<path:object_id>/revision/preview/",
                    self.admin_site.admin_view(self.revision_preview_view),
                    name=f"{opts.app_label}_{opts.model_name}_revision_preview",
                ),
                path(
                    "<path:object_id>/revision/",
                    self.admin_site.admin_view(self.revision_view),
                    name=f"{opts.app_label}_{opts.model_name}_revision",
                ),
                path(
                    "<path:object_id>/preview/",
                    self.admin_site.admin_view(self.preview_view),
                    name=f"{opts.app_label}_{opts.model_name}_preview",
                ),
            ]
        return [*urls, *super().get_urls()]

    # -- preview ------------------------------------------------------------

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        # A save merged with one made meanwhile waits for its confirmation.
        change_form_context(context)
        # Here rather than in change_view: the object is in hand, no second query.
        # The change form's object tools show the link (admin/change_form.html).
        if change and obj is not None and can_preview(obj):
            opts = self.model._meta
            context.setdefault(
                "preview_url",
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
                    "_preview",
                    args=[quote(obj.pk)],
                ),
            )
        if change and obj is not None and isinstance(obj, Publishable):
            form = context["adminform"].form
            revision = getattr(form, "pending_revision", None)
            if revision is None and not getattr(form, "needs_review", False):
                revision = pending_revision(obj)
            if revision is not None:
                context["pending_revision"] = revision
                context["revision_url"] = self._admin_url("revision", obj)
                context["may_review"] = may_publish(request.user, self.model)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- pending revisions ----------------------------------------------------

    def _revision_of(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("No such item."))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        chosen = request.GET.get("revision")
        if chosen is not None:
            # A decided change (one sent back, for its author to make again).
            revision = (
                Revision.objects.of(obj)
                .filter(pk=chosen if chosen.isdigit() else None)
                .select_related("author", "reviewer")
                .first()
            )
            if revision is None:
                raise Http404(_("This item has no such change."))
            return obj, revision
        revision = pending_revision(obj)
        if revision is None:
            raise Http404(_("This item has no pending change."))
        return obj, revision

    @method_decorator(never_cache)
    def revision_view(self, request, object_id):
        """The pending change against the published version, field by field
        (texts word by word); for a publisher, approve or send back (POST
        ``action=approve`` or ``action=send_back`` with a ``comment``)."""
        obj, revision = self._revision_of(request, object_id)
        pending = revision.status == RevisionStatus.PENDING
        may_review = pending and may_publish(request.user, self.model)
        if request.method == "POST":
            if not may_review:
                raise PermissionDenied
            return self._decide(request, obj, revision)
        proposed, many_to_many = with_values(obj, revision.values)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": (_("Pending change: %s") if pending else _("Change: %s")) % obj,
            "opts": opts,
            "app_label": opts.app_label,
            "object": obj,
            "revision": revision,
            "changes": revision_changes(obj, proposed, many_to_many),
            "may_review": may_review,
            "change_url": self._admin_url("change", obj),
            "preview_url": self._admin_url("revision_preview", obj),
            "conflict": pending and obj.revision != revision.base_revision,
            "pending": pending,
        }
        return TemplateResponse(request, "portal_admin/revision.html", context)

    def _decide(self, request, obj, revision):
        action = request.POST.get("action")
        try:
            if action == "approve":
                revision_approve(revision=revision, user=request.user)
                self.message_user(
                    request,
                    _("The change to “%(item)s” was approved: readers see it now.")
                    % {"item": obj},
                    messages.SUCCESS,
                )
            elif action == "send_back":
                revision_send_back(
                    revision=revision,
                    user=request.user,
                    comment=request.POST.get("comment", "")[:5000],
                )
                self.message_user(
                    request,
                    _("The change to “%(item)s” was sent back to its author.")
                    % {"item": obj},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, _("Choose “Approve” or “Send back”."), messages.ERROR
                )
                return HttpResponseRedirect(self._admin_url("revision", obj))
        except ValidationError as error:
            for message in error.messages:
                self.message_user(
                    request,
                    _("The change was not approved: %(reason)s") % {"reason": message},
                    messages.ERROR,
                )
            return HttpResponseRedirect(self._admin_url("revision", obj))
        return HttpResponseRedirect(self._admin_url("change", obj))

    @method_decorator(never_cache)
    def revision_preview_view(self, request, object_id):
        """The public page with the pending change applied, as readers would see
        it once approved. The change is written in a transaction that is rolled
        back once the page is rendered: nothing of it is kept or seen by
        anyone else."""
        obj, revision = self._revision_of(request, object_id)
        using = router.db_for_write(self.model)
        with transaction.atomic(using=using):
            proposed, many_to_many = with_values(obj, revision.values)
            fields = [
                *content_fields(self.model),
                *(
                    field
                    for field in self.model._meta.concrete_fields
                    if getattr(field, "source", None)  # stored Markdown renderings
                ),
            ]
            for field in fields:
                if getattr(field, "source", None):
                    setattr(proposed, field.attname, field.render(proposed))
            self.model._default_manager.filter(pk=obj.pk).update(
                **{field.attname: getattr(proposed, field.attname) for field in fields}
            )
            for name, ids in many_to_many.items():
                getattr(proposed, name).set(ids)
            response = preview_response(
                request,
                Preview(item=proposed, change_url=self._admin_url("change", obj)),
            )
            if hasattr(response, "render"):
                response.render()
            transaction.set_rollback(True, using=using)
        return response

    @method_decorator(never_cache)
    def preview_view(self, request, object_id):
        """The item's public page as readers would see it were it public: for
        anyone who may view or change the model, whatever the item's state."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("No such item."))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
        )
        return preview_response(request, Preview(item=obj, change_url=change_url))

    # -- history ------------------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history only hides the Revert button from a user who may view
        # but not change: its view would still save a POST. A revert is a change.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        # A revert saves like the change page does: all or nothing, and the
        # revision check may lock the row.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(
                request, object_id, version_id, extra_context
            )

    def history_form_view_title(self, request, obj):
        verbose_name = self.model._meta.verbose_name
        if self.revert_disabled(request, obj):
            return _("View %(model)s “%(item)s”") % {"model": verbose_name, "item": obj}
        return _("Revert %(model)s “%(item)s”") % {"model": verbose_name, "item": obj}

    def get_historical_record_context_helper(self, request, historical_record):
        return VersionChangeHelper(self.model, historical_record)

    @admin.display(description=gettext_lazy("compare"))
    def compare(self, record):
        return ""  # filled in by set_history_delta_changes, which sees the order

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        records = list(historical_records)
        for record in records:
            # No reason given: an empty cell, not "None".
            record.history_change_reason = record.history_change_reason or ""
        if not records:
            return
        opts = self.model._meta
        object_id = getattr(records[0], opts.pk.attname)
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
            "_history_compare",
            args=[object_id],
        )
        # Newest first: each record's predecessor is the next one (or, for the
        # last of the page, the first of the next page).
        last = records[-1].prev_record
        for record, older in zip(records, [*records[1:], last], strict=True):
            if older is None:
                continue
            record.compare = format_html(
                '<a href="{}?from={}&amp;to={}">{}</a>',
                url,
                older.history_id,
                record.history_id,
                _("with the version before"),
            )

    def history_compare_view(self, request, object_id):
        """Two versions of one object, each changed field with both values."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        records = list(
            obj.history.select_related("history_user").order_by("-history_id")
        )
        if not records:
            raise Http404
        by_id = {str(record.history_id): record for record in records}

        def chosen(name, default):
            value = request.GET.get(name)
            if value is None:
                return default
            if value not in by_id:  # not a version of this object
                raise Http404
            return by_id[value]

        # Default: the latest change (the last version against the one before).
        newer = chosen("to", records[0])
        older = chosen("from", records[1] if len(records) > 1 else records[0])
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare versions: %s") % obj,
            "opts": opts,
            "app_label": opts.app_label,
            "object": obj,
            "records": records,
            "older": older,
            "newer": newer,
            "changes": version_changes(self.model, older, newer),
            "revert_disabled": self.revert_disabled(request, obj),
            "history_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[obj.pk],
            ),
            "change_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
            ),
        }
        return TemplateResponse(request, self.compare_template, context)


def version_changes(model, older, newer) -> list[dict]:
    """The fields that differ between two history records of ``model``, in the
    model's field order, with readable values (texts as word diffs)."""
    delta = newer.diff_against(older, foreign_keys_are_objs=True)
    by_name = {change.field: change for change in delta.changes}
    return [
        field_change(field, by_name[field.name].old, by_name[field.name].new)
        for field in model._meta.get_fields()
        if field.name in by_name
    ]


class VersionChangeHelper(HistoricalRecordContextHelper):
    """The history page's "Changes" column: readable values, and texts as word
    diffs around the change (simple-history would cut them at 100 characters)."""

    CONTEXT_WORDS = 8

    def format_delta_change(self, change):
        field = self.model._meta.get_field(change.field)
        formatted = field_change(
            field, change.old, change.new, context=self.CONTEXT_WORDS
        )
        return dataclasses.replace(change, **formatted)


class ContentInline(ContentAdminBase):
    """Mixin for the inlines of content models (before ``admin.TabularInline``
    or ``admin.StackedInline``)."""

    form = ContentAdminForm

    def get_formset(self, request, obj=None, **kwargs):
        form = merging_form(self.form)
        kwargs.setdefault("form", type(form.__name__, (form,), {"user": request.user}))
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and issubclass(self.model, Publishable):
            # The rows' pending revisions in one query, not one per row.
            rows = self.model._default_manager.filter(**{formset.fk.name: obj})
            pending = {
                revision.object_id: revision
                for revision in Revision.objects.pending()
                .filter(
                    content_type=ContentType.objects.get_for_model(self.model),
                    object_id__in=rows.values("pk"),
                )
                .select_related("author")
            }
            formset.form = type(
                formset.form.__name__, (formset.form,), {"pending_by_pk": pending}
            )
        return type(formset.__name__, (ReviewedRowsMixin, formset), {})


class ReviewedRowsMixin:
    """An inline formset whose changed rows of published items, when the editor
    may not publish them, are kept as pending revisions instead of saved.

    Each row's parent is the form's item, already in hand: set on the row, so
    that its name (a release names its project) costs no query per row."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        return form

    def save_existing(self, form, obj, commit=True):
        if getattr(form, "needs_review", False):
            many_to_many = {
                field.name: form.cleaned_data[field.name]
                for field in many_to_many_fields(type(obj))
                if field.name in form.cleaned_data
            }
            form.revision = revision_submit(
                user=form.user, instance=obj, many_to_many=many_to_many
            )
            return obj
        return super().save_existing(form, obj, commit=commit)


def revision_changes(live, proposed, many_to_many: dict) -> list[dict]:
    """The fields a pending revision changes, with both values as an editor
    reads them (texts as word diffs)."""
    changes = []
    for field in content_fields(type(live)):
        old = getattr(live, field.name)
        new = getattr(proposed, field.name)
        if old != new:
            changes.append(field_change(field, old, new))
    for field in many_to_many_fields(type(live)):
        if field.name not in many_to_many:
            continue
        target = field.m2m_reverse_field_name()
        now = list(getattr(live, field.name).all())
        then = list(
            field.related_model._default_manager.filter(pk__in=many_to_many[field.name])
        )
        if {item.pk for item in now} != {item.pk for item in then}:
            changes.append(
                field_change(
                    field,
                    [{target: item} for item in now],
                    [{target: item} for item in then],
                )
            )
    return changes
