"""Methodology, open data, the language switch and the health check."""

import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from config.celery import app as celery_app
from indicators.models import ClassificationBand, IndicatorKind
from indicators.selectors import catalogue, framework_for
from units.selectors import unit_search

from .. import selectors
from ..caching import public_cache
from ..errors import NotFound, nearest
from ..exports import licence_name
from ..openapi import openapi_document
from .common import asked_period, period_links

logger = logging.getLogger(__name__)
COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


# --- methodology, open data, feed ----------------------------------------------------------------------


@public_cache(params=("period",))
def methodology(request):
    framework = framework_for()
    indicators = [i for i in catalogue(framework=framework) if i.kind != IndicatorKind.OPERATIONAL]
    operational = [i for i in catalogue(framework=framework) if i.kind == IndicatorKind.OPERATIONAL]
    pkey = asked_period(request)
    log = []
    periods = selectors.periods_with_data()
    if pkey is not None and pkey.kind == "month":
        log = list(selectors.month_log(pkey=pkey))
        if not log:
            months = selectors.visible_keys(keys={p.key for p in periods})
            raise NotFound(
                _("Tháng %(period)s chưa được công bố.") % {"period": pkey.short_label},
                links=period_links(request, nearest(months, pkey.key)),
            )
    return render(
        request,
        "portal/methodology.html",
        {
            "framework": framework,
            "indicators": indicators,
            "operational": operational,
            "bands": ClassificationBand.objects.order_by("-min_total"),
            "pkey": pkey,
            "log": log,
            "periods": periods,
        },
    )


@public_cache(params=("q",))
def search(request):
    """Find a unit by name (diacritics optional), for visitors who do not know where it sits in the tree."""
    q = (request.GET.get("q") or "").strip()[:100]
    found = list(unit_search(q=q, limit=30)) if q else []
    return render(request, "portal/search.html", {"q": q, "found": found})


def open_data(request):
    home = selectors.home_unit(request)
    context = {
        "home_ref": selectors.unit_ref(home) if home else "",
        "home": home,
        "licence": licence_name(),
        "licence_url": settings.PORTAL_DATA_LICENCE_URL,
    }
    return render(request, "portal/open_data.html", context)


@public_cache
def band_styles(request):
    """The bands' colours as a stylesheet: they are data, and the policy allows no inline style."""
    rules = [
        f".band-{band.pk} {{ --band: {band.colour}; }}"
        for band in ClassificationBand.objects.order_by("pk")
        if COLOUR.fullmatch(band.colour)  # nothing but a colour ever reaches the stylesheet
    ]
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


def openapi(request):
    return JsonResponse(
        openapi_document(base_url=request.build_absolute_uri("/")),
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def language(request, code):
    """Switch the language with a plain link (no form, so cached pages carry no CSRF token)."""
    nxt = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    if code not in dict(settings.LANGUAGES):
        raise NotFound(_("Cổng chỉ có tiếng Việt (vi) và tiếng Anh (en)."))
    translation.activate(code)
    response = HttpResponseRedirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def health(request):
    """For the load balancer: the database, the cache and the broker, each "ok" or "error".

    Only the database decides the status code: public pages keep serving without Redis
    (ranking jobs wait), so a broker outage is reported but does not take the web out.
    """
    report = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)


def _check(probe) -> str:
    try:
        return probe()
    except Exception as exc:  # any failure is "error"; the reason goes to the log, not to the caller
        logger.warning("health check %s failed: %s", probe.__name__, exc)
        return "error"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    cache.set("healthz", "1", 5)
    return "ok" if cache.get("healthz") == "1" else "error"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"
