"""The conversions as feeds: Atom (read with ElementTree) and iCalendar (read with
the icalendar package), with the page's filters and the publishing rule."""

import datetime
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.utils import timezone

from portal.publishing.models import State
from tests.helpers import freeze_today, make_busl_catalogue

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"
TOMORROW = datetime.timedelta(days=1)


@pytest.fixture
def busl(make_license, make_project, make_release, monkeypatch):
    freeze_today(monkeypatch, D(2026, 12, 1))
    return make_busl_catalogue(make_license, make_project, make_release)


def atom(client, url="/conversions/feed.atom") -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def entries(feed: ET.Element) -> list[dict]:
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").attrib["href"],
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def calendar(client, url="/conversions/calendar.ics") -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(cal: icalendar.Calendar) -> list:
    return list(cal.walk("VEVENT"))


# ---------------------------------------------------------------- Atom


def test_atom_feed_has_one_entry_per_conversion(client, busl):
    feed = atom(client)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title").endswith("releases becoming open source")
    assert feed.findtext(f"{ATOM}updated")
    shown = entries(feed)
    assert [entry["title"] for entry in shown] == [
        "Relay 25.1.0 becomes MIT on 2027-01-15",
        "Snuba 24.3.0 becomes Apache-2.0 on 2027-03-15",
        "Snuba 23.11.0 becomes Apache-2.0 on 2026-11-15",
    ]
    snuba = shown[2]
    assert snuba["link"].startswith("http://testserver/projects/snuba/")
    assert snuba["summary"] == (
        "Snuba 23.11.0, released on 2023-11-15 under BUSL-1.1, becomes "
        "Apache-2.0 on 2026-11-15."
    )
    ids = [entry["id"] for entry in shown]
    assert len(set(ids)) == len(ids)
    assert all(entry["updated"] for entry in shown)


def test_atom_entry_is_updated_when_its_release_is(client, busl):
    release = busl["snuba"].releases.get(version="23.11.0")
    expected = datetime.datetime.fromisoformat(
        next(e for e in entries(atom(client)) if "23.11.0" in e["title"])["updated"]
    )
    assert expected == release.updated_at


def test_atom_entry_ids_are_stable(client, busl):
    assert [e["id"] for e in entries(atom(client))] == [
        e["id"] for e in entries(atom(client))
    ]


def test_atom_feed_applies_the_page_filters(client, busl):
    feed = atom(client, "/conversions/feed.atom?project=relay")
    assert [e["title"] for e in entries(feed)] == [
        "Relay 25.1.0 becomes MIT on 2027-01-15"
    ]
    self_link = next(
        link.attrib["href"]
        for link in feed.findall(f"{ATOM}link")
        if link.attrib.get("rel") == "self"
    )
    assert self_link == "http://testserver/conversions/feed.atom?project=relay"
    feed = atom(client, "/conversions/feed.atom?license=Apache-2.0&after=2027-01-01")
    assert [e["title"] for e in entries(feed)] == [
        "Snuba 24.3.0 becomes Apache-2.0 on 2027-03-15"
    ]


@pytest.mark.parametrize("url", ["/conversions/feed.atom", "/conversions/calendar.ics"])
@pytest.mark.parametrize("query", ["after=soon", "project=nope", "license=<b>"])
def test_feeds_refuse_invalid_filters_with_a_message(client, busl, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert query.split("=")[0] in response.content.decode()


def test_empty_feeds_are_still_valid(client, db):
    assert entries(atom(client)) == []
    cal = calendar(client)
    assert events(cal) == []
    assert cal["VERSION"] == "2.0"


# ---------------------------------------------------------------- iCalendar


def test_calendar_has_one_all_day_event_per_conversion(client, busl):
    cal = calendar(client)
    assert "PRODID" in cal
    assert cal["VERSION"] == "2.0"
    shown = {str(event["SUMMARY"]): event for event in events(cal)}
    assert set(shown) == {
        "Relay 25.1.0 becomes MIT on 2027-01-15",
        "Snuba 24.3.0 becomes Apache-2.0 on 2027-03-15",
        "Snuba 23.11.0 becomes Apache-2.0 on 2026-11-15",
    }
    event = shown["Snuba 23.11.0 becomes Apache-2.0 on 2026-11-15"]
    start = event.decoded("DTSTART")
    assert type(start) is datetime.date
    assert start == D(2026, 11, 15)
    assert event.decoded("DTEND") == D(2026, 11, 16)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert isinstance(event.decoded("DTSTAMP"), datetime.datetime)
    assert str(event["URL"]).startswith("http://testserver/projects/snuba/")
    uids = [str(e["UID"]) for e in events(cal)]
    assert len(set(uids)) == len(uids)


def test_calendar_uids_are_stable_between_downloads(client, busl, make_release):
    before = {str(e["SUMMARY"]): str(e["UID"]) for e in events(calendar(client))}
    make_release(busl["relay"], "25.2.0", released_on=D(2025, 2, 15))
    after = {str(e["SUMMARY"]): str(e["UID"]) for e in events(calendar(client))}
    assert len(after) == len(before) + 1
    assert all(after[summary] == uid for summary, uid in before.items())


def test_calendar_applies_the_page_filters(client, busl):
    cal = calendar(client, "/conversions/calendar.ics?license=FSL-1.1-MIT")
    assert [str(e["SUMMARY"]) for e in events(cal)] == [
        "Relay 25.1.0 becomes MIT on 2027-01-15"
    ]


# ---------------------------------------------------------------- publishing


@pytest.fixture(params=["draft release", "draft project", "scheduled project"])
def hidden(request, busl, make_project, make_release):
    fields = {
        "draft release": ({}, {"state": State.DRAFT}),
        "draft project": ({"state": State.DRAFT}, {}),
        "scheduled project": ({"publish_at": timezone.now() + TOMORROW}, {}),
    }[request.param]
    project = make_project("Hidden", license_expression="BUSL-1.1", **fields[0])
    make_release(project, "1.0.0", **fields[1])


def test_hidden_conversions_are_in_no_feed(client, hidden):
    assert not any("Hidden" in e["title"] for e in entries(atom(client)))
    assert b"Hidden" not in client.get("/conversions/feed.atom").content
    summaries = [str(e["SUMMARY"]) for e in events(calendar(client))]
    assert len(summaries) == 3
    assert not any("Hidden" in summary for summary in summaries)


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("url", ["/conversions/feed.atom", "/conversions/calendar.ics"])
def test_feed_queries_do_not_grow(
    client, django_assert_num_queries, busl, make_project, make_release, url
):
    counter = iter(range(10_000))

    def grow():
        for _ in range(10):
            project = make_project(f"More {next(counter)}", license_expression="MIT")
            make_release(project, "1.0.0", license_expression="BUSL-1.1")

    # Site settings, the upcoming and the
    # recent conversions.
    for _ in range(2):
        with django_assert_num_queries(3):
            assert client.get(url).status_code == 200
        grow()


# ---------------------------------------------------------------- advance notice


def test_calendar_events_carry_alarms_30_and_1_days_before(client, busl):
    event = next(e for e in events(calendar(client)) if "23.11.0" in str(e["SUMMARY"]))
    alarms = event.walk("VALARM")
    assert [alarm.decoded("TRIGGER") for alarm in alarms] == [
        datetime.timedelta(days=-30),
        datetime.timedelta(days=-1),
    ]
    assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in alarms)
    assert str(alarms[0]["DESCRIPTION"]).startswith("In 30 days: Snuba 23.11.0")


@pytest.mark.parametrize(
    ("query", "triggers"),
    [("?alarms=7", [-7]), ("?alarms=none", []), ("?alarms=1,14", [-14, -1])],
)
def test_a_subscriber_chooses_the_alarms(client, busl, query, triggers):
    cal = calendar(client, f"/conversions/calendar.ics{query}")
    for event in events(cal):
        assert [a.decoded("TRIGGER").days for a in event.walk("VALARM")] == triggers


def test_bad_alarms_are_a_400_that_says_how(client, busl):
    response = client.get("/conversions/calendar.ics?alarms=soon")
    assert response.status_code == 400
    assert "alarms" in response.content.decode()


def test_atom_feed_announces_a_conversion_30_days_ahead(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2026, 12, 20))
    shown = entries(atom(client))
    notice = shown[0]
    assert notice["title"] == "In 30 days: Relay 25.1.0 becomes MIT on 2027-01-15"
    assert notice["updated"].startswith("2026-12-16")
    assert notice["id"] != shown[1]["id"]
    # Not yet for a conversion further away.
    assert not any("24.3.0" in e["title"] and "In 30" in e["title"] for e in shown)
