"""Request handling every page shares: Vietnamese first, and input refused at the door.

Vietnamese first: the language is Vietnamese unless the visitor chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so most phones and every
headless crawler would get the English interface; the portal is for Vietnamese citizens first.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class BadInput(SuspiciousOperation):
    """Input no real visitor sends, answered with 400 and a Vietnamese message saying what and where."""


class RejectNulMiddleware:
    """A NUL character in the path, a query parameter or a cookie is refused at the door (400).

    No address of the portal contains one, and PostgreSQL cannot compare text that does: let
    through, it would fail deep in a query as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_in(request)
        if where:
            raise BadInput(_("Địa chỉ có ký tự không hợp lệ (NUL, %%00) ở %(where)s.") % {"where": where})
        return self.get_response(request)


def _nul_in(request) -> str | None:
    if "\x00" in request.path:
        return _("đường dẫn")
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return _("tham số “%(name)s”") % {"name": name.replace("\x00", "")}
    for name, value in request.COOKIES.items():
        if "\x00" in name or "\x00" in value:
            return _("cookie “%(name)s”") % {"name": name.replace("\x00", "")}
    return None
