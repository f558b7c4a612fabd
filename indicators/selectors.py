"""Reads of the catalogue."""

import datetime

from .models import Framework, Indicator


def framework_for(*, day: datetime.date | None = None) -> Framework:
    """The catalogue version in force on `day` (the newest if None)."""
    frameworks = Framework.objects.order_by("-valid_from")
    if day is not None:
        frameworks = frameworks.filter(valid_from__lte=day)
    framework = frameworks.first()
    if framework is None:
        raise Framework.DoesNotExist("Chưa có bộ chỉ số nào trong cơ sở dữ liệu (chạy manage.py migrate).")
    return framework


def catalogue(*, framework: Framework):
    """Every indicator of a framework in display order."""
    return Indicator.objects.filter(framework=framework).select_related("parent").order_by("order")
