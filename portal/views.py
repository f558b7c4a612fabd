"""Public pages."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .selectors import home_unit, latest_unit_month


def home(request):
    unit = home_unit()
    month = latest_unit_month(unit=unit) if unit else None
    return render(request, "portal/home.html", {"unit": unit, "month": month})


def health(request):
    """For the load balancer: is the database reachable?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"database": "ok"})
    except Exception as exc:  # any failure means "not healthy"; say which
        return JsonResponse({"database": "error", "detail": str(exc)[:200]}, status=503)
