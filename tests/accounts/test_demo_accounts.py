"""`make run` prints demo logins (a clerk and a leader of Huyện Tiên Lữ, an administrator), only in the embedded default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from accounts.models import Role, UnitAssignment

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["canbo.tienlu", "lanhdao.tienlu", "quantri"]


def test_embedded_default_creates_the_three_logins_once_and_they_open_their_pages(settings, unit_tree, capsys, client):
    settings.EMBEDDED_DEFAULT = True
    call_command("load_demo_accounts", "--base-url", "http://127.0.0.1:8000")
    out = capsys.readouterr().out
    assert "canbo.tienlu / demo-canbo" in out and "lanhdao.tienlu / demo-lanhdao" in out
    assert "quantri / demo-quantri" in out and "http://127.0.0.1:8000/nhap-lieu/" in out
    users = get_user_model().objects
    assert sorted(users.filter(username__in=NAMES).values_list("username", flat=True)) == sorted(NAMES)
    clerk, leader, admin = (users.get(username=n) for n in NAMES)
    assert UnitAssignment.objects.get(user=clerk).role == Role.STAFF
    assert UnitAssignment.objects.get(user=leader).role == Role.LEADER
    assert UnitAssignment.objects.get(user=leader).unit.name == "Huyện Tiên Lữ"
    assert admin.is_superuser and admin.is_staff and not clerk.is_staff and not leader.is_staff

    call_command("load_demo_accounts")  # again: nothing new
    assert users.filter(username__in=NAMES).count() == 3 and UnitAssignment.objects.count() == 2

    for name, password, page in [
        ("canbo.tienlu", "demo-canbo", "/nhap-lieu/"),
        ("lanhdao.tienlu", "demo-lanhdao", "/cong-bo/"),
        ("quantri", "demo-quantri", "/admin/"),
    ]:
        assert client.login(username=name, password=password)
        assert client.get(page).status_code == 200, page
        client.logout()


def test_a_changed_password_is_not_reset_or_printed(settings, unit_tree, capsys):
    settings.EMBEDDED_DEFAULT = True
    call_command("load_demo_accounts")
    user = get_user_model().objects.get(username="quantri")
    user.set_password("mat-khau-rieng-cua-toi")
    user.save()
    capsys.readouterr()
    call_command("load_demo_accounts")
    out = capsys.readouterr().out
    assert "quantri (mật khẩu đã được đổi)" in out and "demo-quantri" not in out
    user.refresh_from_db()
    assert user.check_password("mat-khau-rieng-cua-toi")


def test_outside_the_embedded_default_no_account_is_created(settings, unit_tree, capsys):
    settings.EMBEDDED_DEFAULT = False
    call_command("load_demo_accounts")
    assert "Không tạo tài khoản dùng thử" in capsys.readouterr().out
    assert not get_user_model().objects.filter(username__in=NAMES).exists()


def _env(**overrides):
    drop = {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "SECURE",
        "SECRET_KEY",
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(overrides)
    return env


def _embedded(**env) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMBEDDED_DEFAULT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(DJANGO_SETTINGS_MODULE="config.settings", **env),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_only_the_unconfigured_portal_counts_as_the_embedded_default():
    assert _embedded() == "True"
    assert _embedded(DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal") == "False"
    assert _embedded(REDIS_URL="redis://127.0.0.1:6379/0") == "False"
    assert _embedded(SECURE="1", SECRET_KEY="k3y-for-this-test-only-0123456789abcdef0123456789abcdef") == "False"


@pytest.mark.postgres
def test_production_settings_never_create_the_demo_accounts(unit_tree):
    """The real command, in production settings, on this test database: it refuses and writes nothing.

    (Anything it committed would be visible here: the test's transaction reads other sessions' commits.)
    """
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo_accounts"],
        cwd=ROOT,
        env=_env(DATABASE_URL=url, SECURE="1", SECRET_KEY="k3y-for-this-test-only-0123456789abcdef0123456789abcdef"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Không tạo tài khoản dùng thử" in result.stdout
    assert not get_user_model().objects.filter(username__in=NAMES).exists()
