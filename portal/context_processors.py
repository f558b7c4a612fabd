"""Values every page's header and footer need."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .selectors import home_unit


def portal(request) -> dict:
    return {"portal_name": settings.PORTAL_NAME, "portal_home_unit": SimpleLazyObject(lambda: home_unit(request))}
