"""The one write path of licenses: the admin, the demo loader and the tests call
``license_save``.

A license's id and conversion terms matter beyond this app: the projects whose
expression names the id are linked to it, and the conversion dates of releases
under a source-available license follow its terms. Those live in apps built on
this one, which it may not import; the site's settings name their follow-ups
(``LICENSE_CHANGE_FOLLOW_UPS``), and ``license_save`` calls them when, and only
when, the id or the conversion terms changed. A typo fixed in a summary costs no
recomputation.
"""

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from licenses.models import Family, License
from portal.publishing.history import record_author

# The stored values that the follow-ups depend on.
FOLLOWED_FIELDS = (
    "spdx_id",
    "family",
    "change_license_id",
    "change_period_months",
    "change_cap_months",
)


def conversion_terms(values: dict) -> tuple | None:
    """What decides the conversions a license governs: what its text fixes when
    it is a source-available license (cap, fixed period, fixed change license),
    else None."""
    if values["family"] != Family.SOURCE_AVAILABLE:
        return None
    return (
        values["spdx_id"].lower(),
        values["change_license_id"],
        values["change_period_months"],
        values["change_cap_months"],
    )


def license_apply_revision(
    license_: License, *, user, reason: str, many_to_many: dict
) -> License:
    """Save an approved revision of ``license_`` (see
    ``portal.publishing.revisions``) through ``license_save``."""
    return license_save(license_=license_, user=user, reason=reason)


@transaction.atomic
def license_save(*, license_: License, user=None, reason: str | None = None) -> License:
    """Validate and save ``license_``; then, if its id or its conversion terms
    changed (or it is new), run the follow-ups of the apps built on licenses."""
    if user is not None:
        record_author(license_, user=user, reason=reason)
    license_.full_clean()
    before = (
        License.objects.filter(pk=license_.pk).values(*FOLLOWED_FIELDS).first()
        if license_.pk is not None
        else None
    )
    license_.save()
    after = {name: getattr(license_, name) for name in FOLLOWED_FIELDS}
    id_changed = before is None or before["spdx_id"].lower() != after["spdx_id"].lower()
    terms_changed = conversion_terms(after) != (
        conversion_terms(before) if before is not None else None
    )
    if id_changed or terms_changed:
        for follow_up in settings.LICENSE_CHANGE_FOLLOW_UPS:
            import_string(follow_up)(
                license_=license_, id_changed=id_changed, terms_changed=terms_changed
            )
    return license_
