"""When source-available code becomes open source, as a reader sees it: the
project page (license history, BUSL parameters, releases) and ``/conversions/``.

"Today" is frozen by replacing ``django.utils.timezone.localdate``, which the
views call at request time; ``timezone.now`` (and so ``published()``) is left
alone.
"""

import datetime

import pytest
from django.utils import timezone

from portal.publishing.models import State
from projects.models import LicenseChange, Project, Release
from tests.helpers import (
    freeze_today,
    get_ok,
    main_of,
    make_busl_catalogue,
    make_busl_with_draft_change_license,
    parse,
)

D = datetime.date
TOMORROW = datetime.timedelta(days=1)


@pytest.fixture
def busl(make_license, make_project, make_release):
    return make_busl_catalogue(make_license, make_project, make_release)


def table_rows(table) -> list[list[str]]:
    return [
        [cell.text for cell in row.elements()]
        for row in table.find("tbody").find_all("tr")
    ]


# ---------------------------------------------------------------- project page


def test_project_page_says_when_each_release_becomes_open_source(
    client, busl, monkeypatch
):
    freeze_today(monkeypatch, D(2025, 6, 1))
    table = get_ok(client, "/projects/snuba/").find("table")
    headers = [th.text for th in table.find("thead").find_all("th")]
    assert headers[3:] == ["Becomes open source", "Open source today"]
    assert table_rows(table) == [
        ["24.3.0", "2024-03-15", "BUSL-1.1", "Apache-2.0 on 2027-03-15", "No"],
        ["23.11.0", "2023-11-15", "BUSL-1.1", "Apache-2.0 on 2026-11-15", "No"],
        ["9.1.2", "2019-07-02", "MIT", "No conversion", "Yes"],
    ]
    cell = table.find("tbody").find_all("tr")[1].elements()[3]
    assert cell.find("code").text == "Apache-2.0"
    assert cell.find("time").attrs["datetime"] == "2026-11-15"


def test_release_is_open_source_from_its_conversion_day(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2026, 11, 14))
    rows = table_rows(get_ok(client, "/projects/snuba/").find("table"))
    assert rows[1][4] == "No"
    freeze_today(monkeypatch, D(2026, 11, 15))
    rows = table_rows(get_ok(client, "/projects/snuba/").find("table"))
    assert rows[1][4] == "Yes"


def test_project_page_sums_up_what_is_open_source_and_what_converts_next(
    client, busl, monkeypatch
):
    freeze_today(monkeypatch, D(2025, 6, 1))
    summary = get_ok(client, "/projects/snuba/").find("p", "release-summary")
    assert summary.text == (
        "1 of 3 releases are open source today; the next converts on 2026-11-15."
    )
    freeze_today(monkeypatch, D(2027, 1, 1))
    summary = get_ok(client, "/projects/snuba/").find("p", "release-summary")
    assert summary.text == (
        "2 of 3 releases are open source today; the next converts on 2027-03-15."
    )
    freeze_today(monkeypatch, D(2030, 1, 1))
    summary = get_ok(client, "/projects/snuba/").find("p", "release-summary")
    assert summary.text == "3 of 3 releases are open source today."


def test_old_release_is_judged_by_its_own_license_not_the_projects_current_one(
    client, busl, monkeypatch
):
    # Snuba is BUSL-1.1 now; its 9.1.2 was released under MIT and stays open.
    freeze_today(monkeypatch, D(2020, 1, 1))
    rows = table_rows(get_ok(client, "/projects/snuba/").find("table"))
    assert rows[2][:1] + rows[2][4:] == ["9.1.2", "Yes"]


def test_one_open_source_alternative_makes_a_release_open_source(
    client, busl, make_release, monkeypatch
):
    freeze_today(monkeypatch, D(2020, 1, 1))
    make_release(
        busl["relay"],
        "1.0.0",
        released_on=D(2019, 1, 1),
        license_expression="MIT OR LicenseRef-Proprietary",
    )
    make_release(
        busl["relay"],
        "0.9.0",
        released_on=D(2018, 1, 1),
        license_expression="MIT AND LicenseRef-Proprietary",
    )
    rows = table_rows(get_ok(client, "/projects/relay/").find("table"))
    today = {row[0]: row[4] for row in rows}
    assert today == {"25.1.0": "No", "1.0.0": "Yes", "0.9.0": "No"}


def test_project_page_shows_the_license_history_as_a_timeline(client, busl):
    snuba = busl["snuba"]
    # The project's terms made its first entry: from the beginning, BUSL-1.1.
    snuba.license_changes.update(
        license_expression="BSD-3-Clause", change_license="", change_after_months=None
    )
    for effective_on, expression, note in [
        (D(2024, 2, 27), "FSL-1.1-MIT", ""),
        (D(2019, 11, 6), "BUSL-1.1", "Relicensing Sentry"),
    ]:
        change = LicenseChange(
            project=snuba,
            effective_on=effective_on,
            license_expression=expression,
            note=note,
            change_license="Apache-2.0" if expression == "BUSL-1.1" else "",
        )
        change.full_clean()
        change.save()
    main = get_ok(client, "/projects/snuba/").find("main")
    timeline = main.find("ol", "timeline")
    assert [li.text for li in timeline.find_all("li")] == [
        "from the beginning: BSD-3-Clause",
        "from 2019-11-06: BUSL-1.1 — Relicensing Sentry",
        "from 2024-02-27: FSL-1.1-MIT",
    ]
    times = [t.attrs["datetime"] for t in timeline.find_all("time")]
    assert times == ["2019-11-06", "2024-02-27"]


def test_project_without_history_or_parameters_shows_neither(
    client, make_license, make_project
):
    make_license("MIT")
    make_project("Plain")
    main = get_ok(client, "/projects/plain/").find("main")
    assert main.find_all("ol", "timeline") == []
    assert "License parameters" not in main.text


def test_project_page_shows_the_busl_parameters(client, busl):
    main = get_ok(client, "/projects/snuba/").find("main")
    section = main.find("section", **{"aria-labelledby": "parameters-heading"})
    facts = dict(
        zip(
            [dt.text for dt in section.find_all("dt")],
            [dd.text for dd in section.find_all("dd")],
            strict=True,
        )
    )
    assert facts == {
        "Licensor": "Functional Software, Inc.",
        "Licensed work": "Sentry",
        "Additional use grant": "Any use except an Application Monitoring Service.",
        "Change license": "Apache-2.0",
        "Change date": "36 months after each release",
    }


def test_release_converting_to_a_draft_license_names_it_without_a_link(
    client, make_license, make_project, make_release, monkeypatch
):
    freeze_today(monkeypatch, D(2025, 1, 1))
    make_busl_with_draft_change_license(make_license)
    project = make_project("Snuba", license_expression="BUSL-1.1")
    make_release(project, "23.11.0", released_on=D(2023, 11, 15))
    table = get_ok(client, "/projects/snuba/").find("table")
    cell = table.find("tbody").find("tr").elements()[3]
    assert cell.text == "Apache-2.0 on 2026-11-15"
    assert cell.hrefs() == []


def test_project_page_queries_do_not_grow_with_converting_releases(
    client, django_assert_num_queries, busl, make_release
):
    snuba = busl["snuba"]
    counter = iter(range(10_000))
    LicenseChange.objects.create(
        project=snuba, effective_on=D(2019, 11, 6), license_expression="BUSL-1.1"
    )

    def grow():
        for _ in range(15):
            number = next(counter)
            expression = "BUSL-1.1" if number % 2 else "MIT OR Apache-2.0"
            make_release(snuba, f"30.{number}.0", license_expression=expression)
            LicenseChange.objects.create(
                project=snuba,
                effective_on=D(2000, 1, 1) + datetime.timedelta(days=number),
                license_expression="MIT",
            )

    # Site settings, the project with its category, its licenses and its
    # languages (one query), its releases with their change licenses, its
    # license history.
    for _ in range(2):
        with django_assert_num_queries(5):
            assert client.get("/projects/snuba/").status_code == 200
        grow()


# ---------------------------------------------------------------- /conversions/


def conversion_rows(response, table_id) -> list[list[str]]:
    tables = main_of(response).find_all("table", id=table_id)
    return table_rows(tables[0]) if tables else []


def test_conversions_page_lists_upcoming_and_recent_conversions(
    client, busl, monkeypatch
):
    freeze_today(monkeypatch, D(2026, 12, 1))
    response = client.get("/conversions/")
    assert response.status_code == 200
    assert conversion_rows(response, "upcoming") == [
        ["Relay", "25.1.0", "2025-01-15", "FSL-1.1-MIT", "MIT on 2027-01-15"],
        ["Snuba", "24.3.0", "2024-03-15", "BUSL-1.1", "Apache-2.0 on 2027-03-15"],
    ]
    assert conversion_rows(response, "recent") == [
        ["Snuba", "23.11.0", "2023-11-15", "BUSL-1.1", "Apache-2.0 on 2026-11-15"],
    ]
    row = main_of(response).find("table", id="recent").find("tbody").find("tr")
    release = Release.objects.get(project__slug="snuba", version="23.11.0")
    assert row.hrefs()[:2] == [
        "/projects/snuba/",
        f"/projects/snuba/#release-{release.pk}",
    ]


def test_conversion_on_the_day_itself_is_upcoming(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2026, 11, 15))
    response = client.get("/conversions/")
    assert [row[1] for row in conversion_rows(response, "upcoming")] == [
        "23.11.0",
        "25.1.0",
        "24.3.0",
    ]
    assert conversion_rows(response, "recent") == []
    assert "No conversion yet." in main_of(response).text


def test_recent_conversions_are_the_last_twenty_newest_first(
    client, busl, make_release, monkeypatch
):
    freeze_today(monkeypatch, D(2030, 1, 1))
    for number in range(25):
        make_release(
            busl["snuba"],
            f"10.{number}.0",
            released_on=D(2020, 1, 1) + datetime.timedelta(days=number),
        )
    rows = conversion_rows(client.get("/conversions/"), "recent")
    assert len(rows) == 20
    days = [row[4].rsplit(" ", 1)[1] for row in rows]
    assert days == sorted(days, reverse=True)
    assert rows[0][1] == "24.3.0"


@pytest.mark.parametrize(
    ("query", "upcoming"),
    [
        ("project=relay", ["25.1.0"]),
        ("project=snuba", ["24.3.0"]),
        ("license=FSL-1.1-MIT", ["25.1.0"]),
        ("license=MIT", ["25.1.0"]),
        ("license=BUSL-1.1", ["24.3.0"]),
        ("license=Apache-2.0", ["24.3.0"]),
        ("after=2027-02-01", ["24.3.0"]),
        ("before=2027-02-01", ["25.1.0"]),
        ("after=2027-02-01&project=relay", []),
    ],
)
def test_conversions_page_filters(client, busl, monkeypatch, query, upcoming):
    freeze_today(monkeypatch, D(2026, 12, 1))
    response = client.get(f"/conversions/?{query}")
    assert [row[1] for row in conversion_rows(response, "upcoming")] == upcoming


def test_conversions_form_is_labelled_and_keeps_the_chosen_filters(client, busl):
    form = get_ok(client, "/conversions/?project=snuba&after=2020-01-01").find(
        "form", "filters"
    )
    assert form.attrs["method"] == "get"
    labels = {label.attrs["for"] for label in form.find_all("label")}
    for name, tag in [
        ("after", "input"),
        ("before", "input"),
        ("project", "input"),
        ("license", "select"),
    ]:
        control = form.find(tag, name=name)
        assert control.attrs["id"] in labels, name
    assert form.find("input", name="after").attrs["value"] == "2020-01-01"
    assert form.find("input", name="after").attrs["type"] == "date"
    project = form.find("input", name="project")
    assert project.attrs["value"] == "snuba"
    # A text field with suggestions, not a <select> of every project.
    suggestions = form.find("datalist", id=project.attrs["list"])
    assert [o.attrs["value"] for o in suggestions.find_all("option")] == [
        "relay",
        "snuba",
    ]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("after=yesterday", "Converting on or after"),
        ("before=2026-13-45", "Converting on or before"),
        ("project=nope", "Project"),
        ("license=NOPE", "License"),
    ],
)
def test_invalid_conversion_filter_shows_the_error_not_a_500(
    client, busl, query, label
):
    response = client.get(f"/conversions/?{query}")
    assert response.status_code == 200
    main = main_of(response)
    notice = main.find("div", "notice--error")
    assert label in notice.text
    assert main.find("div", "field--error").find("ul", "errorlist")
    assert main.find_all("table") == []


@pytest.fixture(params=["draft release", "draft project", "scheduled project"])
def hidden_conversion(request, busl, make_project, make_release):
    """A conversion the public must not see, named "Hidden 1.0.0"."""
    if request.param == "draft release":
        project = make_project("Hidden", license_expression="BUSL-1.1")
        make_release(project, "1.0.0", state=State.DRAFT)
    elif request.param == "draft project":
        project = make_project(
            "Hidden", license_expression="BUSL-1.1", state=State.DRAFT
        )
        make_release(project, "1.0.0")
    else:
        project = make_project(
            "Hidden",
            license_expression="BUSL-1.1",
            publish_at=timezone.now() + TOMORROW,
        )
        make_release(project, "1.0.0")
    return project


def test_hidden_conversion_is_not_on_the_conversions_page(
    client, hidden_conversion, monkeypatch
):
    for today in [D(2020, 1, 1), D(2030, 1, 1)]:
        freeze_today(monkeypatch, today)
        main = get_ok(client, "/conversions/").find("main")
        for section in main.find_all("section"):
            assert "Hidden" not in section.text
            assert "/projects/hidden/" not in section.hrefs()


def test_conversions_page_links_its_feeds_with_the_same_filters(client, busl):
    page = get_ok(client, "/conversions/?project=snuba&page=2")
    alternate = page.find("link", rel="alternate")
    assert alternate.attrs["type"] == "application/atom+xml"
    assert alternate.attrs["href"] == "/conversions/feed.atom?project=snuba"
    links = {a.text: a.attrs["href"] for a in page.find("main").find_all("a")}
    assert links["Atom feed"] == "/conversions/feed.atom?project=snuba"
    assert links["Calendar (iCalendar)"] == "/conversions/calendar.ics?project=snuba"
    unfiltered = get_ok(client, "/conversions/").find("link", rel="alternate")
    assert unfiltered.attrs["href"] == "/conversions/feed.atom"


def test_navigation_leads_to_conversions_and_marks_it(client, db):
    response = client.get("/conversions/")
    nav = parse(response).find("nav", "site-nav")
    current = [a for a in nav.find_all("a") if "aria-current" in a.attrs]
    assert [(a.text, a.attrs["href"]) for a in current] == [
        ("Conversions", "/conversions/")
    ]
    assert "No upcoming conversion." in main_of(response).text


def test_license_page_links_to_its_conversions(client, busl):
    main = get_ok(client, "/licenses/BUSL-1.1/").find("main")
    assert "/conversions/?license=BUSL-1.1" in main.hrefs()


def test_conversions_page_queries_do_not_grow(
    client, django_assert_num_queries, busl, make_project, make_release, monkeypatch
):
    freeze_today(monkeypatch, D(2026, 12, 1))
    counter = iter(range(10_000))

    def grow():
        for _ in range(10):
            number = next(counter)
            project = make_project(f"More {number}", license_expression="BUSL-1.1")
            make_release(project, "1.0.0", released_on=D(2021, 1, 1))
            make_release(project, "2.0.0", released_on=D(2024, 1, 1))

    # Site settings, the project and
    # license choices of the form, the upcoming and the recent conversions (each
    # with its project and change license).
    # The site settings are then kept until the content changes (grow()).
    for _ in range(2):
        with django_assert_num_queries(5):
            assert client.get("/conversions/").status_code == 200
        # Filtered: plus the look-ups that validate the project and the license.
        with django_assert_num_queries(6):
            response = client.get("/conversions/?project=snuba&license=BUSL-1.1")
            assert response.status_code == 200
        grow()
    assert Project.objects.count() == 22


# ---------------------------------------------------------------- the timeline


def test_project_page_draws_its_timeline_accessibly(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2025, 6, 1))
    main = get_ok(client, "/projects/snuba/").find("main")
    svg = main.find("svg")

    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-labelledby"] == "timeline-title timeline-desc"
    assert svg.attrs["aria-describedby"] == "releases-caption"
    assert svg.find("title", id="timeline-title").text == (
        "Timeline of Snuba's licenses and releases"
    )
    description = svg.find("desc", id="timeline-desc").text
    assert "3 releases" in description and "2025-06-01" in description
    # A bar per release, and a second one for each that converts.
    bars = svg.find_all("rect", "release-bar")
    assert len(bars) == 3 + 2
    assert [t.text for t in svg.find_all("title") if ": " in t.text][:2] == [
        "9.1.2: MIT",
        "23.11.0: BUSL-1.1",
    ]
    assert len(svg.find_all("line", "today")) == 1


def test_project_without_history_or_releases_has_no_timeline(
    client, make_license, make_project
):
    make_license("MIT")
    make_project("Plain")
    main = get_ok(client, "/projects/plain/").find("main")
    assert main.find_all("svg") == []


def test_conversions_page_draws_the_next_36_months(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2026, 12, 1))
    main = get_ok(client, "/conversions/").find("main")
    svg = main.find("svg")

    assert svg.attrs["aria-describedby"] == "upcoming-caption"
    assert svg.find("title", id="timeline-title").text == (
        "Conversions in the next 36 months"
    )
    labels = [t.text for t in svg.find_all("text") if not t.text.isdigit()]
    # The two upcoming conversions, soonest first; the past one is not drawn.
    assert labels == ["Relay 25.1.0", "Snuba 24.3.0"]
    assert "2 releases become open source" in svg.find("desc").text
