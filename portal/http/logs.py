"""The site's logging: where lines go, in which format, and the request id on
every record.

In production (``LOG_FORMAT=json``, the default when ``DJANGO_ENV=production``)
every line is one JSON object (python-json-logger): ``timestamp``, ``level``,
``logger``, ``message``, ``request_id`` (null outside a request), any fields the
call gave in ``extra`` (the request line's method, path, status and duration),
and ``exc_info``, the traceback, for an exception. In development
(``LOG_FORMAT=text``) lines stay readable text. Information goes to stdout;
warnings and errors to stderr.

This module reads no Django setting: ``portal.settings`` builds ``LOGGING`` from
it.
"""

import logging
from contextvars import ContextVar

# The id of the request being served (set by portal.http.request_log).
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": True,
}


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id``: that of the request being served, or
    None outside one."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


def below_warning(record) -> bool:
    return record.levelno < logging.WARNING


def logging_config(*, json_lines: bool, level: str = "INFO") -> dict:
    """The ``LOGGING`` dictionary: JSON lines if ``json_lines``, else text."""
    formatters = (
        {"out": JSON_FORMATTER, "err": JSON_FORMATTER}
        if json_lines
        else {
            "out": {"format": "%(message)s"},
            "err": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        }
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "below_warning": {
                "()": "django.utils.log.CallbackFilter",
                "callback": below_warning,
            },
            "request_id": {"()": RequestIdFilter},
        },
        "formatters": formatters,
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["below_warning", "request_id"],
                "formatter": "out",
            },
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "level": "WARNING",
                "filters": ["request_id"],
                "formatter": "err",
            },
        },
        "root": {"handlers": ["stdout", "stderr"], "level": level},
        "loggers": {
            # Our own request lines replace the server's access log.
            "django.server": {
                "handlers": ["stderr"],
                "level": "WARNING",
                "propagate": False,
            },
        },
    }
