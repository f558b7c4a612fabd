"""Cache of public pages, keyed by the data's version so that a new publication shows at once.

The version is read in one query from the tables that can change what a public page shows:
publications (version, time, and the log of publishes and withdrawals) and ranking runs (a change of
the unit tree recomputes the public rankings). Imports do not: they wait for a leader to publish. Responses to anonymous
visitors are kept in the shared cache (Redis in production: every web process sees the same)
and carry an ETag and Last-Modified so that browsers and proxies can revalidate cheaply.

What a visitor can make the cache hold is bounded: a page sees only the query parameters it
declares (others are dropped before the view runs, so they can neither bust the cache nor show in
the page), only successful pages are kept, and at most PORTAL_CACHE_MAX_PAGES pages are stored
per data version (past that, pages are served fresh until the data changes).
"""

import datetime
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe, urlencode
from django.utils.translation import get_language

from publishing.models import Publication, PublicationEvent
from rankings.models import RankingRun

PAGE_TTL = 24 * 3600
# Pages stored per data version, whatever visitors ask for; a national portal's real pages for one
# version (units × the few periods people open) stay well under it.
MAX_PAGES = 20_000
VERSION_KEY = "portal:data-version"
# How long a known data version is trusted without asking the database. Writes through the
# models clear it at once (portal.apps connects the receivers); the time bounds what a write
# made without signals (a bulk update, another process with a local cache) can hide.
VERSION_TTL = 2


def current_version() -> tuple[str, float | None]:
    memo = cache.get(VERSION_KEY)
    if memo is None:
        memo = data_version()
        cache.set(VERSION_KEY, memo, getattr(settings, "PORTAL_VERSION_TTL", VERSION_TTL))
    return memo


def version_forget(**_kwargs) -> None:
    """Signal receiver: published data changed, the next request reads the version again."""
    cache.delete(VERSION_KEY)


def data_version() -> tuple[str, float | None]:
    """A short string that changes whenever published data may have changed, and the latest change time."""
    sql = (
        f"SELECT (SELECT COALESCE(SUM(version), 0) FROM {Publication._meta.db_table}),"
        f" (SELECT COUNT(*) FROM {Publication._meta.db_table} WHERE is_published),"
        f" (SELECT MAX(published_at) FROM {Publication._meta.db_table}),"
        f" (SELECT MAX(id) FROM {PublicationEvent._meta.db_table}),"
        f" (SELECT MAX(at) FROM {PublicationEvent._meta.db_table}),"
        f" (SELECT COUNT(*) FROM {PublicationEvent._meta.db_table}),"
        f" (SELECT MAX(id) FROM {RankingRun._meta.db_table} WHERE public),"
        f" (SELECT MAX(finished_at) FROM {RankingRun._meta.db_table} WHERE public)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    times = [_as_datetime(t) for t in (row[2], row[4], row[7]) if t is not None]
    latest = max(times).timestamp() if times else None
    return "-".join(str(v) for v in (row[0], row[1], row[3], row[5], row[6], row[2], row[7])), latest


def _as_datetime(value) -> datetime.datetime:
    # SQLite hands raw SQL timestamps back as text; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def public_cache(view=None, *, params: tuple[str, ...] = ()):
    """Serve anonymous GETs from the cache and answer revalidations with 304; staff always get a fresh page.

    `params` are the query parameters the view reads; the request it sees carries those only.
    """
    if view is None:
        return lambda v: public_cache(v, params=params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        query = _declared_query(request, params)
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        version, latest = current_version()
        digest = hashlib.sha256(f"{version}|{get_language()}|{request.path}?{query}".encode()).hexdigest()[:32]
        etag = f'"{digest}"'
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        not_modified = (
            etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
            if "If-None-Match" in request.headers
            else (since is not None and latest is not None and int(latest) <= since)
        )
        if not_modified:
            response = HttpResponseNotModified()
            _stamp(response, etag, latest)
            return response
        key = f"portal:page:{digest}"
        stored = cache.get(key)
        if stored is not None:
            content, headers, status = stored
            response = HttpResponse(content, status=status)
            for name, value in headers.items():
                response[name] = value
            response["X-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                # Errors (a 404 for a month not published yet) are never kept, here or by proxies.
                response["Cache-Control"] = "no-cache"
                response["X-Cache"] = "miss"
                return response
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if _room_for_one_more(version):
                keep = {
                    h: response[h] for h in ("Content-Type", "Content-Disposition", "Content-Language") if h in response
                }
                cache.set(key, (response.content, keep, response.status_code), PAGE_TTL)
            response["X-Cache"] = "miss"
        _stamp(response, etag, latest)
        return response

    return wrapper


def _declared_query(request, params: tuple[str, ...]) -> str:
    """Leave the request only the declared, non-empty query parameters, in a fixed order; returns that query."""
    pairs = [(name, value) for name in params for value in request.GET.getlist(name) if value]
    query = urlencode(pairs)
    request.META["QUERY_STRING"] = query  # what get_full_path() puts in links (the language switch)
    request.GET = QueryDict(query)
    return query


def _room_for_one_more(version: str) -> bool:
    """Count the pages stored for this data version; False once PORTAL_CACHE_MAX_PAGES are."""
    counter = _counter(version)
    cache.add(counter, 0, PAGE_TTL)
    try:
        stored = cache.incr(counter)
    except ValueError:  # evicted between add and incr: count again from here
        return False
    return stored is not None and stored <= _max_pages()


def pages_stored(version: str | None = None) -> int:
    """How many pages the cache holds for a data version (the current one by default): for tests and ops."""
    version = version if version is not None else current_version()[0]
    return min(cache.get(_counter(version)) or 0, _max_pages())


def _counter(version: str) -> str:
    return "portal:page-count:" + hashlib.sha256(version.encode()).hexdigest()[:16]


def _max_pages() -> int:
    return getattr(settings, "PORTAL_CACHE_MAX_PAGES", MAX_PAGES)


def _stamp(response, etag: str, latest: float | None) -> None:
    response["ETag"] = etag
    if latest:
        response["Last-Modified"] = http_date(latest)
    # Short shared lifetime, then revalidate with the ETag (cheap: one query and a 304).
    response["Cache-Control"] = "public, max-age=60"
    response["Vary"] = "Cookie"
