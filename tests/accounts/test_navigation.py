"""The header offers the admin ("Quản lý") only to accounts the admin lets in."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role, UnitAssignment
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

ADMIN_LINK = '<a href="/admin/">'


def test_a_clerk_sees_no_admin_link(client, unit_tree):
    clerk = get_user_model().objects.create_user("canbo", password="x")
    UnitAssignment.objects.create(
        user=clerk, unit=AdministrativeUnit.objects.get(tree="legacy", code="332"), role=Role.STAFF
    )
    client.force_login(clerk)
    html = client.get("/").content.decode()
    assert "Đăng xuất" in html and ADMIN_LINK not in html
    # What the link would have done: bounce a clerk to the admin's own login.
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_an_administrator_sees_the_admin_link_and_it_opens(client, unit_tree):
    admin = get_user_model().objects.create_user("quantri", password="x", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert ADMIN_LINK in client.get("/").content.decode()
    assert client.get("/admin/").status_code == 200
