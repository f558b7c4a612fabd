"""Signed-in sessions: an idle timeout renewed by each request, an absolute lifetime, private pages,
and a password reset that cannot be used to flood a mailbox."""

import datetime
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from accounts.models import UnitAssignment
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-dai-123"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate-limit counters in a cache of this test's own (the shared Redis would keep them an hour)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sess"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(client, unit_tree):
    user = get_user_model().objects.create_user("canbo", email="canbo@example.gov.vn", password=PASSWORD)
    UnitAssignment.objects.create(
        user=user, unit=AdministrativeUnit.objects.get(tree="legacy", code="332"), role="staff"
    )
    assert client.post("/tai-khoan/login/", {"username": "canbo", "password": PASSWORD}).status_code == 302
    return user


def test_a_request_restarts_a_thirty_minute_idle_timeout(client, staff, settings):
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 61  # the last request was more than a minute ago
    session.save()
    soon = timezone.now() + datetime.timedelta(minutes=5)  # what is left of its idle time
    Session.objects.filter(session_key=session.session_key).update(expire_date=soon)
    response = client.get("/nhap-lieu/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60  # the cookie's clock restarts
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert abs((expiry - timezone.now()).total_seconds() - 30 * 60) < 60  # and the server's


def test_a_session_idle_for_thirty_minutes_is_signed_out(client, staff):
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/nhap-lieu/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, staff):
    session = client.session
    assert abs(session[SIGNED_IN_AT] - time.time()) < 60
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get("/nhap-lieu/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")
    assert client.get("/nhap-lieu/").status_code == 302  # signed out for good, not just once


def test_signed_in_and_admin_pages_are_private_and_never_stored(client, staff, admin_user):
    for path in ("/nhap-lieu/", "/cong-van/", "/xep-hang/?parent=legacy.332"):
        cache_control = client.get(path)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control and "public" not in cache_control, path
    client.force_login(admin_user)
    cache_control = client.get("/admin/indicators/score/")["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_anonymous_public_pages_stay_publicly_cacheable(client, unit_tree):
    assert "public" in client.get("/phuong-phap/")["Cache-Control"]


def test_password_reset_sends_at_most_three_mails_an_hour_to_one_account(client, staff):
    client.logout()
    for _ in range(20):
        response = client.post("/tai-khoan/password_reset/", {"email": "canbo@example.gov.vn"})
        assert response.status_code == 302  # the same answer every time: nothing tells the limit apart
    assert len(mail.outbox) == 3


def test_password_reset_refuses_a_flood_from_one_address_in_vietnamese(client, unit_tree, settings):
    settings.PASSWORD_RESET_RATE_IP = "5/h"
    answers = [
        client.post("/tai-khoan/password_reset/", {"email": f"nguoi{n}@example.gov.vn"}).status_code for n in range(7)
    ]
    assert answers == [302] * 5 + [429] * 2
    page = client.post("/tai-khoan/password_reset/", {"email": "khac@example.gov.vn"})
    assert page.status_code == 429 and "Quá nhiều yêu cầu đặt lại mật khẩu" in page.content.decode()


def test_behind_the_load_balancer_each_client_has_its_own_reset_limit_and_cannot_forge_one(client, unit_tree, settings):
    """Every request reaches the portal from the balancer's address; the limit must count the client it names."""
    settings.PASSWORD_RESET_RATE_IP = "2/h"
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = {"REMOTE_ADDR": "10.0.0.2"}

    def ask(forwarded, n):
        return client.post(
            "/tai-khoan/password_reset/", {"email": f"a{n}@example.gov.vn"}, HTTP_X_FORWARDED_FOR=forwarded, **balancer
        ).status_code

    first = [ask("203.0.113.7", n) for n in range(3)]
    second = [ask("198.51.100.9", n) for n in range(3)]
    # A client writing its own X-Forwarded-For only adds entries to the left of the balancer's: still counted as itself.
    forged = [ask(f"192.0.2.{n}, 203.0.113.7", n) for n in range(2)]
    assert (first, second, forged) == ([302, 302, 429], [302, 302, 429], [429, 429])


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, unit_tree, settings):
    settings.PASSWORD_RESET_RATE_IP = "2/h"
    settings.TRUSTED_PROXY_COUNT = 0
    answers = [
        client.post(
            "/tai-khoan/password_reset/", {"email": f"b{n}@example.gov.vn"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]
