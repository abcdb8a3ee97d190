"""Settings for the portal, read from the environment (12-factor).

Two environments: ``development`` (the default, safe for a first local run on SQLite)
and ``production`` (``DJANGO_ENV=production``), which refuses to start on a missing
secret instead of falling back to a development default. Every variable is listed
in ``.env.example``.
"""

import datetime
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from portal.http.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 < seconds < float("inf"):
        raise ImproperlyConfigured(
            f"{name} must be a positive number of seconds, not {value!r}."
        )
    return seconds


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_ENV=production.")
    # Only ever used on a developer's machine: production refuses to start without
    # a secret of its own (see above).
    SECRET_KEY = "development-only-insecure-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DJANGO_ENV=production.")

INSTALLED_APPS = [
    # Django's admin with the portal's admin site (its extra views: the Markdown
    # preview).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The search vector's field type (on other databases the column stays NULL).
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    # The background tasks' queue: a table of the database (django.tasks backend).
    "django_tasks_db",
    "portal",
    "licenses",
    "projects",
    "webhooks",
]

MIDDLEWARE = [
    "portal.http.request_log.RequestLogMiddleware",
    "portal.http.outage.DatabaseOutageMiddleware",
    # Outside every middleware that answers by itself (redirects, static files,
    # the page cache), so that each of their answers carries the header too.
    "portal.http.permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and authentication: an anonymous GET answered from
    # the page cache needs none of them; pages it serves still get the headers
    # of the middleware above.
    "portal.http.caching.HttpCachingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # History records name the request's user as the author of each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After all the others, as django-axes asks: it turns a login refused during
    # the view (too many failures) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "portal.context_processors.site_settings",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL is required when DJANGO_ENV=production.")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead log: pages keep reading while a background task (an import)
    # holds SQLite's one write lock for its whole transaction.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL;"
    )

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Dates read and shown as YYYY-MM-DD (portal/formats/en/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic's target; outside production, files are served from the apps.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (
    BASE_DIR / "staticfiles" if PRODUCTION else None
)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, static files are served straight from the apps, with no
# collectstatic step, so that the first run needs nothing but the quickstart.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers, on in every environment so that tests see what production sends.
# Referrer-Policy, Cross-Origin-Opener-Policy and nosniff are Django's defaults.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (Django's own middleware): only our own origin, scripts
# only from our static files or with the per-request nonce, no inline styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Permissions Policy (portal.http.permissions_policy): every browser feature a page
# could ask for and the portal never uses, denied to it and to any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
}
# The health probes answer over plain HTTP even where pages redirect to HTTPS:
# a load balancer probes each app server directly (portal.http.health).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

if PRODUCTION:
    # Behind a TLS-terminating proxy, trust its X-Forwarded-Proto (only then).
    if env_bool("BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
    )
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# REDIS_URL (or CACHE_URL) selects Redis, shared by every app server; without it,
# each process keeps a local-memory cache. A Redis outage is logged and served as
# cache misses, never as an error, and costs one timeout (CACHE_TIMEOUT_SECONDS)
# per cool-off (CACHE_COOLOFF_SECONDS), not one per cache call
# (portal.http.cache_backends).
REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
CACHE_TIMEOUT_SECONDS = env_seconds("CACHE_TIMEOUT_SECONDS", 0.25)
CACHE_COOLOFF_SECONDS = env_seconds("CACHE_COOLOFF_SECONDS", 5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.http.cache_backends.FaultTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
                "cooloff_seconds": CACHE_COOLOFF_SECONDS,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        }
    }

# HTTP caching (portal.http.caching): how long browsers and CDNs may reuse a public
# answer before revalidating it, and how long the server keeps a rendered page
# (0: not at all). A publish invalidates both at once.
HTTP_CACHE_MAX_AGE = int(os.environ.get("HTTP_CACHE_MAX_AGE", "60"))
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# How long a process reuses its copy of the content version before asking the
# shared cache again (0: every request asks). A publish made through another app
# server is seen here at most this late; one made here is seen at once.
CONTENT_VERSION_LOCAL_SECONDS = float(
    os.environ.get("CONTENT_VERSION_LOCAL_SECONDS", "1")
)
if CONTENT_VERSION_LOCAL_SECONDS < 0:
    raise ImproperlyConfigured("CONTENT_VERSION_LOCAL_SECONDS cannot be negative.")


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as ``120/min`` (per s, min, hour or day)."""
    value = os.environ.get(name) or default
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like '120/min', not {value!r}.")
    return value


REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Writes authenticate with admin-issued tokens only (no session, no CSRF).
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api.auth.BearerTokenAuthentication"],
    # Bodies are JSON, nested at most 32 levels (deeper is a 400); any other
    # body is a 415.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    # OPTIONS on an address the public cannot see is the 404 of a missing one.
    "DEFAULT_METADATA_CLASS": "portal.api.metadata.PublicMetadata",
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filtering.FilterBackend",
        "portal.api.ordering.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonRateThrottle",
        "portal.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_ANON_RATE", "120/min"),
        "user": env_rate("API_USER_RATE", "1000/min"),
    },
    # Client addresses for the anonymous rate: REMOTE_ADDR, or behind N trusted
    # proxies the Nth address from the right of X-Forwarded-For (never the
    # client's own claim).
    "NUM_PROXIES": int(os.environ.get("API_NUM_PROXIES", "0")),
}

# CORS (django-cors-headers): any web page may read the API anonymously; nothing
# else (the site, the admin) answers cross-origin requests.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = [
    "accept",
    "accept-language",
    "content-type",
    "if-modified-since",
    "if-none-match",
    "x-request-id",
]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "X-Request-ID"]

SPECTACULAR_SETTINGS = {
    "TITLE": "Open-source portal API",
    "DESCRIPTION": (
        "Read the organisation's open-source philosophy, its licenses and the "
        "projects published under them."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are tagged by resource ("projects", "licenses", ...), the first
    # segment after the version.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Two fields named "status" with other choices: a project's and a change kept
    # for review's.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "projects.models.Project.Status",
        "PendingStatusEnum": [("pending", "pending")],
    },
}

LOGIN_URL = "admin:login"

# Login protection (django-axes, see README "Editing"): after AXES_FAILURE_LIMIT
# failed logins for one user name from one address, that pair is refused (429)
# for AXES_COOLOFF_MINUTES. Attempts are kept in the database, shared by every
# app server. The lockout backend comes first; it only refuses, never logs in.
AUTHENTICATION_BACKENDS = [
    "portal.admin.login_protection.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.admin.login_protection.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.admin.login_protection.client_ip_address"
# Behind N trusted proxies, the client's address is the Nth from the right of
# X-Forwarded-For (0: REMOTE_ADDR, never the client's own claim).
AXES_NUM_PROXIES = int(os.environ.get("AXES_NUM_PROXIES", "0"))
# No start-up banner on every command; failures and lockouts are still logged.
AXES_VERBOSE = False

# What follows a change of a license's id or conversion terms in the apps built on
# licenses, which that app may not import (licenses.services.license_save): the
# projects naming the id are linked, the conversion dates under it recomputed.
LICENSE_CHANGE_FOLLOW_UPS = ["projects.services.license_changed"]

# Advance notice of conversions: the calendar's alarms, in days before each
# conversion ("30,1"; a subscriber may ask for others with ?alarms=), and how
# many days ahead the Atom feed announces a coming conversion.
try:
    CONVERSION_ALARM_DAYS = [
        int(day) for day in env_list("CONVERSION_ALARM_DAYS", ["30", "1"])
    ]
    CONVERSION_NOTICE_DAYS = int(os.environ.get("CONVERSION_NOTICE_DAYS", "30"))
except ValueError as error:
    raise ImproperlyConfigured(
        "CONVERSION_ALARM_DAYS must be whole numbers of days separated by commas "
        "and CONVERSION_NOTICE_DAYS a whole number of days."
    ) from error

# Background tasks (Django's tasks framework): the database is the queue
# (django-tasks-db), and `manage.py db_worker` runs what is queued. Any number of
# workers, on any number of machines, share one PostgreSQL queue (each task is taken
# with a row lock that the others skip). See docs/deploy.md.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Catalogue imports (projects.import_jobs): the largest file the admin accepts,
# in MB (it is kept in the database until the job is pruned), how many days a
# finished job and its file are kept, and after how many seconds in the queue its
# page warns that no worker seems to be running.
try:
    IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "20"))
    IMPORT_JOBS_KEEP_DAYS = int(os.environ.get("IMPORT_JOBS_KEEP_DAYS", "30"))
except ValueError as error:
    raise ImproperlyConfigured(
        "IMPORT_MAX_MB and IMPORT_JOBS_KEEP_DAYS are whole numbers."
    ) from error
IMPORT_QUEUED_WARNING_SECONDS = 30
# A running import whose counters have not moved for this long was left by a
# worker that stopped (on SQLite, which writes no counters while the import
# runs, six times as long): its page offers to queue it again.
IMPORT_STALLED_SECONDS = 600

# Email (notifications to editors and publishers, sent by background tasks): the
# console in development until EMAIL_HOST is set; SMTP in production, to EMAIL_HOST
# (TLS on 587, SSL on 465) or else to a mail server on the same machine (port 25).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST or PRODUCTION:
    _email_port = int(os.environ.get("EMAIL_PORT", "587" if EMAIL_HOST else "25"))
    EMAIL_HOST = EMAIL_HOST or "localhost"
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": _email_port,
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _email_port == 587,
                "use_ssl": _email_port == 465,
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The site's own address, for the absolute links in what is sent outside a
# request: webhook payloads (``html_url``), notification emails. Defaults to the
# first ALLOWED_HOSTS name over HTTPS in production, to the development server
# elsewhere.
SITE_URL = (
    os.environ.get("SITE_URL")
    or (f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
).rstrip("/")

# Webhooks (webhooks app, docs/api.md "Webhooks"): targets may not resolve to
# internal addresses (loopback, private, link-local, ...) unless named here: host
# names (exactly as in the URL) or networks (CIDR).
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# "json": every line one JSON object (production's default); "text": readable
# lines (development's). Information to stdout, warnings and errors to stderr
# (portal.http.logs).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=LOG_LEVEL)
