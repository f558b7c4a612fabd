"""Every staff and public URL × every kind of caller gets exactly the designed answer.

Callers: anonymous; staff of Huyện Tiên Lữ (A); staff of Thị xã Mỹ Hào (B); leader of Tiên Lữ;
an administrator (superuser). August 2024 is published for Tiên Lữ, July is not.
Answers: an HTTP status, "login" (sent to the login page) or "done" (the action ran and redirected).
"""

import pytest
from django.contrib.auth.models import User

from accounts.models import UnitAssignment
from dispatches.services import dispatch_draft
from indicators.models import ImportRevision
from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff_a", "staff_b", "leader_a", "admin"]
LOGIN, DONE = "login", "done"


def everyone(answer):
    return dict.fromkeys(ROLES, answer)


def signed_in(answer, **overrides):
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], answer), **overrides}


# (method, url template, expected answer per role); {tien_lu}, {revision}, {dispatch} are filled in.
MATRIX = [
    ("get", "/", everyone(200)),
    ("get", "/xep-hang/?period=2024-08&parent=legacy.332", everyone(200)),
    ("get", "/xep-hang/?period=2024-07&parent=legacy.332", everyone(404)),  # even an administrator
    ("get", "/don-vi/legacy/12367/", everyone(200)),
    ("get", "/don-vi/legacy/12367/bang-diem/", everyone(200)),
    ("get", "/so-sanh/?u=legacy.12367&u=legacy.12376", everyone(200)),
    ("get", "/ban-do/", everyone(200)),
    ("get", "/phuong-phap/", everyone(200)),
    ("get", "/du-lieu-mo/", everyone(200)),
    ("get", "/du-lieu-mo/openapi.json", everyone(200)),
    ("get", "/nhung/don-vi/legacy/12367/", everyone(200)),
    ("get", "/api/v1/rankings/?period=2024-08&parent=332", everyone(200)),
    ("get", "/api/v1/rankings/?period=2024-07&parent=332", everyone(404)),
    ("get", "/api/v1/units/?q=thu%20sy", everyone(200)),
    ("get", "/cong-van/cong-khai/", everyone(200)),
    ("get", "/cong-bo/", signed_in(200)),
    ("get", "/cong-bo/{tien_lu}/2024-07/xem-lai/", signed_in(200, staff_b=404)),
    ("post", "/cong-bo/{tien_lu}/2024-07/cong-bo/", signed_in(403, staff_b=404, leader_a=DONE, admin=DONE)),
    ("get", "/nhap-lieu/", signed_in(200)),
    ("get", "/nhap-lieu/tai-len/", signed_in(200)),
    ("get", "/nhap-lieu/lich-su/{tien_lu}/2024-08/", signed_in(200, staff_b=404)),
    ("post", "/nhap-lieu/lich-su/{revision}/hoan-tac/", signed_in(DONE, staff_b=404)),
    ("get", "/cong-van/", signed_in(200)),
    ("get", "/cong-van/{dispatch}/", signed_in(200, staff_b=403)),
    ("get", "/cong-van/{dispatch}/xem-truoc/", signed_in(200, staff_b=403)),
    ("get", "/cong-van/{dispatch}/tao-lai/", signed_in(200, staff_b=403)),
    ("post", "/cong-van/{dispatch}/ban-ky-so/", signed_in(DONE, staff_b=403)),  # no file: refused with a message
    ("get", "/cong-van/can-cu/?unit=332&period=2024-08", signed_in(200, staff_b=403)),
    ("post", "/cong-van/{dispatch}/chot/", signed_in(403, leader_a=DONE, admin=DONE)),
    ("get", "/admin/", {**everyone(LOGIN), "admin": 200}),
    ("get", "/admin/accounts/auditevent/", {**everyone(LOGIN), "admin": 200}),
]


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    get = AdministrativeUnit.objects.get
    tien_lu, my_hao = get(tree="legacy", code="332"), get(tree="legacy", code="328")
    for key in ("2024-07", "2024-08"):
        rankings_compute(period_key=key)
    publication_publish(period=period_get(year=2024, month=8), scope=tien_lu)
    users = {"anonymous": None}
    for role, unit, kind in [
        ("staff_a", tien_lu, "staff"),
        ("staff_b", my_hao, "staff"),
        ("leader_a", tien_lu, "leader"),
    ]:
        users[role] = User.objects.create_user(role, password="x")
        UnitAssignment.objects.create(user=users[role], unit=unit, role=kind)
    users["admin"] = User.objects.create_superuser("admin", "admin@example.gov.vn", "x")
    revision = ImportRevision.objects.filter(scope=tien_lu, period__year=2024, period__month=8).first()
    dispatch = dispatch_draft(unit=tien_lu, period=period_get(year=2024, month=8))
    return users, {"tien_lu": tien_lu.pk, "revision": revision.pk, "dispatch": dispatch.pk}


def _answer(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if "login" in response["Location"] else DONE
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_url_gives_each_caller_the_designed_answer(client, world, role):
    users, ids = world
    if users[role] is not None:
        client.force_login(users[role])
    answers = {}
    for method, template, _expected in MATRIX:
        url = template.format(**ids)
        answers[url] = _answer(getattr(client, method)(url))
    expected = {template.format(**ids): per_role[role] for _method, template, per_role in MATRIX}
    assert answers == expected
