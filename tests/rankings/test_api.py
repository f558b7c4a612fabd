import pytest
from django.contrib.auth import get_user_model

from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def august(demo):
    rankings_compute(period_key="2024-07")
    rankings_compute(period_key="2024-08")
    return AdministrativeUnit.objects.get(tree="legacy", code="332")


def test_rankings_are_hidden_from_anonymous_callers_until_the_month_is_published(client, august):
    assert client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "332"}).status_code == 404
    publication_publish(period=period_get(year=2024, month=8), scope=august)
    assert client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "332"}).status_code == 200


def test_rankings_list_the_communes_in_rank_order_as_design_section_7_says(client, august, django_assert_num_queries):
    publication_publish(period=period_get(year=2024, month=8), scope=august)
    body = client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "332"}).json()
    # July is not published: a change of rank would be measured against figures the public never saw.
    assert all(r["rank_change"] is None for r in body["results"])
    publication_publish(period=period_get(year=2024, month=7), scope=august)
    # the parent, the public results, the data-as-of time of the published figures
    with django_assert_num_queries(3):
        response = client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "332"})
    body = response.json()
    assert set(body) == {"period", "parent", "data_as_of", "months_averaged", "results"}
    assert (body["period"], body["parent"]) == ("2024-08", "332")
    assert body["data_as_of"].startswith("2024-09-05T")
    results = body["results"]
    assert len(results) == 15
    first, last = results[0], results[-1]
    assert set(first) == {
        *("unit_code", "unit_name", "total", "rank", "rank_of", "total_change", "rank_change", "band"),
        *("rank_source", "peer_count", "ranked_count"),
    }
    assert (first["unit_name"], first["total"], first["rank"], first["rank_of"]) == ("Xã Thủ Sỹ", 89.63, 1, 15)
    assert (first["rank_source"], first["peer_count"], first["ranked_count"]) == ("computed", 15, 15)
    assert (first["total_change"], first["band"]) == (6.96, "Tốt")
    assert (last["unit_name"], last["total"], last["rank"], last["total_change"]) == ("Xã Cương Chính", 83.28, 15, -2.6)
    assert '"total": 89.63' in response.content.decode()  # a JSON number, not a string
    assert [r["rank"] for r in results] == sorted(r["rank"] for r in results)
    assert all(isinstance(r["rank_change"], int) for r in results)


def test_even_an_administrator_reads_only_the_published_record(client, august):
    staff = get_user_model().objects.create_user("quantri", password="x", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "332"}).status_code == 404


def test_a_quarter_averages_only_its_published_months(client, august):
    rankings_compute(period_key="2024-Q3")
    publication_publish(period=period_get(year=2024, month=8), scope=august)
    body = client.get("/api/v1/rankings/", {"period": "2024-Q3", "parent": "332"}).json()
    thu_sy = next(r for r in body["results"] if r["unit_name"] == "Xã Thủ Sỹ")
    assert thu_sy["total"] == 89.63 and body["months_averaged"] == 1  # July is not published: not averaged in
    publication_publish(period=period_get(year=2024, month=7), scope=august)
    body = client.get("/api/v1/rankings/", {"period": "2024-Q3", "parent": "332"}).json()
    thu_sy = next(r for r in body["results"] if r["unit_name"] == "Xã Thủ Sỹ")
    assert thu_sy["total"] == round((89.63 - 6.96 + 89.63) / 2, 2) and body["months_averaged"] == 2
    assert body["period"] == "2024-Q3" and body["results"][0]["rank"] == 1 and len(body["results"]) == 15


def test_nationwide_provinces_show_units_without_data_last_and_unranked(client, demo):
    rankings_compute(period_key="2024-12")
    publication_publish(
        period=period_get(year=2024, month=12), scope=AdministrativeUnit.objects.get(tree="legacy", code="01")
    )
    body = client.get("/api/v1/rankings/", {"period": "2024-12"}).json()
    assert body["parent"] is None and len(body["results"]) == 63
    assert body["results"][0]["unit_name"] == "Thành phố Hà Nội" and body["results"][0]["total"] == 62.28
    assert all(r["rank"] is None and r["total"] is None for r in body["results"][1:])


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"period": "2024-13", "parent": "332"}, 400, "Tham số period"),
        ({"period": "2024-08", "parent": "khong-co"}, 404, "Không có đơn vị mã"),
        ({"period": "2024-08", "parent": "332", "scope": "x"}, 400, "Tham số scope"),
    ],
)
def test_rankings_reject_bad_parameters_with_a_vietnamese_message(client, august, params, status, message):
    response = client.get("/api/v1/rankings/", params)
    assert response.status_code == status and message in response.json()["error"]


def test_units_are_found_without_diacritics(client, unit_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/api/v1/units/", {"q": "tien lu"})
    units = response.json()
    district = next(u for u in units if u["name"] == "Huyện Tiên Lữ")
    assert district == {
        "code": "332",
        "name": "Huyện Tiên Lữ",
        "level": "district",
        "parent_code": "33",
        "valid_from": None,
        "valid_to": "2025-06-30",
    }
    assert client.get("/api/v1/units/").status_code == 400
