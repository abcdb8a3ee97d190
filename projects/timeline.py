"""The project page's timeline picture: the license history as bands, each
release as a bar from its release to its conversion, today marked.

Server-rendered SVG (no JavaScript), computed here as plain numbers and drawn by
``templates/projects/_timeline.html``. The picture is for seeing; its ``title``
and ``desc`` say what it shows, and the release table and license history list
beside it are the accessible alternative (``aria-describedby``). Reads only what
the page prefetched: no query.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from licenses.expressions import expression_is_open_source

WIDTH = 720
LEFT = 90  # room for the version labels
RIGHT = 10
BAND_HEIGHT = 22
ROW_HEIGHT = 20
AXIS_HEIGHT = 22


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    open_source: bool
    label: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    bands: list[Segment]
    rows: list[Row]
    ticks: list[Tick]
    today_x: float | None
    title: str
    description: str
    #: The id of the table that gives the same facts, or "".
    described_by: str = ""


def project_timeline(
    project, releases, *, today: datetime.date, osi_approved
) -> Timeline | None:
    """The timeline of ``project`` (its ``license_changes`` prefetched) and its
    public ``releases``; None when there is nothing to draw."""
    changes = list(project.license_changes.all())
    releases = sorted(releases, key=lambda r: (r.released_on, r.pk or 0))
    if not changes and not releases:
        return None
    dates = [today]
    dates += [c.effective_on for c in changes if c.effective_on]
    dates += [r.released_on for r in releases]
    dates += [r.converts_on for r in releases if r.converts_on]
    start = min(dates) - relativedelta(months=3)
    end = max(dates) + relativedelta(months=3)
    x = _scale(start, end)

    bands = []
    for index, change in enumerate(changes):
        begins = change.effective_on or start
        following = (
            changes[index + 1].effective_on if index + 1 < len(changes) else None
        )
        ends = following or end
        bands.append(
            Segment(
                x(begins),
                max(x(ends) - x(begins), 1),
                expression_is_open_source(change.license_expression, osi_approved),
                change.license_expression,
            )
        )
    rows = []
    for number, release in enumerate(releases):
        y = BAND_HEIGHT + 6 + number * ROW_HEIGHT
        own_open = expression_is_open_source(release.license_expression, osi_approved)
        segments = [
            Segment(
                x(release.released_on),
                max(x(release.converts_on or end) - x(release.released_on), 1),
                own_open,
                release.license_expression,
            )
        ]
        if release.converts_on and not own_open:
            segments.append(
                Segment(
                    x(release.converts_on),
                    max(x(end) - x(release.converts_on), 1),
                    True,
                    release.converts_to,
                )
            )
        rows.append(Row(y, release.version, segments))
    height = BAND_HEIGHT + 6 + len(releases) * ROW_HEIGHT + AXIS_HEIGHT
    ticks = _year_ticks(start, end, x)
    converting = sum(1 for r in releases if r.converts_on)
    description = _(
        "License history of %(name)s from %(start)s to %(end)s as bands; "
        "%(releases)d releases as bars from their release to their conversion "
        "(%(converting)d convert); today, %(today)s, marked by a line. The "
        "license history list and the releases table give the same facts."
    ) % {
        "name": project.name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "releases": len(releases),
        "converting": converting,
        "today": today.isoformat(),
    }
    return Timeline(
        width=WIDTH,
        height=height,
        bands=bands,
        rows=rows,
        ticks=ticks,
        today_x=x(today),
        title=_("Timeline of %(name)s's licenses and releases")
        % {"name": project.name},
        description=description,
        described_by="releases-caption" if releases else "",
    )


def conversions_timeline(
    releases, *, today: datetime.date, months: int = 36
) -> Timeline | None:
    """The conversions of ``releases`` (upcoming, soonest first) within the next
    ``months``, each a bar from its release (or today) to its conversion; None
    when there is none."""
    end = today + relativedelta(months=months)
    shown = [r for r in releases if today <= r.converts_on <= end]
    if not shown:
        return None
    x = _scale(today, end)
    rows = []
    for number, release in enumerate(shown):
        begins = max(release.released_on, today)
        rows.append(
            Row(
                6 + number * ROW_HEIGHT,
                f"{release.project.name} {release.version}",
                [
                    Segment(
                        x(begins),
                        max(x(release.converts_on) - x(begins), 1),
                        False,
                        release.license_expression,
                    ),
                    Segment(
                        x(release.converts_on),
                        max(x(end) - x(release.converts_on), 1),
                        True,
                        release.converts_to,
                    ),
                ],
            )
        )
    return Timeline(
        width=WIDTH,
        height=6 + len(shown) * ROW_HEIGHT + AXIS_HEIGHT,
        bands=[],
        rows=rows,
        ticks=_year_ticks(today, end, x),
        today_x=x(today),
        title=_("Conversions in the next %(months)d months") % {"months": months},
        description=_(
            "%(count)d releases become open source between %(start)s and %(end)s, "
            "each a bar ending on its conversion day. The upcoming conversions "
            "table gives the same facts."
        )
        % {"count": len(shown), "start": today.isoformat(), "end": end.isoformat()},
        described_by="upcoming-caption",
    )


def _scale(start: datetime.date, end: datetime.date):
    """``x(day)``: the horizontal position of ``day`` between ``start`` and
    ``end``."""
    span = (end - start).days or 1

    def x(day: datetime.date) -> float:
        return round(LEFT + (day - start).days / span * (WIDTH - LEFT - RIGHT), 1)

    return x


def _year_ticks(start: datetime.date, end: datetime.date, x) -> list[Tick]:
    return [
        Tick(x(datetime.date(year, 1, 1)), str(year))
        for year in range(start.year + 1, end.year + 1)
    ]
