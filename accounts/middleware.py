"""Signed-in sessions: an absolute lifetime (ASVS V7), and pages that no shared cache may keep."""

import time

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen_at"
# A session's idle clock is restarted at most this often: saving it on every request would cost a
# write per page for nothing.
RENEW_EVERY_S = 60


@receiver(user_logged_in, dispatch_uid="accounts-session-signed-in-at")
def _remember_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """A signed-in session expires SESSION_COOKIE_AGE after its last request (the idle timeout: a
    request renews it, at most once a minute) and SESSION_ABSOLUTE_SECONDS after signing in,
    however active it has been."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            signed_in = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            now = int(time.time())
            if now - signed_in > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)  # this request goes on as anonymous: sign-in pages redirect to the login
            elif now - request.session.get(LAST_SEEN, 0) >= RENEW_EVERY_S:
                request.session[LAST_SEEN] = now  # saved with a new expiry, and the cookie sent again
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Whatever a signed-in user or the admin gets (unpublished figures, drafts) is never stored by a
    shared cache or the browser: Cache-Control: private, no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith(reverse("admin:index")):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
