"""The catalogue's feeds: new and updated projects (Atom), and when
source-available releases become open source (Atom and iCalendar).

``/projects/feed.atom`` lists the latest published projects, most recently
updated first: a new project is an entry, an update of one moves it to the top.

One function, :func:`conversion_events`, decides which conversions a reader sees
for a query string (the ``ConversionFilter`` fields): the page ``/conversions/``,
its Atom feed and its iCalendar file all show the same events, so a subscription
is the page, kept up to date. Every release comes from
``Release.objects.published()``: a draft release, a release of a draft project
and a project still to be published are in none of them.

Feeds cannot show a form's errors: a filter value they cannot use is a 400 that
names it, never a feed of everything.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import SiteSettings
from portal.text.hygiene import XmlSafeAtom1Feed
from projects.badges import conversion_change
from projects.filters import ConversionFilter
from projects.models import Project, Release

UPCOMING_LIMIT = 100
RECENT_LIMIT = 20
PROJECT_FEED_LIMIT = 50


class ProjectFeed(Feed):
    """``/projects/feed.atom``: published projects, latest update first."""

    feed_type = XmlSafeAtom1Feed

    def get_object(self, request, *args, **kwargs):
        return SiteSettings.load()

    def title(self, site):
        return _("%(name)s: new and updated projects") % {
            "name": site.organisation_name
        }

    def subtitle(self, site):
        return _("Each entry is a project, listed again whenever it is updated.")

    def link(self):
        return reverse("projects:list")

    def feed_url(self):
        return reverse("projects:feed")

    def author_name(self, site):
        return site.organisation_name

    def items(self):
        return (
            Project.objects.published()
            .select_related("category")
            .order_by("-updated_at", "name")[:PROJECT_FEED_LIMIT]
        )

    def item_title(self, project):
        return project.name

    def item_description(self, project):
        return project.summary

    def item_link(self, project):
        return project.get_absolute_url()

    def item_pubdate(self, project):
        return project.created_at

    def item_updateddate(self, project):
        return project.updated_at

    def item_categories(self, project):
        return [
            part
            for part in (project.license_expression, str(project.category or ""))
            if part
        ]


@dataclass
class ConversionEvents:
    """The conversions a query selects: upcoming soonest first, recent newest
    first. Empty when the query is invalid (see ``filterset.errors``)."""

    filterset: ConversionFilter
    upcoming: list[Release] = field(default_factory=list)
    recent: list[Release] = field(default_factory=list)
    more_upcoming: bool = False
    today: datetime.date | None = None
    request: object = None

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path) if self.request else path

    @property
    def valid(self) -> bool:
        return not (self.filterset.is_bound and self.filterset.errors)

    @property
    def all(self) -> list[Release]:
        return [*self.upcoming, *self.recent]

    def query_string(self) -> str:
        """The filter part of the query, for links to the same events elsewhere."""
        query = QueryDict(mutable=True)
        if self.filterset.is_bound:
            for name in self.filterset.filters:
                values = [v for v in self.filterset.data.getlist(name) if v]
                if values:
                    query.setlist(name, values)
        return query.urlencode()


def conversion_events(query, *, today: datetime.date, request=None) -> ConversionEvents:
    """The conversions selected by ``query`` (a QueryDict), around ``today``."""
    filterset = ConversionFilter(
        query or None,
        queryset=Release.objects.published().conversions(),
        request=request,
    )
    if filterset.is_bound and not filterset.is_valid():
        return ConversionEvents(filterset)
    releases = filterset.qs
    upcoming = list(releases.filter(converts_on__gte=today)[: UPCOMING_LIMIT + 1])
    recent = list(
        releases.filter(converts_on__lt=today).order_by(
            "-converts_on", "project__name", "version"
        )[:RECENT_LIMIT]
    )
    return ConversionEvents(
        filterset,
        upcoming=upcoming[:UPCOMING_LIMIT],
        recent=recent,
        more_upcoming=len(upcoming) > UPCOMING_LIMIT,
        today=today,
        request=request,
    )


def conversion_title(release) -> str:
    """ "Snuba 23.11.0 becomes Apache-2.0 on 2026-11-15"."""
    return _("%(project)s %(version)s becomes %(change)s") % {
        "project": release.project.name,
        "version": release.version,
        "change": conversion_change(release),
    }


def conversion_description(release) -> str:
    return _(
        "%(project)s %(version)s, released on %(released_on)s under "
        "%(expression)s, becomes %(change)s."
    ) % {
        "project": release.project.name,
        "version": release.version,
        "released_on": release.released_on.isoformat(),
        "expression": release.license_expression,
        "change": conversion_change(release),
    }


def release_url(release) -> str:
    """The release's row on its project page."""
    return f"{release.project.get_absolute_url()}#release-{release.pk}"


def feed_title(site_name: str) -> str:
    return _("%(name)s: releases becoming open source") % {"name": site_name}


def invalid_filters(events: ConversionEvents) -> HttpResponseBadRequest:
    lines = [
        f"{name}: {message}"
        for name, messages in events.filterset.errors.items()
        for message in messages
    ]
    return HttpResponseBadRequest(
        "\n".join([_("These filters could not be applied:"), *lines, ""]),
        content_type="text/plain; charset=utf-8",
    )


class ConversionFeed(Feed):
    """The conversions as an Atom feed: one entry per release conversion.

    Made per request (see :func:`conversions_atom`): it holds that request's
    events, which a feed instance shared by every request could not.
    """

    feed_type = XmlSafeAtom1Feed

    def __init__(self, events: ConversionEvents, *, site_name: str):
        self.events = events
        self.site_name = site_name
        query = events.query_string()
        self.suffix = f"?{query}" if query else ""

    def title(self):
        return feed_title(self.site_name)

    def subtitle(self):
        return _(
            "Each entry is a release of source-available code and the day it "
            "becomes open source."
        )

    def link(self):
        return reverse("conversions:list") + self.suffix

    def feed_url(self):
        return reverse("conversions:feed") + self.suffix

    def author_name(self):
        return self.site_name

    def items(self):
        """An entry per conversion, and for a conversion at most
        ``CONVERSION_NOTICE_DAYS`` away an advance notice entry, dated that many
        days before it (as endoflife.date announces end-of-life dates)."""
        notice = datetime.timedelta(days=settings.CONVERSION_NOTICE_DAYS)
        today = self.events.today
        notices = [
            Notice(release)
            for release in self.events.upcoming
            if today is not None and release.converts_on - notice <= today
        ]
        return [*notices, *self.events.all]

    def item_title(self, item):
        if isinstance(item, Notice):
            return _("In %(days)d days: %(title)s") % {
                "days": settings.CONVERSION_NOTICE_DAYS,
                "title": conversion_title(item.release),
            }
        return conversion_title(item)

    def item_description(self, item):
        return conversion_description(getattr(item, "release", item))

    def item_link(self, item):
        return release_url(getattr(item, "release", item))

    def item_guid(self, item):
        if isinstance(item, Notice):
            return self.events.absolute(release_url(item.release)) + "-notice"
        return self.events.absolute(release_url(item))

    def item_updateddate(self, item):
        if isinstance(item, Notice):
            day = item.release.converts_on - datetime.timedelta(
                days=settings.CONVERSION_NOTICE_DAYS
            )
            return datetime.datetime.combine(day, datetime.time(), datetime.UTC)
        return item.updated_at


@dataclass(frozen=True)
class Notice:
    """The advance notice of a release's coming conversion (an Atom entry)."""

    release: Release


def conversions_atom(request):
    """``/conversions/feed.atom``: the events of ``/conversions/``, same filters."""
    events = conversion_events(request.GET, today=timezone.localdate(), request=request)
    if not events.valid:
        return invalid_filters(events)
    site_name = SiteSettings.load().organisation_name
    return ConversionFeed(events, site_name=site_name)(request)


def alarm_days(request) -> list[int] | None:
    """The alarms a calendar asks for: ``?alarms=30,7,1`` (days before each
    conversion; ``?alarms=none`` for none), else ``CONVERSION_ALARM_DAYS``.
    None when the value is not such a list."""
    value = request.GET.get("alarms")
    if value is None or value == "":
        return list(settings.CONVERSION_ALARM_DAYS)
    if value.strip().lower() == "none":
        return []
    parts = [part.strip() for part in value.split(",")]
    if not all(part.isdigit() and int(part) <= 366 for part in parts):
        return None
    return sorted({int(part) for part in parts}, reverse=True)


def conversions_ics(request):
    """``/conversions/calendar.ics``: one all-day event per conversion, with an
    alarm ``N`` days before it for each of :func:`alarm_days`."""
    events = conversion_events(request.GET, today=timezone.localdate(), request=request)
    if not events.valid:
        return invalid_filters(events)
    alarms = alarm_days(request)
    if alarms is None:
        return HttpResponseBadRequest(
            _(
                "alarms: give days before each conversion separated by commas "
                "(e.g. 30,1; at most 366), or none."
            )
            + "\n",
            content_type="text/plain; charset=utf-8",
        )
    # Imported here: only this download needs it, and a worker that never
    # serves one keeps the memory (about 3 MB).
    import icalendar

    site_name = SiteSettings.load().organisation_name
    host = request.get_host()
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{site_name}//Open-source portal conversions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", feed_title(site_name))
    for release in events.all:
        event = icalendar.Event()
        # Stable: the same release is the same event in every download, so a
        # subscribed calendar updates it instead of adding a copy.
        event.add("uid", f"conversion-{release.pk}@{host}")
        event.add("dtstamp", release.updated_at)
        event.add("dtstart", release.converts_on)
        event.add("dtend", release.converts_on + datetime.timedelta(days=1))
        event.add("summary", conversion_title(release))
        event.add("description", conversion_description(release))
        event.add("url", request.build_absolute_uri(release_url(release)))
        event.add("transp", "TRANSPARENT")
        for days in alarms:
            alarm = icalendar.Alarm()
            alarm.add("uid", f"conversion-{release.pk}-alarm-{days}@{host}")
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", datetime.timedelta(days=-days))
            alarm.add(
                "description",
                _("In %(days)d days: %(title)s")
                % {"days": days, "title": conversion_title(release)},
            )
            event.add_component(alarm)
        calendar.add_component(event)
    response = HttpResponse(
        calendar.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="conversions.ics"'
    return response
