"""The project badge: an SVG image of the license and the next conversion, that
parses as XML whatever the project is called, and its embed snippets."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from portal.publishing.models import State
from projects.models import Project
from tests.helpers import freeze_today, get_ok, make_busl_catalogue

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"
TOMORROW = datetime.timedelta(days=1)


@pytest.fixture
def busl(make_license, make_project, make_release):
    return make_busl_catalogue(make_license, make_project, make_release)


def badge(client, slug) -> ET.Element:
    response = client.get(f"/projects/{slug}/badge.svg")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "image/svg+xml"
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def texts(svg: ET.Element) -> list[str]:
    """The texts a viewer sees (the shadow copies are aria-hidden)."""
    return [
        text.text
        for text in svg.iter(f"{SVG}text")
        if text.attrib.get("aria-hidden") != "true"
    ]


def test_badge_shows_the_license_and_the_next_conversion(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2025, 6, 1))
    svg = badge(client, "snuba")
    assert svg.tag == f"{SVG}svg"
    assert svg.attrib["role"] == "img"
    assert texts(svg) == ["license", "BUSL-1.1 · Apache-2.0 on 2026-11-15"]
    title = svg.find(f"{SVG}title").text
    assert title == (
        "License of Snuba: BUSL-1.1. Next to become open source: 23.11.0, "
        "Apache-2.0 on 2026-11-15."
    )
    widths = [int(rect.attrib["width"]) for rect in svg.iter(f"{SVG}rect")]
    assert int(svg.attrib["width"]) == widths[1] + widths[2]


def test_badge_moves_on_to_the_following_conversion(client, busl, monkeypatch):
    freeze_today(monkeypatch, D(2026, 11, 15))
    assert texts(badge(client, "snuba"))[1] == "BUSL-1.1 · Apache-2.0 on 2027-03-15"


def test_badge_without_upcoming_conversion_shows_the_license_only(
    client, busl, monkeypatch
):
    freeze_today(monkeypatch, D(2030, 1, 1))
    svg = badge(client, "snuba")
    assert texts(svg) == ["license", "BUSL-1.1"]
    assert svg.find(f"{SVG}title").text == "License of Snuba: BUSL-1.1."


def test_badge_escapes_what_it_shows(client, make_license, make_project):
    make_license("MIT")
    project = make_project("Tom & <Jerry>", slug="tom-and-jerry")
    # Not an expression the model would accept: the badge must survive it anyway.
    Project.objects.filter(pk=project.pk).update(
        license_expression="MIT & <script>'\"</script>"
    )
    svg = badge(client, "tom-and-jerry")
    assert texts(svg)[1] == "MIT & <script>'\"</script>"
    assert svg.find(f"{SVG}title").text.startswith("License of Tom & <Jerry>: MIT & ")
    assert b"<script>" not in client.get("/projects/tom-and-jerry/badge.svg").content


def test_badge_is_cacheable_for_an_hour(client, busl):
    response = client.get("/projects/snuba/badge.svg")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=3600"}


@pytest.mark.parametrize(
    "fields", [{"state": State.DRAFT}, {"publish_at": "future"}], ids=str
)
def test_badge_of_a_hidden_project_is_not_found(
    client, make_license, make_project, fields
):
    make_license("MIT")
    if fields.get("publish_at") == "future":
        fields = {"publish_at": timezone.now() + TOMORROW}
    make_project("Hidden", **fields)
    assert client.get("/projects/hidden/badge.svg").status_code == 404
    assert client.get("/projects/nope/badge.svg").status_code == 404


def test_badge_ignores_draft_releases(client, busl, make_release, monkeypatch):
    freeze_today(monkeypatch, D(2025, 6, 1))
    make_release(busl["snuba"], "25.0.0", released_on=D(2022, 1, 1), state=State.DRAFT)
    assert texts(badge(client, "snuba"))[1] == "BUSL-1.1 · Apache-2.0 on 2026-11-15"


def test_project_page_shows_the_badge_and_how_to_embed_it(client, busl):
    main = get_ok(client, "/projects/snuba/").find("main")
    section = main.find("section", **{"aria-labelledby": "badge-heading"})
    image = section.find("img")
    assert image.attrs["src"] == "/projects/snuba/badge.svg"
    assert image.attrs["alt"] == "License badge of Snuba"
    snippets = dict(
        zip(
            [dt.text for dt in section.find_all("dt")],
            [dd.find("code").text for dd in section.find_all("dd")],
            strict=True,
        )
    )
    assert snippets["Markdown"] == (
        "[![License of Snuba](http://testserver/projects/snuba/badge.svg)]"
        "(http://testserver/projects/snuba/)"
    )
    assert snippets["HTML"] == (
        '<a href="http://testserver/projects/snuba/">'
        '<img src="http://testserver/projects/snuba/badge.svg" '
        'alt="License of Snuba"></a>'
    )


def test_badge_queries_do_not_grow(
    client, django_assert_num_queries, busl, make_release
):
    counter = iter(range(10_000))

    def grow():
        for _ in range(15):
            make_release(busl["snuba"], f"30.{next(counter)}.0")

    # The project, its next conversion; no
    # site settings: the badge is no page.
    for _ in range(2):
        with django_assert_num_queries(2):
            assert client.get("/projects/snuba/badge.svg").status_code == 200
        grow()
