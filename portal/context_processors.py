"""Values every page's header and footer need."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, gettext_noop

from .selectors import home_unit

# The default PORTAL_NAME (config/settings.py), marked so that the English catalogue translates it;
# a name set in the environment is shown as written.
gettext_noop("Cổng công khai kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp")


def portal(request) -> dict:
    return {
        "portal_name": gettext(settings.PORTAL_NAME),
        "portal_home_unit": SimpleLazyObject(lambda: home_unit(request)),
    }
