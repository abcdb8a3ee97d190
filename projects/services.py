"""The one write path of projects and releases: the admin, the API, the demo
loader and the tests call these functions.

``project_create`` / ``project_update`` and ``release_create`` /
``release_update`` take the validated values and the acting user: they ask the
publish policy (``portal.publishing.policy``), validate through the model
(``full_clean``), save, link the licenses the expression names and name the
author in the history, in one transaction. The admin's form asks the policy in
its ``clean()`` (where it can show the refusal on the field) and then saves
through ``project_save`` / ``release_save``.

A change of a published item by someone who may not publish it
(``portal.publishing.policy.must_review``) is not applied: the door calls
``project_submit_revision`` / ``release_submit_revision`` instead, which validate
it the same way and keep it as the item's pending revision
(``portal.publishing.revisions``); a publisher's approval saves it through
``project_save`` / ``release_save`` (``project_apply_revision``,
``release_apply_revision``). The bulk import keeps a faster path
of its own for the saving (bulk inserts, in-memory lookups), after the same
first half as every write (``project_apply`` / ``release_apply``: the publish
policy, then the values) and the same model validation, for every row.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from licenses.expressions import check_expression, names_id_pattern
from licenses.models import License
from portal.publishing.history import many_to_many_in_last_version, record_author
from portal.publishing.models import State
from portal.publishing.policy import SYSTEM, check_publishing
from portal.publishing.revisions import Revision, revision_submit, working_copy
from projects.models import LicenseChange, LicenseUsage, Project, Release


def project_link_licenses(*, project: Project) -> list[License]:
    """Link ``project`` to the portal's licenses that its expression names.

    Ids the portal has no record of stay in the expression text but are not linked.
    """
    ids = check_expression(project.license_expression).license_ids
    licenses = list(License.objects.by_spdx_ids(ids).values())
    project.licenses.set(licenses)
    return licenses


def license_link_projects(*, license_: License) -> None:
    """Link ``license_`` to every project whose expression names it.

    A project saved before the portal had this license (or while it had another
    id) names it in its expression without being linked to it; this mends that.
    ``MIT-0`` does not count as naming ``MIT``: ids are compared whole.
    """
    key = license_.spdx_id.lower()
    candidates = Project.objects.filter(
        license_expression__icontains=license_.spdx_id
    ).only("pk", "license_expression")
    license_.projects.set(
        project
        for project in candidates
        if key
        in {i.lower() for i in check_expression(project.license_expression).license_ids}
    )


def license_changed(*, license_: License, id_changed: bool, terms_changed: bool):
    """Keep projects and releases in step with a license whose id or conversion
    terms changed (``licenses.services.license_save`` calls it)."""
    if id_changed:
        license_link_projects(license_=license_)
    if terms_changed:
        releases_refresh_conversions(license_=license_)


# True while a bulk write runs (see ``license_usage_deferred``).
_usage_deferred: ContextVar[bool] = ContextVar("usage_deferred", default=False)


def license_usage_refresh(*, license_ids: Iterable[int]) -> None:
    """Recompute the ``LicenseUsage`` of these licenses from the catalogue: the
    count and the first ``LicenseUsage.KEPT_FIRST`` (in the directory's order)
    of their published projects without a schedule. Two queries (the counts,
    the writing), plus one per license that has such projects; nothing else is
    touched (no signal is sent: it is derived data). Does nothing within
    ``license_usage_deferred`` (``license_ids`` is not even read)."""
    if _usage_deferred.get():
        return
    license_ids = set(license_ids)
    if not license_ids:
        return
    # Without a schedule, published() holds at any time: nothing here goes
    # stale while time passes.
    unscheduled = Project.objects.published().filter(
        publish_at__isnull=True, unpublish_at__isnull=True
    )
    counts = dict(
        unscheduled.filter(licenses__in=license_ids)
        .order_by()
        .values_list("licenses")
        .annotate(count=Count("pk"))
    )
    rows = [
        LicenseUsage(
            license_id=license_id,
            unscheduled_count=counts.get(license_id, 0),
            first_unscheduled=list(
                unscheduled.filter(licenses=license_id)
                .order_by(*Project._meta.ordering)
                .values_list("pk", flat=True)[: LicenseUsage.KEPT_FIRST]
            )
            if counts.get(license_id)
            else [],
        )
        for license_id in sorted(license_ids)
    ]
    LicenseUsage.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["license"],
        update_fields=["unscheduled_count", "first_unscheduled"],
    )


def license_usage_deferred_now() -> bool:
    """Whether a bulk write runs (``license_usage_deferred``): the usage is
    refreshed at its end, whatever a write within asks."""
    return _usage_deferred.get()


# The writes asking for ``license_conversions_refresh`` while
# ``license_conversions_deferred`` runs (None outside one).
_conversions_deferred: ContextVar[list | None] = ContextVar(
    "conversions_deferred", default=None
)


def license_conversions_refresh() -> None:
    """Recompute every license's ``LicenseUsage.unscheduled_converting_count``:
    the published projects without a schedule, none of whose releases has one
    (``ProjectQuerySet.untimed()``), with a published release whose
    ``converts_to`` names the license. Four queries (the licenses, the distinct
    change expressions, one count per license in one aggregate, the writing);
    each distinct expression is parsed once. A license without a usage yet gets
    one (no project under it: a count of 0). Does nothing within
    ``license_usage_deferred``, and once at the end of
    ``license_conversions_deferred``."""
    if _usage_deferred.get():
        return
    asked = _conversions_deferred.get()
    if asked is not None:
        asked.append(True)
        return
    by_id = {
        spdx_id.lower(): pk
        for spdx_id, pk in License.objects.values_list("spdx_id", "pk")
    }
    if not by_id:
        return
    # Without a schedule on the project or its releases, published() holds
    # at any time: nothing here goes stale while time passes.
    releases = (
        Release.objects.published()
        .filter(project__in=Project.objects.untimed().values("pk"))
        .exclude(converts_to="")
        .order_by()
    )
    expressions: dict[int, set[str]] = {}
    for expression in releases.values_list("converts_to", flat=True).distinct():
        for spdx_id in check_expression(expression).license_ids:
            if spdx_id.lower() in by_id:
                expressions.setdefault(by_id[spdx_id.lower()], set()).add(expression)
    counts = (
        releases.aggregate(
            **{
                f"license_{pk}": Count(
                    "project", distinct=True, filter=Q(converts_to__in=sorted(named))
                )
                for pk, named in expressions.items()
            }
        )
        if expressions
        else {}
    )
    LicenseUsage.objects.bulk_create(
        [
            LicenseUsage(
                license_id=pk,
                unscheduled_converting_count=counts.get(f"license_{pk}", 0),
            )
            for pk in sorted(by_id.values())
        ],
        update_conflicts=True,
        unique_fields=["license"],
        update_fields=["unscheduled_converting_count"],
    )


@contextmanager
def license_conversions_deferred():
    """Within: the writes that change what turns into a license ask for
    ``license_conversions_refresh`` once, at the end (unless the transaction is
    to be rolled back), not each: a license history's change saves every
    release of a project, a license's new terms those of many projects."""
    if _usage_deferred.get() or _conversions_deferred.get() is not None:
        yield
        return
    asked = []
    token = _conversions_deferred.set(asked)
    try:
        yield
    finally:
        _conversions_deferred.reset(token)
    if asked and not transaction.get_connection().needs_rollback:
        license_conversions_refresh()


@contextmanager
def license_usage_deferred():
    """Within: no write refreshes a license's usage; at the end, unless the
    transaction is to be rolled back, every license's usage (its projects and
    what turns into it) is refreshed once. For bulk writes: an import saves
    thousands of projects and inserts their links and releases without a
    signal."""
    if _usage_deferred.get():  # already within one
        yield
        return
    token = _usage_deferred.set(True)
    try:
        yield
    finally:
        _usage_deferred.reset(token)
    if not transaction.get_connection().needs_rollback:  # else nothing changed
        license_usage_refresh(license_ids=License.objects.values_list("pk", flat=True))
        license_conversions_refresh()


def _author(instance, user, reason) -> None:
    record_author(instance, user=None if user is SYSTEM else user, reason=reason)


@transaction.atomic
def project_save(
    *,
    project: Project,
    user=None,
    reason: str | None = None,
    languages=None,
    terms: dict | None = None,
) -> Project:
    """Validate, save and link a project in one transaction (the policy has
    been asked by the caller: see the module docstring). ``terms`` (the keys of
    ``LicenseChange.TERMS``) replace those of its grant in effect today."""
    if user is not None:
        _author(project, user, reason)
    project.full_clean()
    project.save()
    project_link_licenses(project=project)
    if languages is not None:
        with many_to_many_in_last_version(project):
            project.languages.set(languages)
    if terms is not None:
        project_set_terms(project=project, terms=terms, user=user, reason=reason)
    return project


def project_grant_with_terms(*, project: Project, terms: dict) -> LicenseChange:
    """The project's grant in effect today with ``terms`` set (not saved, not
    validated): a project without license history gets its first entry, from its
    beginning, under its current expression."""
    grant = project.terms if project.pk else None
    if grant is None:
        grant = LicenseChange(
            project=project if project.pk else None,
            effective_on=None,
            license_expression=project.license_expression,
        )
    for name in LicenseChange.TERMS:
        value = terms.get(name)
        if value is None and name not in ("change_date", "change_after_months"):
            value = ""
        setattr(grant, name, value)
    return grant


def project_set_terms(
    *, project: Project, terms: dict, user=None, reason: str | None = None
) -> LicenseChange:
    """Write ``terms`` whole on the project's grant in effect today, then
    recompute its releases' conversions (refused with the first release the new
    terms do not allow)."""
    project = Project.objects.with_history().get(pk=project.pk)
    grant = project_grant_with_terms(project=project, terms=terms)
    try:
        return license_change_save(change=grant, user=user, reason=reason)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {
                    f"terms.{name}": messages
                    for name, messages in error.error_dict.items()
                }
            ) from None
        raise ValidationError({"terms": error.messages}) from None


@transaction.atomic
def license_change_save(
    *, change: LicenseChange, user=None, reason: str | None = None
) -> LicenseChange:
    """Validate and save a step of a project's license history, then recompute
    the conversions of the project's releases, which its terms may move."""
    if user is not None:
        _author(change, user, reason)
    change.full_clean()
    change.save()
    project_refresh_conversions(project=change.project, strict=True)
    return change


def project_refresh_conversions(*, project: Project, strict: bool = False) -> int:
    """Recompute ``converts_on``/``converts_to`` of ``project``'s releases from
    its license history as stored; return how many changed.

    ``strict``: a release the terms no longer allow refuses the change (a
    ``ValidationError`` naming the release); otherwise it keeps its dates and the
    admin shows the error on its next save.
    """
    with license_conversions_deferred():
        return _refresh_conversions(project=project, strict=strict)


def _refresh_conversions(*, project: Project, strict: bool) -> int:
    project = Project.objects.with_history().get(pk=project.pk)
    changed = 0
    for release in project.releases.all():
        release.project = project
        before = (release.converts_on, release.converts_to)
        try:
            release.compute_conversion()
        except ValidationError as error:
            if strict:
                raise ValidationError(
                    _("Release %(version)s (released on %(day)s): %(errors)s")
                    % {
                        "version": release.version,
                        "day": release.released_on.isoformat(),
                        "errors": " ".join(error.messages),
                    }
                ) from None
            continue
        if (release.converts_on, release.converts_to) != before:
            release.save(update_fields=["converts_on", "converts_to", "updated_at"])
            changed += 1
    return changed


def project_apply(*, user, project: Project | None, data: dict) -> Project:
    """The first half of every project write, the import's included: ask the
    publish policy whether ``user`` may change ``project`` (as stored; ``None``
    for a new one) to the model values of ``data``, then set them. Raises
    ``PublishingRefused``; writes nothing."""
    check_publishing(user=user, model=Project, current=project, changes=data)
    project = project or Project()
    for name, value in data.items():
        setattr(project, name, value)
    return project


def release_apply(*, user, release: Release, data: dict) -> Release:
    """As ``project_apply``, for a release (``release.pk`` unset: a new one)."""
    current = release if release.pk is not None else None
    check_publishing(user=user, model=Release, current=current, changes=data)
    for name, value in data.items():
        setattr(release, name, value)
    return release


def project_create(*, user, data: dict, reason: str | None = None) -> Project:
    """A new project from ``data`` (model field values; ``languages`` a list of
    Language objects). It starts as a draft unless ``data`` says otherwise and
    ``user`` may publish."""
    data = dict(data)
    languages = data.pop("languages", None)
    terms = data.pop("terms", None)
    data.setdefault("state", State.DRAFT)
    return project_save(
        project=project_apply(user=user, project=None, data=data),
        user=user,
        reason=reason,
        languages=languages,
        terms=terms,
    )


def project_update(
    *, user, project: Project, data: dict, reason: str | None = None
) -> Project:
    """Change ``project`` (as stored) to the values of ``data``."""
    data = dict(data)
    languages = data.pop("languages", None)
    terms = data.pop("terms", None)
    return project_save(
        project=project_apply(user=user, project=project, data=data),
        user=user,
        reason=reason,
        languages=languages,
        terms=terms,
    )


def project_apply_revision(
    project: Project, *, user, reason: str, many_to_many: dict
) -> Project:
    """Save an approved revision of ``project`` (its values set; see
    ``portal.publishing.revisions``): the project's write path, its languages
    included."""
    return project_save(
        project=project,
        user=user,
        reason=reason,
        languages=many_to_many.get("languages"),
    )


def project_submit_revision(
    *, user, project: Project, data: dict, reason: str | None = None
) -> Revision | None:
    """Keep ``user``'s change of the published ``project`` (as stored) as its
    pending revision, starting from the one pending (their latest work): the
    policy and the model's validation as for ``project_update``, nothing of the
    project written. ``None`` when nothing differs from the published version.
    The terms of its grant are not part of a revision: a change of them is
    refused (a publisher's to make)."""
    data = dict(data)
    languages = data.pop("languages", None)
    working, many_to_many, _pending = working_copy(user=user, current=project)
    if data.pop("terms", None) is not None:
        raise ValidationError(
            {
                "terms": [
                    _(
                        "The terms of a published project change what readers see "
                        "at once: only a publisher can change them."
                    )
                ]
            }
        )
    working = project_apply(user=user, project=working, data=data)
    working.full_clean()
    many_to_many = dict(many_to_many or {})
    if languages is not None:
        many_to_many["languages"] = languages
    return revision_submit(
        user=user, instance=working, many_to_many=many_to_many, reason=reason or ""
    )


def release_submit_revision(
    *, user, release: Release, data: dict, reason: str | None = None
) -> Revision | None:
    """As ``project_submit_revision``, for a published release."""
    working, _many_to_many, _pending = working_copy(user=user, current=release)
    working = release_apply(user=user, release=working, data=data)
    working.full_clean()
    return revision_submit(user=user, instance=working, reason=reason or "")


def releases_refresh_conversions(*, license_: License) -> int:
    """Recompute ``converts_on``/``converts_to`` of the releases that name
    ``license_`` or already convert.

    Called when a license's conversion terms change, so the stored dates that the
    conversions list, its feeds and the API filter on stay true. Returns how many
    releases changed. A release whose explicit change date the new terms refuse
    (beyond a shortened cap) keeps its date; the admin shows the error on its next
    save.
    """
    named = names_id_pattern(license_.spdx_id)
    projects = (
        Project.objects.filter(
            Q(releases__converts_on__isnull=False)
            | Q(releases__license_expression__iregex=named)
        )
        .distinct()
        .only("pk")
    )
    with license_conversions_deferred():
        return sum(project_refresh_conversions(project=project) for project in projects)


@transaction.atomic
def release_save(*, release: Release, user=None, reason: str | None = None) -> Release:
    """Validate (conversion date included) and save a release (the policy has
    been asked by the caller)."""
    if user is not None:
        _author(release, user, reason)
    release.full_clean()
    release.save()
    return release


def release_create(
    *, user, project: Project, data: dict, reason: str | None = None
) -> Release:
    """A new release of ``project``; a draft unless ``data`` says otherwise and
    ``user`` may publish releases. Its license is the project's unless given."""
    data = dict(data)
    data.setdefault("state", State.DRAFT)
    data.setdefault("license_expression", project.license_expression)
    release = release_apply(user=user, release=Release(project=project), data=data)
    return release_save(release=release, user=user, reason=reason)


def release_apply_revision(
    release: Release, *, user, reason: str, many_to_many: dict
) -> Release:
    """Save an approved revision of ``release`` (a release has no many-to-many
    values)."""
    return release_save(release=release, user=user, reason=reason)


def release_update(
    *, user, release: Release, data: dict, reason: str | None = None
) -> Release:
    """Change ``release`` (as stored) to the values of ``data``."""
    release = release_apply(user=user, release=release, data=data)
    return release_save(release=release, user=user, reason=reason)
