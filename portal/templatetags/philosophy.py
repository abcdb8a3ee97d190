"""Template helpers for the philosophy page."""

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django import template

register = template.Library()


@dataclass(frozen=True)
class StatementBlock:
    """Consecutive statements of one kind, rendered together."""

    kind: str
    statements: list


@register.filter
def statement_blocks(statements) -> list[StatementBlock]:
    """Group consecutive statements of the same kind, in page order.

    The page shows a run of goals as ONE list, so the template needs to know where
    a run starts and ends; the other kinds are rendered one by one within their
    block.
    """
    return [
        StatementBlock(kind, list(run))
        for kind, run in groupby(statements, key=attrgetter("kind"))
    ]
