"""HTTP caching of the public site and the API, and the content version behind it.

Every public GET answer (site page, feed, API response) carries

- ``ETag``: a hash of the body, so it changes exactly when what the client sees
  changes, whatever changed it (an edit, a publish, a scheduled time passing, a
  new release of the code, the date a release converts on);
- ``Last-Modified``: the *content version* (below);
- ``Cache-Control: public, max-age=60`` (``HTTP_CACHE_MAX_AGE``) for anonymous
  clients: a browser or CDN may reuse it a minute, then revalidates;
  ``private, no-cache`` for a logged-in user or a request with credentials;
- ``Vary: Accept-Encoding, Cookie`` (the API also ``Accept``; CORS adds
  ``Origin``): the Cache-Control above depends on the session.

``If-None-Match`` and ``If-Modified-Since`` get a 304 (Django's
``get_conditional_response``, RFC 9110 rules: If-None-Match wins when both are
sent). The admin and the health probes are left alone (never cached).

Pages of the public site and answers of the API are also kept server-side in
the Django cache (``PAGE_CACHE_SECONDS``), for anonymous GETs only, keyed by the
address (for the API, with its ``Accept`` header) and the content version: a
publish changes the version, so every page is rebuilt at once, and a logged-in
editor (drafts, previews) or a request with a token is never served from nor
stored in it. A response a view marks ``private``/``no-cache``/``no-store``, or
that sets a cookie, is not stored. A page asked for again is also copied into
the process's own small cache (``cached_page``), so that the pages read most cost
no round trip to Redis. An API answer from the page cache still counts against
the client's rate limit (``portal.api.throttling.allows_cached_answer``, before
the 304 is worked out); a client over it gets the view's 429. Only answers of
views under the API's default rate limits are kept, so none escapes a stricter
one.

What is costly and the same for every reader is also kept per content version
(``remembered``), so that even a page or an address the page cache cannot answer
(another page number, a tracking parameter, a reader with a token) does not
compute it again: the directory's facet counts and its filter form and the
philosophy page's licenses in use (kept by the process too), and the serialized
answers of the API's list and detail reads (``RememberedListMixin``,
``RememberedRetrieveMixin``: only published rows, the same whoever asks).

**The content version** is what a publish changes. It is computed when content
changes, not on every request: a request reads two values from the shared cache
in one round trip (or this process's copy of them, kept
``CONTENT_VERSION_LOCAL_SECONDS``) and asks the database nothing. It combines

1. the time of the last write to any content model (``CONTENT_CHANGED_KEY``),
   set by ``post_save``/``post_delete``/``m2m_changed`` of every model of an app
   that has a ``Publishable`` model (portal, licenses, projects: sections,
   licenses, projects, releases, but also categories, languages, license
   history, site settings), after the transaction commits; a write that sends no
   signal (``update()``, ``bulk_create``) calls ``mark_content_changed()``
   itself, as the import does;
2. the schedule (``SCHEDULE_KEY``): the latest ``publish_at``/``unpublish_at``
   that has passed and the next one due, computed by one query at that same
   write. An item whose ``publish_at`` passes changes what the public sees
   without any write: the first request after the moment due finds it passed,
   asks the database for the next one (one query per scheduled moment, not per
   request), and that moment becomes the version;
3. today's date (``TIME_ZONE``): pages say which releases are open source
   *today*, so they change at midnight without any write.

``Last-Modified`` is the latest of the three; the page cache key holds all three.
The version itself lives in the shared cache: with Redis (required in
production), every app server agrees on it, each at most
``CONTENT_VERSION_LOCAL_SECONDS`` late; what a process keeps for itself (pages,
small values, fragments) is keyed by it, so never older. If the cached values
are lost (eviction, a Redis restart), the time restarts at "now" and the
schedule is read again, which only makes caches revalidate. Body-hash ETags,
rather than ETags built from the version, cost computing the page, but are
right even when code, templates or the date change what a page shows.
"""

import datetime
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache as memoize

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from rest_framework.response import Response

from portal.api.errors import PreconditionFailed, is_api_request, json_error
from portal.api.throttling import allows_cached_answer, applies_default_limits
from portal.publishing.models import Publishable
from portal.publishing.transactions import gathered

CONTENT_CHANGED_KEY = "portal:content-changed"
SCHEDULE_KEY = "portal:schedule"
PAGE_KEY_PREFIX = "portal:page"
MEMO_KEY_PREFIX = "portal:memo"
SCHEDULE_FIELDS = ("publish_at", "unpublish_at")
SAFE_METHODS = ("GET", "HEAD")
UNCACHEABLE = ("private", "no-cache", "no-store", "max-age=0")
# A write inside a transaction is recorded once the transaction commits. Tests,
# whose own transaction never commits, turn this off to see their writes at once.
RECORD_AFTER_COMMIT = True


# ------------------------------------------------------------ the content version


@memoize
def publishable_models() -> tuple:
    return tuple(
        model
        for model in apps.get_models()
        if issubclass(model, Publishable) and not model._meta.proxy
    )


@memoize
def content_app_labels() -> frozenset[str]:
    """The apps whose models can show on a public page: those that publish."""
    return frozenset(model._meta.app_label for model in publishable_models())


def _us(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _now_us() -> int:
    return _us(timezone.now())


class _LocalCopy:
    """This process's copy of the two shared values, reused for
    ``CONTENT_VERSION_LOCAL_SECONDS``: a request answered from the page cache then
    costs one round trip to the cache instead of two."""

    values: dict | None = None
    until = 0.0

    def get(self) -> dict | None:
        if self.values is not None and time.monotonic() < self.until:
            return self.values
        return None

    def keep(self, values: dict) -> None:
        if CONTENT_CHANGED_KEY in values and SCHEDULE_KEY in values:
            self.values = dict(values)
            self.until = time.monotonic() + settings.CONTENT_VERSION_LOCAL_SECONDS
        else:
            self.values = None


local_copy = _LocalCopy()


def mark_content_changed() -> None:
    """Record that public content may have changed, now, and read the schedule
    anew (a write may have added, moved or removed a scheduled moment)."""
    now = timezone.now()
    values = {CONTENT_CHANGED_KEY: _us(now)}
    try:
        values[SCHEDULE_KEY] = schedule_moments(now)
    except DatabaseError:
        cache.delete(SCHEDULE_KEY)  # the next request reads it
    cache.set_many(values, timeout=None)
    local_copy.keep(values)


def _content_saved(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if sender._meta.app_label not in content_app_labels():
        return
    if not getattr(sender, "shown_to_readers", True):
        # Records of the publishing apps that no public page or read shows
        # (pending revisions, import jobs, API tokens): every page stays valid.
        return
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed
        return
    if not RECORD_AFTER_COMMIT:
        mark_content_changed()
        return
    # After the commit, not before: a reader between the two would otherwise
    # cache the old content under the new version. The writes of one transaction
    # (an import saves thousands of rows) share one ``PendingChange`` and its one
    # callback.
    if gathered(CONTENT_CHANGE, PendingChange, using=using) is None:
        mark_content_changed()


CONTENT_CHANGE = "portal.http.caching.content_change"


class PendingChange:
    """The content changes of one transaction, recorded once it commits."""

    def run(self) -> None:
        mark_content_changed()


def connect_signals() -> None:
    """Called from ``PortalConfig.ready()``: listen to every content write."""
    uid = "portal.http.caching.content_saved"
    post_save.connect(_content_saved, dispatch_uid=f"{uid}.save")
    post_delete.connect(_content_saved, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(_content_saved, dispatch_uid=f"{uid}.m2m")


@dataclass(frozen=True)
class ContentVersion:
    modified: datetime.datetime  # Last-Modified
    key: str  # changes whenever any of its parts does


def _from_database(value) -> datetime.datetime | None:
    if isinstance(value, str):  # SQLite returns MAX() of a datetime as text
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def schedule_moments(now: datetime.datetime) -> tuple[int, int | None]:
    """The schedule as of ``now``, in microseconds since the epoch: the latest
    ``publish_at``/``unpublish_at`` of any publishable row that has passed (0 if
    none) and the next one due (``None`` if none). Drafts count too: a draft's
    moment costs a revalidation, never a stale page. One query."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value(now)
    parts, params = [], []
    for model in publishable_models():
        table = quote(model._meta.db_table)
        for field in model._meta.concrete_fields:
            if field.name in SCHEDULE_FIELDS:
                column = quote(field.column)
                parts.append(
                    f"SELECT MAX({column}) AS passed, NULL AS due FROM {table} "  # noqa: S608
                    f"WHERE {column} <= %s UNION ALL "
                    f"SELECT NULL, MIN({column}) FROM {table} WHERE {column} > %s"
                )
                params += [at, at]
    if not parts:
        return 0, None
    # Table and column names come from the models, never from a request.
    sql = f"SELECT MAX(passed), MIN(due) FROM ({' UNION ALL '.join(parts)}) AS s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        passed, due = cursor.fetchone()
    passed, due = _from_database(passed), _from_database(due)
    return (_us(passed) if passed else 0), (_us(due) if due else None)


def content_version() -> ContentVersion:
    """The content version now: one read of the shared cache; the database only
    when a scheduled moment has passed since the last look, or the cache lost
    the values."""
    now = timezone.now()
    values = local_copy.get()
    # Kept for a while from the moment it was read, not from each use: a copy
    # that every request renewed would never see another server's publish.
    fresh = values is None
    if fresh:
        values = cache.get_many([CONTENT_CHANGED_KEY, SCHEDULE_KEY])
    changed_us = values.get(CONTENT_CHANGED_KEY)
    if changed_us is None:
        fresh = True
        changed_us = _us(now)
        if not cache.add(CONTENT_CHANGED_KEY, changed_us, timeout=None):
            changed_us = cache.get(CONTENT_CHANGED_KEY) or changed_us
    schedule = values.get(SCHEDULE_KEY)
    if schedule is None or (schedule[1] is not None and schedule[1] <= _us(now)):
        fresh = True
        schedule = schedule_moments(now)
        cache.set(SCHEDULE_KEY, schedule, timeout=None)
    if fresh:
        local_copy.keep({CONTENT_CHANGED_KEY: changed_us, SCHEDULE_KEY: schedule})
    passed_us = schedule[0]
    changed = datetime.datetime.fromtimestamp(changed_us / 1_000_000, datetime.UTC)
    passed = (
        datetime.datetime.fromtimestamp(passed_us / 1_000_000, datetime.UTC)
        if passed_us
        else None
    )
    today = timezone.localdate(now)
    start_of_day = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time())
    )
    modified = max(moment for moment in (changed, passed, start_of_day) if moment)
    return ContentVersion(
        modified=modified, key=f"{changed_us}.{passed_us}.{today.isoformat()}"
    )


def version_key(request) -> str:
    """The content version of ``request`` as a string, for a cache key (e.g. of
    a template fragment: ``{% cache 600 name version_key ... %}``)."""
    version = getattr(request, "content_version", None) or content_version()
    return version.key


def memo_seconds() -> int:
    """How long what is kept per content version stays in the cache: as long as
    pages (``PAGE_CACHE_SECONDS``), at least a minute even with the page cache
    off. A new version replaces it sooner."""
    return max(settings.PAGE_CACHE_SECONDS, 60)


class _LocalMemo:
    """This process's copy of the last ``size`` small values ``remembered``
    with ``local=True``, by their key (which holds the content version, so a
    copy is never older than the version this process sees), least recently
    used dropped first. The values are shared by the requests that read them:
    they must not be changed."""

    def __init__(self, size: int):
        self.size = size
        self.values = OrderedDict()

    def get(self, key: str, default=None):
        try:
            self.values.move_to_end(key)
        except KeyError:
            return default
        return self.values[key]

    def keep(self, key: str, value) -> None:
        self.values[key] = value
        self.values.move_to_end(key)
        while len(self.values) > self.size:
            self.values.popitem(last=False)

    def clear(self) -> None:
        self.values.clear()


local_memo = _LocalMemo(size=64)
_MISSING = object()


def remembered(request, name: str, compute, *, local: bool = False):
    """``compute()``, kept in the shared cache until the content version changes.

    For what is costly to compute and the same for every reader of the same
    content, e.g. the directory's facet counts for a set of filters: ``name``
    must say everything the value depends on besides the content. Uses the
    request's version (set by the middleware) or reads it. Kept
    ``memo_seconds()``; a publish, an edit or a scheduled time passing makes a
    new version, so nothing stale is served.

    ``local``: also kept in this process (``local_memo``), so that a request
    reading it again costs no round trip to the shared cache; for small values
    that many requests read (the site settings, the directory's counts).
    """
    digest = hashlib.sha256(name.encode()).hexdigest()
    key = f"{MEMO_KEY_PREFIX}:{version_key(request)}:{digest}"
    if not local:
        return cache.get_or_set(key, compute, memo_seconds())
    value = local_memo.get(key, _MISSING)
    if value is _MISSING:
        value = cache.get_or_set(key, compute, memo_seconds())
        local_memo.keep(key, value)
    return value


class RememberedListMixin:
    """For an API viewset whose reads are the same for every client (only
    ``published()`` rows): the serialized answer of a list GET is kept
    (``remembered``) per content version and full address, so a repeated read
    costs no query beyond the content version's and no serializing, for a
    request the page cache cannot answer (a reader with a token, another
    ``Accept``). Authentication, permissions and rate limits still run (before
    ``list()``); errors are never kept."""

    def list(self, request, *args, **kwargs):
        return remembered_response(request, "list", super().list, *args, **kwargs)


class RememberedRetrieveMixin:
    """As :class:`RememberedListMixin`, for the detail GET."""

    def retrieve(self, request, *args, **kwargs):
        return remembered_response(request, "detail", super().retrieve, *args, **kwargs)


def remembered_response(request, kind: str, read, *args, **kwargs) -> Response:
    if getattr(request, "page_cache_key", None):
        # The page cache keeps the answer itself: keeping its data as well
        # would cost a second store, for a copy no request would read.
        return read(request, *args, **kwargs)
    name = f"api:{kind}:{request.build_absolute_uri()}"
    data = remembered(request, name, lambda: read(request, *args, **kwargs).data)
    return Response(data)


# ---------------------------------------------------------------- the middleware


class HttpCachingMiddleware:
    """Validators, Cache-Control and Vary on public GETs; 304s; the page cache.

    In ``MIDDLEWARE`` after the security, CORS, CSP and static-file middleware
    (a page served from its cache still gets their headers on the way out) and
    before sessions, CSRF, authentication and history: an anonymous GET answered
    from the page cache costs none of their work, nor, for the API, DRF's
    (content negotiation, authentication, rendering) beyond its rate limits.
    Whether a request is anonymous is told from what it carries (no session or
    messages cookie, no ``Authorization``), so no session is read to find out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS or self.exempt(request.path_info):
            return self.get_response(request)
        try:
            private = is_private(request)
            version = request.content_version = content_version()
        except DatabaseError:
            # No database: the view meets the same outage and ``portal.http.outage``
            # answers it (503), uncached.
            return self.get_response(request)
        api = is_api_request(request)
        page_seconds = settings.PAGE_CACHE_SECONDS
        key = None if (private or not page_seconds) else page_key(request, version)
        request.page_cache_key = key
        response = cached_page(key) if key else None
        # An API answer counts against the client's rate limit, from the cache
        # too; over it, the view answers (the 429 in the API's error format).
        if response is not None and (not api or allows_cached_answer(request)):
            # Stored with its validators and headers (below): only the
            # conditional answer is left to work out (a page kept by an
            # earlier release of the code may lack them).
            if not response.has_header("ETag"):
                self.add_headers(response, version, private=private, api=api)
            return self.conditional(request, response, version, api=api)
        response = self.get_response(request)
        if key and storable(response) and (not api or counted_as_cached(response)):
            # The validators go with the stored page: the ETag (a hash of
            # the body) is computed once per page, not once per answer.
            self.add_headers(response, version, private=private, api=api)
            cache.set(key, kept_copy(response), page_seconds)
            return self.conditional(request, response, version, api=api)
        return self.add_validators(request, response, version, private=private, api=api)

    @staticmethod
    @memoize
    def exempt_prefixes() -> tuple[str, ...]:
        """Never cached: the admin (Django marks it never_cache) and the health
        probes (which must not touch the database)."""
        return (reverse("admin:index"), reverse("healthz"), reverse("readyz"))

    def exempt(self, path: str) -> bool:
        return path.startswith(self.exempt_prefixes())

    def add_validators(self, request, response, version, *, private, api):
        if response.status_code != 200 or response.streaming:
            return response
        if "no-store" in response.get("Cache-Control", ""):
            return response
        self.add_headers(response, version, private=private, api=api)
        return self.conditional(request, response, version, api=api)

    @staticmethod
    def add_headers(response, version, *, private, api) -> None:
        """ETag, Last-Modified, Cache-Control and Vary of a 200 answer that
        may be kept (not streaming, not ``no-store``)."""
        cache_control = response.get("Cache-Control", "")
        if not response.has_header("ETag"):
            set_response_etag(response)
        response["Last-Modified"] = http_date(int(version.modified.timestamp()))
        if not cache_control:
            if private:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(
                    response, public=True, max_age=settings.HTTP_CACHE_MAX_AGE
                )
        patch_vary_headers(
            response,
            ("Accept", "Accept-Encoding", "Cookie")
            if api
            else ("Accept-Encoding", "Cookie"),
        )

    @staticmethod
    def conditional(request, response, version, *, api):
        """The 304 (or 412) for the request's preconditions, or ``response``."""
        conditional = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=int(version.modified.timestamp()),
            response=response,
        )
        if conditional.status_code == 412 and api:
            return json_error(412, PreconditionFailed.default_detail)
        return conditional


def cached_page(key: str):
    """The page kept under ``key``: this process's copy (the ``process`` cache)
    or the shared cache's. A page found in the shared cache has been asked for
    at least twice in this version: this process keeps a copy, so that the
    pages read most (the home page, the directory's first page) cost no round
    trip; an address asked for once (a tracking parameter) never takes a place
    there. The key holds the content version: a copy is never older than the
    version this process sees."""
    response = process_pages.get(key)
    if response is None:
        response = cache.get(key)
        if response is not None and len(response.content) <= PROCESS_PAGE_MAX_BYTES:
            process_pages.set(key, response, settings.PAGE_CACHE_SECONDS)
    return response


# This process's copies of pages (``cached_page``): pickled, as the shared
# cache keeps them, so that no two requests share a response object. A large
# answer (an SBOM of the whole catalogue: megabytes) is left to the shared
# cache, so that a worker's memory does not grow with it.
PROCESS_PAGE_MAX_BYTES = 512 * 1024
process_pages = LocMemCache("portal-process-pages", {"OPTIONS": {"MAX_ENTRIES": 64}})


def is_private(request) -> bool:
    """Whether the answer may depend on who asks: a request with a session (a
    logged-in editor, perhaps), flash messages or credentials."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or "messages" in request.COOKIES
        or "Authorization" in request.headers
    )


def page_key(request, version: ContentVersion) -> str:
    """The page cache's key of ``request``: its content version and address,
    and for the API the ``Accept`` header too (DRF answers by it: a 406, an
    indent asked for)."""
    address = request.build_absolute_uri()
    if is_api_request(request):
        address = f"{address}\n{request.headers.get('Accept', '')}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{version.key}:{digest}"


def kept_copy(response) -> HttpResponse:
    """What the page cache keeps of ``response``: its status, headers and
    body. A DRF answer would be pickled with its ``data`` too, the same
    content again as Python objects, to unpickle with every answer."""
    if not isinstance(response, Response):
        return response
    return HttpResponse(
        response.content, status=response.status_code, headers=dict(response.items())
    )


def counted_as_cached(response) -> bool:
    """Whether an API answer may be kept by the page cache: one from a view
    limited by the API's default rate limits, which the page cache applies to
    every answer it gives (``allows_cached_answer``)."""
    context = getattr(response, "renderer_context", None) or {}
    return applies_default_limits(context.get("view"))


def storable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(directive in cache_control for directive in UNCACHEABLE)
    )
