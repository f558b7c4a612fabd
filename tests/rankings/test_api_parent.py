"""The API's `parent` takes what the portal's own addresses write ("legacy.332"), a bare code, or a name."""

import pytest

from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def august(demo):
    rankings_compute(period_key="2024-07")
    rankings_compute(period_key="2024-08")
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    publication_publish(period=period_get(year=2024, month=8), scope=tien_lu)
    return tien_lu


@pytest.mark.parametrize("parent", ["legacy.332", "332", "Tiên Lữ", "huyen tien lu", "Huyện Tiên Lữ"])
def test_parent_as_tree_and_code_bare_code_or_name_gives_the_same_list(client, august, parent):
    response = client.get("/api/v1/rankings/", {"period": "2024-08", "parent": parent})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["parent"] == "332" and len(body["results"]) == 15
    assert body["results"][0]["unit_name"] == "Xã Thủ Sỹ"


def test_an_unknown_parent_is_a_json_404_naming_it(client, august):
    response = client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "legacy.999999"})
    assert response.status_code == 404
    assert response.json() == {"error": "Không có đơn vị mã hoặc tên “legacy.999999” trong kỳ 2024-08."}


def test_an_ambiguous_name_lists_the_candidates(client, august):
    # Several communes share this name and none is at a higher level.
    response = client.get("/api/v1/rankings/", {"period": "2024-08", "parent": "Xã Tân Thành"})
    assert response.status_code == 400
    assert "khớp với nhiều đơn vị" in response.json()["error"]
