"""Demo content: the example organisation's page, licenses and projects.

``data`` holds the content (facts and clearly marked sample data), ``loader`` writes
it idempotently; ``manage.py load_demo`` and ``manage.py quickstart`` call
:func:`load_demo`.
"""

from portal.demo.loader import DemoSummary, load_demo

__all__ = ["DemoSummary", "load_demo"]
