import pytest
from django.contrib.auth.models import User

from accounts.models import AuditEvent, UnitAssignment
from indicators.services import period_get
from publishing.models import Publication
from publishing.selectors import is_public as is_published
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tien_lu(demo):
    return AdministrativeUnit.objects.get(tree="legacy", code="332")


def _login(client, role, unit):
    user = User.objects.create_user(role, password="x")
    UnitAssignment.objects.create(user=user, unit=unit, role=role)
    client.force_login(user)
    return user


def test_leader_publishes_and_unpublishes_a_month_from_the_desk(client, tien_lu):
    _login(client, "leader", tien_lu)
    august = period_get(year=2024, month=8)
    page = client.get("/cong-bo/").content.decode()
    assert "Huyện Tiên Lữ" in page and "Chưa công bố" in page
    unconfirmed = client.post(f"/cong-bo/{tien_lu.pk}/2024-08/cong-bo/", follow=True)
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.content.decode()
    assert not is_published(period=august, unit=tien_lu)
    response = client.post(f"/cong-bo/{tien_lu.pk}/2024-08/cong-bo/", {"confirm": "yes"}, follow=True)
    assert "Đã công bố kết quả tháng 8/2024 của Huyện Tiên Lữ (lần 1)" in response.content.decode()
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    assert is_published(period=august, unit=thu_sy)

    refused = client.post(f"/cong-bo/{tien_lu.pk}/2024-08/go/", {"reason": " "}, follow=True)
    assert "Cần ghi lý do gỡ công bố." in refused.content.decode()
    assert is_published(period=august, unit=thu_sy)
    client.post(f"/cong-bo/{tien_lu.pk}/2024-08/go/", {"reason": "Sai số liệu xã Thủ Sỹ"})
    assert not is_published(period=august, unit=thu_sy)
    assert list(AuditEvent.objects.order_by("at").values_list("action", flat=True)) == ["publish", "unpublish"]


def test_staff_sees_the_desk_but_cannot_publish(client, tien_lu):
    _login(client, "staff", tien_lu)
    assert "Lãnh đạo công bố" in client.get("/cong-bo/").content.decode()
    assert client.post(f"/cong-bo/{tien_lu.pk}/2024-08/cong-bo/", {"confirm": "yes"}).status_code == 403
    assert not Publication.objects.exists()


def test_a_leader_of_another_district_neither_sees_nor_publishes(client, tien_lu):
    my_hao = AdministrativeUnit.objects.get(tree="legacy", code="328")
    _login(client, "leader", my_hao)
    assert client.get("/cong-bo/").context["entries"] == []
    assert client.get(f"/cong-bo/{tien_lu.pk}/2024-08/xem-lai/").status_code == 404
    assert client.post(f"/cong-bo/{tien_lu.pk}/2024-08/cong-bo/", {"confirm": "yes"}).status_code == 404
    assert not Publication.objects.exists()


def test_anonymous_is_sent_to_the_login(client, tien_lu):
    response = client.get("/cong-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")


def test_the_desk_reads_a_fixed_number_of_queries_however_many_months(client, tien_lu, django_assert_num_queries):
    _login(client, "leader", tien_lu)
    client.get("/cong-bo/")  # warm the session and the home unit
    with django_assert_num_queries(13):
        response = client.get("/cong-bo/")
    assert len(response.context["entries"]) == 12  # the demo's twelve months of Tiên Lữ


def test_the_review_page_shows_the_correction_as_it_will_appear_and_what_differs(client, tien_lu):
    from publishing.services import publication_publish
    from tests.publishing.conftest import correct

    august = period_get(year=2024, month=8)
    publication_publish(period=august, scope=tien_lu)
    correct(unit=AdministrativeUnit.objects.get(tree="legacy", code="12367"), points="51")
    _login(client, "leader", tien_lu)
    desk = client.get("/cong-bo/").content.decode()
    assert "Có thay đổi chưa công bố" in desk
    page = client.get(f"/cong-bo/{tien_lu.pk}/2024-08/xem-lai/").content.decode()
    assert "Như sẽ hiện với người dân" in page and "Khác với bản đang công bố" in page
    # Thủ Sỹ drops from first to last: the table shows it at 15/15 and the differences say so.
    assert page.index("Xã Hải Triều") < page.index("Xã Thủ Sỹ")
    assert "89,63" in page and "51" in page and "1/15" in page and "15/15" in page
    assert 'name="confirm"' in page
    assert Publication.objects.get(period=august, scope=tien_lu).version == 1  # looking changed nothing


def test_staff_may_preview_the_review_page_but_it_offers_no_publish_button(client, tien_lu):
    _login(client, "staff", tien_lu)
    page = client.get(f"/cong-bo/{tien_lu.pk}/2024-08/xem-lai/").content.decode()
    assert "Như sẽ hiện với người dân" in page and 'name="confirm"' not in page
    assert "Lãnh đạo xem lại và công bố" in page
