"""The layout's one rule, checked on every module's imports: dependencies point
``webhooks`` -> ``projects`` -> ``licenses`` -> the framework subpackages of
``portal``, which import no app and nothing of the site layer; only the site layer
knows every app (README "Developing"). ``webhooks`` listens to the content apps;
nothing imports it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = ("publishing", "admin", "api", "http", "text")
APPS = ("licenses", "projects", "webhooks")
# The site layer of ``portal``: what knows every app, and the philosophy content.
SITE_LAYER = (
    "portal.models",
    "portal.views",
    "portal.urls",
    "portal.router",
    "portal.feeds",
    "portal.sitemaps",
    "portal.filters",
    "portal.serializers",
    "portal.context_processors",
    "portal.philosophy_admin",
    "portal.philosophy_api",
    "portal.templatetags",
    "portal.search",
    "portal.forms",
    "portal.demo",
    "portal.management",
)
# What projects may still take from the site layer, and why it cannot do without:
# the feeds are titled with the organisation's name, and the SBOMs name it as
# their supplier and tool, which only the site settings hold.
PROJECTS_MAY_IMPORT = {
    "projects/feeds.py": {"portal.models", "portal.models.SiteSettings"},
    "projects/sbom.py": {"portal.models", "portal.models.SiteSettings"},
}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (function-level imports too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_under(*parts: str) -> list[Path]:
    return sorted(
        path
        for path in ROOT.joinpath(*parts).rglob("*.py")
        if "migrations" not in path.parts
    )


def violations(paths, forbidden) -> list[str]:
    found = []
    for path in paths:
        for name in imported_modules(path):
            if any(name == bad or name.startswith(f"{bad}.") for bad in forbidden):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append(f"{where} imports {name}")
    return found


@pytest.mark.parametrize("package", FRAMEWORK)
def test_framework_subpackage_imports_no_app_and_no_site_layer(package):
    paths = modules_under("portal", package)
    assert paths, f"portal/{package}/ has no modules"
    assert violations(paths, (*APPS, *SITE_LAYER)) == []


def test_licenses_imports_nothing_from_projects_or_the_site_layer():
    assert violations(modules_under("licenses"), ("projects", *SITE_LAYER)) == []


def test_projects_imports_nothing_of_the_site_layer_but_its_exceptions():
    found = [
        line
        for line in violations(modules_under("projects"), SITE_LAYER)
        if line.split(" imports ")[1]
        not in PROJECTS_MAY_IMPORT.get(line.split(" imports ")[0], set())
    ]
    assert found == []


def test_webhooks_imports_nothing_of_the_site_layer():
    assert violations(modules_under("webhooks"), SITE_LAYER) == []


def test_nothing_but_the_settings_knows_webhooks():
    """Publishing never waits on webhooks: the content apps and the site layer
    do not import them (they hear the content's signals)."""
    paths = [
        *modules_under("portal"),
        *modules_under("licenses"),
        *modules_under("projects"),
    ]
    assert violations(paths, ("webhooks",)) == []


def test_the_rule_catches_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from projects.models import Project\n")
    found = violations([module], APPS)
    assert found
    assert all("projects.models" in line for line in found)


def test_portal_has_no_flat_framework_modules_left():
    """The framework lives in its subpackages, not beside the site layer."""
    flat = {path.stem for path in ROOT.joinpath("portal").glob("*.py")}
    assert not flat & {
        "publishing",
        "versioning",
        "history",
        "previews",
        "caching",
        "cache_backends",
        "outage",
        "request_log",
        "health",
        "markdown",
        "fulltext",
        "json_ld",
        "tokens",
        "pagination",
        "ordering",
        "throttling",
    }
