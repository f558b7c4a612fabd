"""Whatever a visitor types into the URL, the portal answers with a page or a clear 404, never an error."""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/xep-hang/?parent=legacy.332&level=commune&period=2024-08"


@pytest.mark.parametrize(
    "query",
    [
        "&sort=khong-co",
        "&sort=-total",
        "&page=999",
        "&page=abc",
        "&per_page=-1",
        "&level=galaxy",
        "&q=%00%27%22<script>",
    ],
)
def test_rankings_tolerates_odd_parameters(client, all_published, query):
    response = client.get(BASE + query)
    assert response.status_code in (200, 404)
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/xep-hang/?parent=legacy.332&period=2024-13",
        "/xep-hang/?parent=legacy.332&period=abc",
        "/xep-hang/?parent=khong.co",
        "/don-vi/legacy/332/?period=1999-01",
        "/phuong-phap/?period=xx",
    ],
)
def test_unknown_periods_and_units_are_404_or_ignored(client, all_published, url):
    assert client.get(url).status_code in (200, 404)


def test_bad_period_message_is_vietnamese(client, all_published):
    response = client.get("/xep-hang/?parent=legacy.332&period=2024-13")
    assert response.status_code == 404


def test_compare_ignores_unknown_units(client, all_published):
    response = client.get("/so-sanh/?u=khong.co&u=legacy.332&u=")
    assert response.status_code == 200
    assert "Cần ít nhất 2 đơn vị" in response.content.decode()
