"""The site's search (``/search/``): published projects, licenses and
statements that a query finds, grouped by kind. It spans every app, so it lives
in the site layer; how a query matches and ranks is ``portal.text.search``."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from licenses.models import License
from portal.models import Statement
from portal.text.search import (
    by_relevance,
    clean_query,
    matching,
    query_words,
    snippet,
    with_snippet,
)
from projects.models import Project
from projects.search import matching_projects

PROJECT_LIMIT = 20
LICENSE_LIMIT = 10
STATEMENT_LIMIT = 10

# What the snippet of each kind is cut from (what each kind is searched by is
# its model's SEARCH_FIELDS).
PROJECT_SNIPPET = ("summary", "description")
LICENSE_SNIPPET = ("summary",)
STATEMENT_SNIPPET = ("body", "contrast_body")


@dataclass(frozen=True)
class Hit:
    """One result: what it is called, where it is, why it matched."""

    title: str
    url: str
    snippet: SafeString
    detail: str
    item: object


@dataclass(frozen=True)
class SearchResults:
    query: str
    projects: list[Hit] = field(default_factory=list)
    licenses: list[Hit] = field(default_factory=list)
    statements: list[Hit] = field(default_factory=list)
    more_projects: bool = False

    @property
    def count(self) -> int:
        return len(self.projects) + len(self.licenses) + len(self.statements)


def search_site(text: str, *, at=None) -> SearchResults:
    """Published projects, licenses and statements that ``text`` finds, best
    first, grouped by kind. Three queries, whatever the catalogue's size (none
    for a query without words)."""
    text = clean_query(text)
    if not query_words(text):
        return SearchResults(text)
    projects = list(
        by_relevance(
            with_snippet(
                matching_projects(
                    Project.objects.published(at).select_related("category"), text
                ),
                text,
                PROJECT_SNIPPET,
            )
        )[: PROJECT_LIMIT + 1]
    )
    licenses = by_relevance(
        with_snippet(
            matching(License.objects.published(at), text, License.SEARCH_FIELDS),
            text,
            LICENSE_SNIPPET,
        )
    )[:LICENSE_LIMIT]
    statements = by_relevance(
        with_snippet(
            matching(
                Statement.objects.published(at).select_related("section"),
                text,
                Statement.SEARCH_FIELDS,
            ),
            text,
            STATEMENT_SNIPPET,
        )
    )[:STATEMENT_LIMIT]
    return SearchResults(
        text,
        projects=[
            Hit(
                title=project.name,
                url=project.get_absolute_url(),
                snippet=snippet(project, text, PROJECT_SNIPPET),
                detail=" · ".join(
                    filter(
                        None, [project.license_expression, str(project.category or "")]
                    )
                ),
                item=project,
            )
            for project in projects[:PROJECT_LIMIT]
        ],
        licenses=[
            Hit(
                title=license_.name,
                url=license_.get_absolute_url(),
                snippet=snippet(license_, text, LICENSE_SNIPPET),
                detail=f"{license_.spdx_id} · {license_.get_family_display()}",
                item=license_,
            )
            for license_ in licenses
        ],
        statements=[
            Hit(
                title=statement.title or statement.section.title,
                url=statement.get_anchor_url(),
                snippet=snippet(statement, text, STATEMENT_SNIPPET),
                detail=statement.section.title,
                item=statement,
            )
            for statement in statements
        ],
        more_projects=len(projects) > PROJECT_LIMIT,
    )
