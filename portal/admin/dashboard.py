"""The editors' dashboard: what is waiting for whom, on the admin's index, and
its counts on every admin page.

* **Awaiting your review** (users who may publish the model): items in review,
  with who submitted them and when, read from the history (the first version of
  the current stay in review), and pending changes of published items
  (``portal.publishing.revisions``), with their author and time.
* **Your drafts**: drafts whose last version is yours.
* **Sent back to you**: drafts whose last version, by someone else, took them
  out of review after you had submitted them, and your changes of published
  items that a publisher sent back (the latest change of their item), with who
  sent them back and when.
* **Scheduled** (everyone): published items going live or going dark next.

The models are the admin site's publishable ones, so this module imports no
app. Each list costs one query per model, whatever the number of items (the
pending changes: one, plus one per model that has some); the counts cost one
query in all (``dashboard_counts``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.publishing.models import Publishable, State
from portal.publishing.policy import may_publish
from portal.publishing.revisions import Revision, RevisionStatus

# Items shown per list on the index; the counts are complete.
LIST_LENGTH = 10


@dataclass(frozen=True)
class DashboardItem:
    label: str
    kind: str  # the model's verbose name
    url: str
    when: datetime | None = None
    who: str = ""
    comment: str = ""  # the publisher's, on a change sent back


def publishable_admins(admin_site, request):
    """``(model, model_admin)`` of the site's publishable models the user may
    view, in a stable order."""
    pairs = [
        (model, model_admin)
        for model, model_admin in admin_site._registry.items()
        if issubclass(model, Publishable)
        and model_admin.has_view_or_change_permission(request)
    ]
    return sorted(pairs, key=lambda pair: pair[0]._meta.label)


def _history(model):
    return model.history.model.objects.filter(
        **{model._meta.pk.attname: OuterRef("pk")}
    )


def with_last_versions(queryset):
    """``queryset`` annotated with its rows' last version's author
    (``last_user``) and the state and author of the version before it
    (``previous_state``, ``previous_user``)."""
    model = queryset.model
    latest = _history(model).order_by("-history_id")
    return queryset.annotate(
        last_user=Subquery(latest.values("history_user_id")[:1]),
        previous_state=Subquery(latest.values("state")[1:2]),
        previous_user=Subquery(latest.values("history_user_id")[1:2]),
    )


def mine_q(user) -> Q:
    return Q(state=State.DRAFT, last_user=user.pk)


def sent_back_q(user) -> Q:
    return Q(
        state=State.DRAFT, previous_state=State.REVIEW, previous_user=user.pk
    ) & ~Q(last_user=user.pk)


def going_live_q(now) -> Q:
    return Q(state=State.PUBLISHED, publish_at__gt=now)


def going_dark_q(now) -> Q:
    return Q(state=State.PUBLISHED, unpublish_at__gt=now)


def dashboard_counts(admin_site, request) -> dict[str, int | None]:
    """How many items each list of the dashboard holds for ``request.user``,
    in one query (a ``UNION ALL`` of one row per publishable model). ``review``
    is ``None`` for a user who may publish nothing."""
    user, now = request.user, timezone.now()
    names = ("review", "mine", "sent_back", "scheduled")
    counts: dict[str, int | None] = dict.fromkeys(names, 0)
    per_model = []
    reviewer = False
    for model, _model_admin in publishable_admins(admin_site, request):
        reviews = may_publish(user, model)
        reviewer = reviewer or reviews
        per_model.append(
            with_last_versions(
                model._default_manager.filter(
                    Q(state__in=[State.DRAFT, State.REVIEW])
                    | going_live_q(now)
                    | going_dark_q(now)
                )
            )
            .annotate(one=Value(1))
            .values("one")
            .annotate(
                review=Count("pk", filter=Q(state=State.REVIEW))
                if reviews
                else Count("pk", filter=Q(pk__isnull=True)),
                mine=Count("pk", filter=mine_q(user)),
                sent_back=Count("pk", filter=sent_back_q(user)),
                scheduled=Count("pk", filter=going_live_q(now) | going_dark_q(now)),
            )
            .values_list(*names)
            .order_by()
        )
    reviewed = [
        model
        for model, _model_admin in publishable_admins(admin_site, request)
        if may_publish(user, model)
    ]
    if reviewed:
        nothing = Q(pk__isnull=True)
        per_model.append(
            _pending_of(reviewed)
            .annotate(one=Value(1))
            .values("one")
            .annotate(
                review=Count("pk"),
                mine=Count("pk", filter=nothing),
                sent_back=Count("pk", filter=nothing),
                scheduled=Count("pk", filter=nothing),
            )
            .values_list(*names)
            .order_by()
        )
    viewed = [model for model, _admin in publishable_admins(admin_site, request)]
    if viewed:
        nothing = Q(pk__isnull=True)
        per_model.append(
            _sent_back_to(user, viewed)
            .annotate(one=Value(1))
            .values("one")
            .annotate(
                review=Count("pk", filter=nothing),
                mine=Count("pk", filter=nothing),
                sent_back=Count("pk"),
                scheduled=Count("pk", filter=nothing),
            )
            .values_list(*names)
            .order_by()
        )
    if per_model:
        first, *others = per_model
        for row in first.union(*others, all=True).order_by():
            for name, value in zip(names, row, strict=True):
                counts[name] += value or 0
    if not reviewer:
        # Nothing is ever awaiting the review of someone who may not publish.
        counts["review"] = None
    return counts


def dashboard(admin_site, request) -> dict[str, list[DashboardItem]]:
    """The dashboard's lists for ``request.user``, each newest or soonest first
    and at most ``LIST_LENGTH`` long; ``review`` is ``None`` for a user who may
    publish nothing."""
    user, now = request.user, timezone.now()
    lists: dict[str, list[DashboardItem] | None] = {
        "review": None,
        "mine": [],
        "sent_back": [],
        "going_live": [],
        "going_dark": [],
    }
    for model, model_admin in publishable_admins(admin_site, request):
        # The rows' names may need their parents (a release names its project).
        manager = model._default_manager.all()
        related = model_admin.list_select_related
        if related is True:
            manager = manager.select_related()
        elif related:
            manager = manager.select_related(*related)
        if may_publish(user, model):
            lists["review"] = (lists["review"] or []) + _items(
                admin_site,
                with_submission(manager.filter(state=State.REVIEW)),
                when="submitted_at",
                who="submitted_by",
                newest_first=True,
            )
        drafts = with_last_versions(manager.filter(state=State.DRAFT)).annotate(
            changed_at=Subquery(
                _history(model).order_by("-history_id").values("history_date")[:1]
            )
        )
        lists["mine"] += _items(
            admin_site,
            drafts.filter(mine_q(user)),
            when="changed_at",
            newest_first=True,
        )
        lists["sent_back"] += _items(
            admin_site,
            drafts.filter(sent_back_q(user)).annotate(
                changed_by=Subquery(
                    _history(model)
                    .order_by("-history_id")
                    .values(f"history_user__{get_user_model().USERNAME_FIELD}")[:1]
                )
            ),
            when="changed_at",
            who="changed_by",
            newest_first=True,
        )
        lists["going_live"] += _items(
            admin_site, manager.filter(going_live_q(now)), when="publish_at"
        )
        lists["going_dark"] += _items(
            admin_site, manager.filter(going_dark_q(now)), when="unpublish_at"
        )
    reviewed = {
        model: model_admin
        for model, model_admin in publishable_admins(admin_site, request)
        if may_publish(user, model)
    }
    if reviewed:
        lists["review"] = (lists["review"] or []) + _changes(
            admin_site, reviewed, _pending_of(list(reviewed))
        )
    viewed = dict(publishable_admins(admin_site, request))
    if viewed:
        lists["sent_back"] += _changes(
            admin_site, viewed, _sent_back_to(user, list(viewed)), sent_back=True
        )
    for name, items in lists.items():
        if items is None:  # no review for someone who may publish nothing
            continue
        soonest = name.startswith("going_")
        items.sort(key=lambda item: item.when or now, reverse=not soonest)
        del items[LIST_LENGTH:]
    return lists


def _pending_of(models):
    types = ContentType.objects.get_for_models(*models)
    return Revision.objects.pending().filter(content_type__in=list(types.values()))


def _sent_back_to(user, models):
    """The changes by ``user`` of items of ``models`` that were sent back and
    are still their item's latest change (not made again since)."""
    types = ContentType.objects.get_for_models(*models)
    later = Revision.objects.filter(
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
        pk__gt=OuterRef("pk"),
    )
    return Revision.objects.filter(
        content_type__in=list(types.values()),
        status=RevisionStatus.SENT_BACK,
        author=user.pk,
    ).filter(~Exists(later))


def _changes(
    admin_site, admins: dict, revisions, *, sent_back: bool = False
) -> list[DashboardItem]:
    """The latest ``revisions`` of items of ``admins``' models, newest first
    (pending: by submission; sent back: by decision): one query, plus one per
    model that has some (their items' names)."""
    types = ContentType.objects.get_for_models(*admins)
    model_of = {content_type.pk: model for model, content_type in types.items()}
    newest = "-reviewed_at" if sent_back else "-created_at"
    revisions = list(
        revisions.select_related("reviewer" if sent_back else "author").order_by(
            newest, "-pk"
        )[:LIST_LENGTH]
    )
    ids: dict[type, list[int]] = {}
    for revision in revisions:
        ids.setdefault(model_of[revision.content_type_id], []).append(
            revision.object_id
        )
    items = {}
    for model, pks in ids.items():
        manager = model._default_manager.all()
        related = admins[model].list_select_related
        if related is True:
            manager = manager.select_related()
        elif related:
            manager = manager.select_related(*related)
        items[model] = manager.in_bulk(pks)
    result = []
    for revision in revisions:
        model = model_of[revision.content_type_id]
        item = items[model].get(revision.object_id)
        if item is None:
            continue
        opts = model._meta
        person = revision.reviewer if sent_back else revision.author
        url = reverse(
            f"{admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
            args=[quote(item.pk)],
        )
        result.append(
            DashboardItem(
                label=str(item),
                kind=_("%(kind)s: change of the published version")
                % {"kind": opts.verbose_name},
                url=f"{url}?revision={revision.pk}" if sent_back else url,
                when=revision.reviewed_at if sent_back else revision.created_at,
                who=person.get_username() if person is not None else "",
                comment=revision.comment if sent_back else "",
            )
        )
    return result


def with_submission(queryset):
    """Items in review annotated with who sent them for review and when: the
    first version of their current stay in review."""
    model = queryset.model
    username = f"history_user__{get_user_model().USERNAME_FIELD}"
    last_other = Subquery(
        _history(model)
        .exclude(state=State.REVIEW)
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    submission = (
        _history(model)
        .filter(state=State.REVIEW, history_id__gt=Coalesce(OuterRef("last_other"), 0))
        .order_by("history_id")
    )
    return queryset.annotate(last_other=last_other).annotate(
        submitted_at=Subquery(submission.values("history_date")[:1]),
        submitted_by=Subquery(submission.values(username)[:1]),
    )


def _items(admin_site, queryset, *, when, who=None, newest_first=False):
    opts = queryset.model._meta
    order = f"-{when}" if newest_first else when
    items = []
    for obj in queryset.order_by(order)[:LIST_LENGTH]:
        items.append(
            DashboardItem(
                label=str(obj),
                kind=opts.verbose_name,
                url=reverse(
                    f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(obj.pk)],
                ),
                when=getattr(obj, when),
                who=(getattr(obj, who) or "") if who else "",
            )
        )
    return items
