import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from accounts.models import AuditEvent, UnitAssignment
from accounts.permissions import user_can
from indicators.services import period_get
from publishing.selectors import is_public as is_published
from publishing.services import publication_publish, publication_unpublish
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(unit_tree):
    get = AdministrativeUnit.objects.get
    return {
        "hung_yen": get(tree="legacy", code="33"),
        "tien_lu": get(tree="legacy", code="332"),
        "thu_sy": get(tree="legacy", code="12367"),
        "my_hao": get(tree="legacy", code="328"),
    }


def _user(name, unit=None, role=None, **extra):
    user = User.objects.create_user(name, f"{name}@example.gov.vn", "mat-khau-dai-123", **extra)
    if unit:
        UnitAssignment.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2():
    user = _user("argon")
    assert user.password.startswith("argon2$")


def test_roles_act_on_their_subtree_only(units):
    staff = _user("staff", units["tien_lu"], "staff")
    leader = _user("leader", units["hung_yen"], "leader")
    admin = _user("root", is_superuser=True)
    assert user_can(staff, "import", units["thu_sy"]) and user_can(staff, "import", units["tien_lu"])
    assert not user_can(staff, "import", units["my_hao"]) and not user_can(staff, "import", units["hung_yen"])
    assert not user_can(staff, "publish", units["tien_lu"])
    assert user_can(leader, "publish", units["thu_sy"]) and user_can(leader, "publish", units["my_hao"])
    assert not user_can(leader, "manage", units["tien_lu"])
    assert user_can(admin, "manage", units["hung_yen"])
    inactive = _user("gone", units["tien_lu"], "staff")
    inactive.is_active = False
    assert not user_can(inactive, "import", units["thu_sy"])


def test_publish_and_unpublish_are_recorded_and_unpublish_needs_a_reason(units, demo):
    leader = _user("leader", units["tien_lu"], "leader")
    period = period_get(year=2024, month=8)
    publication_publish(period=period, scope=units["tien_lu"], user=leader)
    with pytest.raises(ValueError, match="lý do"):
        publication_unpublish(period=period, scope=units["tien_lu"], user=leader, reason="  ")
    assert is_published(period=period, unit=units["thu_sy"])
    publication_unpublish(period=period, scope=units["tien_lu"], user=leader, reason="Số liệu xã Thủ Sỹ sai")
    assert not is_published(period=period, unit=units["thu_sy"])
    events = list(AuditEvent.objects.order_by("at").values_list("action", "username", "unit__code", "summary"))
    assert [e[:3] for e in events] == [("publish", "leader", "332"), ("unpublish", "leader", "332")]
    assert "Số liệu xã Thủ Sỹ sai" in events[1][3]


def test_login_page_is_in_vietnamese_and_logs_in(client):
    _user("canbo")
    page = client.get("/tai-khoan/login/")
    assert "Đăng nhập cho cán bộ" in page.content.decode()
    response = client.post("/tai-khoan/login/", {"username": "canbo", "password": "mat-khau-dai-123"})
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated


@pytest.mark.lockout
def test_repeated_failures_lock_the_account_with_a_clear_message_until_unlocked(client, settings):
    from axes.utils import reset

    _user("canbo")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/tai-khoan/login/", {"username": "canbo", "password": "sai"})
    locked = client.post("/tai-khoan/login/", {"username": "canbo", "password": "mat-khau-dai-123"})
    assert locked.status_code == 429
    assert "tạm thời bị khóa" in locked.content.decode()
    reset(username="canbo")  # what the administrator's unlock does
    ok = client.post("/tai-khoan/login/", {"username": "canbo", "password": "mat-khau-dai-123"})
    assert ok.status_code == 302


@pytest.mark.lockout
def test_behind_the_load_balancer_an_attacker_locks_out_only_itself(client, settings):
    """Lockout is per (account, client address): the address must be the client's, not the balancer's."""
    settings.TRUSTED_PROXY_COUNT = 1
    _user("canbo")
    via_balancer = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/tai-khoan/login/",
            {"username": "canbo", "password": "sai"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **via_balancer,
        )
    good = {"username": "canbo", "password": "mat-khau-dai-123"}
    attacker = client.post("/tai-khoan/login/", good, HTTP_X_FORWARDED_FOR="203.0.113.7", **via_balancer)
    owner = client.post("/tai-khoan/login/", good, HTTP_X_FORWARDED_FOR="198.51.100.9", **via_balancer)
    assert (attacker.status_code, owner.status_code) == (429, 302)


def test_password_reset_sends_a_vietnamese_email_with_a_working_link(client):
    _user("canbo")
    client.post("/tai-khoan/password_reset/", {"email": "canbo@example.gov.vn"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Đặt lại mật khẩu" in message.subject
    link = re.search(r"http://testserver(\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "mat-khau-moi-456", "new_password2": "mat-khau-moi-456"}
    )
    assert done.status_code == 302
    assert User.objects.get(username="canbo").check_password("mat-khau-moi-456")


def test_pages_send_a_content_security_policy_without_inline_scripts_and_deny_framing(client, unit_tree):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_admin_changes_to_units_and_users_are_in_the_audit_trail(client, units):
    root = _user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    unit = units["thu_sy"]
    url = f"/admin/units/administrativeunit/{unit.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(
        {
            "name": "Xã Thủ Sỹ (sửa)",
            "parent": unit.parent_id,
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
            "successor_links-TOTAL_FORMS": 0,
            "successor_links-INITIAL_FORMS": 0,
        }
    )
    data.pop("successors", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="unit_change")
    assert event.unit == unit and event.username == "root"
    assert event.before["name"] == "Xã Thủ Sỹ" and event.after["name"] == "Xã Thủ Sỹ (sửa)"
    assert "name" in event.summary

    staff = _user("canbo")
    response = client.post(
        "/admin/accounts/unitassignment/add/", {"user": staff.pk, "unit": units["tien_lu"].pk, "role": "staff"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user_change")
    assert event.unit == units["tien_lu"] and "canbo" in event.summary
    # The trail itself cannot be edited from the admin.
    page = client.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # shown, read-only
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403


def test_no_page_needs_inline_styles_and_the_policy_allows_none(client, unit_tree):
    from indicators.demo import demo_load

    demo_load()
    response = client.get("/")
    style_src = re.search(r"style-src ([^;]+)", response["Content-Security-Policy"]).group(1)
    assert "'unsafe-inline'" not in style_src
    embed = client.get("/nhung/don-vi/legacy/332/")
    assert "'unsafe-inline'" not in embed["Content-Security-Policy"]
    for path in (
        "/",
        "/xep-hang/?parent=legacy.332",
        "/phuong-phap/",
        "/ban-do/?parent=legacy.332",
        "/nhung/don-vi/legacy/332/",
    ):
        html = client.get(path).content.decode()
        assert 'style="' not in html and "<style" not in html, path
    # The bands' colours, which the pages used to write inline, come as a stylesheet of their own.
    css = client.get("/mau-xep-loai.css")
    assert css["Content-Type"].startswith("text/css") and "--band: #" in css.content.decode()
