"""What a person meant by a token that is not an SPDX id.

Common spellings first (``GPLv3``, ``Apache2``, ``BSD-3``, ``BSL-1.1``), then
look-alike characters (a Unicode hyphen, Cyrillic or fullwidth letters), then the
nearest ids of the SPDX list. Only ids of the list are ever offered, current ones
before deprecated ones: never an id of another index.
"""

import difflib
import re
import unicodedata
from functools import lru_cache

from licenses import spdx

# Characters that look like the ASCII ones SPDX ids are made of. Fullwidth forms
# and most odd spaces and hyphens are also caught by NFKC (see ``ascii_twin``).
LOOKALIKES = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2009\u200a", " "),
    "\u2024": ".",
    "\u00b7": ".",
    # Cyrillic
    "\u0410": "A", "\u0412": "B", "\u0415": "E", "\u041a": "K", "\u041c": "M",
    "\u041d": "H", "\u041e": "O", "\u0420": "P", "\u0421": "C", "\u0422": "T",
    "\u0425": "X", "\u0406": "I", "\u0408": "J", "\u0405": "S", "\u0430": "a",
    "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y",
    "\u0445": "x", "\u0456": "i", "\u0458": "j", "\u0455": "s", "\u0501": "d",
    # Greek
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H",
    "\u0399": "I", "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O",
    "\u03a1": "P", "\u03a4": "T", "\u03a5": "Y", "\u03a7": "X", "\u03bf": "o",
}  # fmt: skip

# Names people write for licenses that have an SPDX id (lower case, "_" and
# spaces read as "-"). The GNU family and "<name><version>" spellings are
# worked out by rule (see ``_by_rule``).
COMMON_SPELLINGS = {
    "apache": ["Apache-2.0"],
    "asl": ["Apache-2.0"],
    "alv2": ["Apache-2.0"],
    "asl2": ["Apache-2.0"],
    "asl-2": ["Apache-2.0"],
    "asl-2.0": ["Apache-2.0"],
    "bsd": ["BSD-3-Clause", "BSD-2-Clause"],
    "new-bsd": ["BSD-3-Clause"],
    "bsd-new": ["BSD-3-Clause"],
    "modified-bsd": ["BSD-3-Clause"],
    "simplified-bsd": ["BSD-2-Clause"],
    "bsd-simplified": ["BSD-2-Clause"],
    "freebsd": ["BSD-2-Clause"],
    "bsl": ["BSL-1.0", "BUSL-1.1"],
    "bsl-1.1": ["BUSL-1.1"],
    "bsl1.1": ["BUSL-1.1"],
    "busl": ["BUSL-1.1"],
    "business-source-license": ["BUSL-1.1"],
    "boost": ["BSL-1.0"],
    "cc0": ["CC0-1.0"],
    "public-domain": ["CC0-1.0", "Unlicense"],
    "publicdomain": ["CC0-1.0", "Unlicense"],
    "mpl": ["MPL-2.0"],
    "epl": ["EPL-2.0"],
    "eupl": ["EUPL-1.2"],
    "cddl": ["CDDL-1.0", "CDDL-1.1"],
    "expat": ["MIT"],
    "mit-license": ["MIT"],
    "python": ["PSF-2.0", "Python-2.0"],
    "psf": ["PSF-2.0"],
    "sspl": ["SSPL-1.0"],
    "elastic": ["Elastic-2.0"],
    "elv2": ["Elastic-2.0"],
    "fsl": ["FSL-1.1-ALv2", "FSL-1.1-MIT"],
    "ofl": ["OFL-1.1"],
    "gfdl": ["GFDL-1.3-only", "GFDL-1.3-or-later"],
    "classpath": ["Classpath-exception-2.0"],
    "llvm": ["LLVM-exception"],
}

GNU = re.compile(
    r"(?P<family>a|l)?gpl(?:-?v?(?P<major>\d)(?:\.(?P<minor>\d))?)?"
    r"(?P<later>\+|-or-later|-or-newer|-later)?(?:-only)?"
)
NAME_VERSION = re.compile(r"(?P<name>[a-z]+)-?v?(?P<major>\d+)(?:\.(?P<minor>\d+))?")


def ascii_twin(char: str) -> str | None:
    """The ASCII character ``char`` looks like, if it is a look-alike."""
    if char in LOOKALIKES:
        return LOOKALIKES[char]
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and len(folded) == 1 and folded.isascii():
        return folded
    return None


def describe_character(char: str) -> str:
    """``U+2010 HYPHEN``: a character by its code point and Unicode name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


@lru_cache(maxsize=2)
def _current_ids(exceptions: bool) -> dict[str, str]:
    """Lower-case key -> id, for the ids worth offering (not deprecated)."""
    entries = spdx.all_exceptions() if exceptions else spdx.all_licenses()
    return {e.spdx_id.lower(): e.spdx_id for e in entries if not e.deprecated}


def _current(spdx_id: str) -> list[str]:
    """The current ids for an id of the list: itself, or what replaces it (a
    bare GNU id may have meant "only" or "or later")."""
    entry = spdx.lookup_any(spdx_id)
    if entry is None:
        return []
    if not entry.deprecated:
        return [entry.spdx_id]
    replacement = entry.replacement
    if replacement.endswith("-only") and " " not in replacement:
        later = spdx.lookup(replacement.removesuffix("-only") + "-or-later")
        return [replacement, later.spdx_id] if later else [replacement]
    return [replacement] if replacement and " " not in replacement else []


def _by_rule(key: str) -> list[str]:
    if key in COMMON_SPELLINGS:
        return COMMON_SPELLINGS[key]
    gnu = GNU.fullmatch(key)
    if gnu:
        family = (gnu["family"] or "").upper() + "GPL"
        if gnu["major"]:
            lgpl2 = family == "LGPL" and gnu["major"] == "2"
            minor = gnu["minor"] or ("1" if lgpl2 else "0")
            versions = [f"{gnu['major']}.{minor}"]
        else:
            versions = {"GPL": ["2.0", "3.0"], "LGPL": ["2.1", "3.0"]}.get(
                family, ["3.0"]
            )
        suffixes = ["-or-later"] if gnu["later"] else ["-only", "-or-later"]
        found = [f"{family}-{v}{s}" for v in versions for s in suffixes]
        return [i for i in found if spdx.lookup(i)]
    named = NAME_VERSION.fullmatch(key)
    if named:
        name, major, minor = named["name"], named["major"], named["minor"] or "0"
        for candidate in (
            f"{name}-{major}.{minor}",
            f"{name}-{major}-clause",
            f"{name}{major}.{minor}",
        ):
            if spdx.lookup_any(candidate):
                return _current(candidate)
    return []


def _nearest(key: str, pool: dict[str, str], limit: int) -> list[str]:
    # Long, specific ids (FSL-1.1-Apache-2.0) are far from their true name
    # (FSL-1.1-ALv2) as a whole string, and nearer to an unrelated one
    # (Apache-2.0): the ids of the same license and version ("fsl-1.1-...")
    # come first, nearest first.
    parts = key.split("-")
    family = []
    if len(parts) > 2 and parts[1][:1].isdigit():
        stem = "-".join(parts[:2])
        family = sorted(
            (k for k in pool if k == stem or k.startswith(stem + "-")),
            key=lambda k: -difflib.SequenceMatcher(None, key, k).ratio(),
        )
    close = difflib.get_close_matches(key, pool, n=limit, cutoff=0.6)
    return [pool[k] for k in dict.fromkeys([*family, *close])]


def suggest_ids(token: str, limit: int = 4, *, exception: bool = False) -> list[str]:
    """The SPDX ids a person most likely meant by ``token``, best first: license
    ids, or exception ids when ``exception`` (the token follows WITH)."""
    token = (token or "").strip()
    if not token or len(token) > 100:
        return []
    twin = "".join(ascii_twin(c) or c for c in token)
    if twin != token and spdx.lookup_any(twin):
        return _current(twin)[:limit]
    key = re.sub(r"[\s_]+", "-", twin.lower())
    kind_ok = spdx.lookup_exception if exception else spdx.lookup
    found = [i for i in _by_rule(key) if kind_ok(i)]
    if found:
        return found[:limit]
    return _nearest(key, _current_ids(exception), limit)[:limit]
