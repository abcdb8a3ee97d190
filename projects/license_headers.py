"""The license header of a release, for a release pipeline to write into the
version's LICENSE file: the BUSL-1.1 "Parameters" block, or the FSL notice,
filled in from the portal's record (the grant in effect on the release date and
the conversion computed for the version).

Served at ``/projects/<slug>/releases/<version>/license-parameters.txt``. A
release under a compound expression gets one block per source-available license
it names; a release under none has no header.
"""

from django.utils.translation import gettext as _

from licenses.conversion import Grant, source_available_conversion
from licenses.expressions import check_expression
from licenses.models import License

LABEL_WIDTH = 22
FSL_FUTURE = {"FSL-1.1-ALv2": "ALv2", "FSL-1.1-MIT": "MIT"}


def _line(label: str, value: str) -> str:
    """``Label:  value``, continuation lines indented under the value."""
    lines = (value or "").splitlines() or [""]
    head = f"{label + ':':<{LABEL_WIDTH}}{lines[0]}"
    return "\n".join([head, *(" " * LABEL_WIDTH + rest for rest in lines[1:])])


def license_parameters(release) -> str | None:
    """The header text of ``release``, or None when its expression names no
    source-available license."""
    ids = check_expression(release.license_expression).license_ids
    licenses = License.objects.source_available(ids)
    if not licenses:
        return None
    grant = release.project.grant_on(release.released_on)
    terms = Grant(
        change_license=grant.change_license if grant else "",
        change_date=release.change_date or (grant and grant.change_date),
        change_after_months=(
            None if release.change_date or not grant else grant.change_after_months
        ),
    )
    licensor = grant.licensor if grant else ""
    work = grant.licensed_work if grant and grant.licensed_work else ""
    work = f"{work or release.project.name} {release.version}"
    blocks = []
    for spdx_id in ids:
        license_ = licenses.get(spdx_id.lower())
        if license_ is None:
            continue
        converts_on, change_license = source_available_conversion(
            license_, release.released_on, terms
        )
        change_date = converts_on.isoformat() if converts_on else _("not stated")
        if license_.spdx_id in FSL_FUTURE or license_.change_period_months:
            future = FSL_FUTURE.get(license_.spdx_id, change_license)
            blocks.append(
                "\n".join(
                    [
                        _("%(name)s, %(future)s Future License")
                        % {"name": license_.name, "future": future},
                        "",
                        _line(_("Abbreviation"), license_.spdx_id),
                        _line(
                            _("Notice"),
                            _("Copyright %(year)d %(licensor)s")
                            % {"year": release.released_on.year, "licensor": licensor},
                        ),
                        _line(_("Software"), work),
                        _line(_("Change Date"), change_date),
                        _line(_("Change License"), change_license),
                    ]
                )
            )
        else:
            blocks.append(
                "\n".join(
                    [
                        _("Parameters"),
                        "",
                        _line(_("Licensor"), licensor),
                        _line(_("Licensed Work"), work),
                        _line(
                            _("Additional Use Grant"),
                            grant.additional_use_grant
                            if grant and grant.additional_use_grant
                            else _("None"),
                        ),
                        _line(_("Change Date"), change_date),
                        _line(_("Change License"), change_license),
                    ]
                )
            )
    return "\n\n".join(blocks) + "\n"
