"""Public pages."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from config.celery import app as celery_app

from .selectors import home_unit, latest_unit_month

logger = logging.getLogger(__name__)


def home(request):
    unit = home_unit()
    month = latest_unit_month(unit=unit) if unit else None
    return render(request, "portal/home.html", {"unit": unit, "month": month})


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
