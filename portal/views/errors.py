"""Error pages: Vietnamese first, with the site's header, the reason and a way forward; the API answers in JSON.

Django calls these for every 400, 403, 404 and 500 (config/urls.py names them). A 500 may mean the
database is gone, so that page is drawn without reading anything (no user, no home unit); when the
cause is the database itself the answer is a 503 ("try again shortly"), which is what it is.
"""

import logging
import re
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from ..errors import Invalid
from ..middleware import BadInput

logger = logging.getLogger(__name__)

# Django's own English reasons (get_object_or_404, the URL resolver) are not for visitors.
_DJANGO_REASON = re.compile(r"^No .+ matches the given query\.$")
API_PREFIX = "/api/"


def _reason(exception) -> str:
    """The message a view gave Http404 / PermissionDenied / SuspiciousOperation, if it is one for people."""
    if exception is None or not exception.args:
        return ""
    message = exception.args[0]
    if not isinstance(message, str) or _DJANGO_REASON.match(message):
        return ""
    return message


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    # The reason of a SuspiciousOperation can describe an attack; the visitor gets the general one, except
    # for the portal's own BadInput (a NUL byte…) and Invalid (a malformed period), whose messages say what and where.
    reason = str(exception) if isinstance(exception, (BadInput, Invalid)) else ""
    if _is_api(request):
        return _json(reason or _("Yêu cầu không hợp lệ."), 400)
    # Drawn without the request: its cookies or session may be what was bad (a NUL in a cookie).
    links = getattr(exception, "links", []) if isinstance(exception, Invalid) else []
    body = loader.get_template("400.html").render({"status": 400, "reason": reason, "links": links})
    return HttpResponse(body, status=400)


def permission_denied(request, exception=None):
    reason = _reason(exception)
    if _is_api(request):
        return _json(reason or _("Không có quyền truy cập."), 403)
    return render(request, "403.html", {"status": 403, "reason": reason}, status=403)


def page_not_found(request, exception=None):
    reason = _reason(exception)
    if _is_api(request):
        return _json(reason or _("Không có địa chỉ này trong API. Xem mô tả tại /du-lieu-mo/openapi.json."), 404)
    context = {"status": 404, "reason": reason, "links": getattr(exception, "links", []), "path": request.path}
    return render(request, "404.html", context, status=404)


def csrf_failure(request, reason=""):
    """A form sent without its security token (an old tab, cookies blocked): say what to do."""
    message = _("Biểu mẫu đã hết hạn hoặc trình duyệt chặn cookie. Hãy tải lại trang rồi gửi lại.")
    if _is_api(request):
        return _json(message, 403)
    return render(request, "403.html", {"status": 403, "reason": message}, status=403)


def server_error(request):
    """500, or 503 when the database cannot be reached; drawn without touching the database."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if _is_api(request):
        message = (
            _("Hệ thống tạm thời chưa phục vụ được; xin thử lại sau ít phút.")
            if unavailable
            else _("Đã có lỗi ở máy chủ; lỗi đã được ghi lại.")
        )
        response = _json(message, status)
    else:
        try:
            # No request in the context: the header's account links and home unit would read the database.
            body = loader.get_template(f"{status}.html").render({"status": status})
        except Exception:  # the error page itself must never fail
            logger.exception("error page %s could not be drawn", status)
            body = (
                '<!doctype html><html lang="vi"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>Lỗi máy chủ</title><h1>Đã có lỗi ở máy chủ</h1>"
                '<p>Xin thử lại sau ít phút. <a href="/">Về trang chủ</a></p></html>'
            )
        response = HttpResponse(body, status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response
