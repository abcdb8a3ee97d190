"""One date format everywhere a date is shown: ISO 8601 (2026-11-15), as in the
feeds, the API and the badges. A date a template prints without a format gets
it too, so the site never shows "Nov. 15, 2023" beside "2026-11-15"."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
