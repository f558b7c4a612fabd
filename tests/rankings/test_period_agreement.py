"""The rankings page and the API read `?period=` by the one period rule: the same text, the same answer."""

import pytest

from indicators.models import Period
from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

# text → the status both must answer: a month written loosely and a quarter in lower case are the same
# periods as their canonical keys; a malformed or out-of-range text is a 400 with the parser's message;
# a well-formed period nobody published is a 404.
CASES = {
    "2024-08": 200,
    "2024-8": 200,
    " 2024-08 ": 200,
    "2024-Q3": 200,
    "2024-q3": 200,
    "2024": 200,
    "2024-13": 400,
    "1999-01": 400,
    "2024-Q5": 400,
    "tháng 8": 400,
    "2024-07": 404,
    "2023-08": 404,
}


@pytest.fixture
def published_august(demo):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    for key in ("2024-07", "2024-08", "2024-Q3", "2024"):
        rankings_compute(period_key=key)
    publication_publish(period=period_get(year=2024, month=8), scope=tien_lu)
    return tien_lu


@pytest.mark.parametrize("text", CASES)
def test_the_page_and_the_api_give_the_same_answer_for_the_same_period(client, published_august, text):
    api = client.get("/api/v1/rankings/", {"period": text, "parent": "legacy.332"})
    page = client.get("/xep-hang/", {"period": text, "parent": "legacy.332", "level": "commune"})
    assert (api.status_code, page.status_code) == (CASES[text], CASES[text])
    if CASES[text] == 400:
        message = api.json()["error"].removeprefix("Tham số period: ")
        assert message.startswith(f"Kỳ “{text.strip()}”")
        assert message in page.content.decode()
    if CASES[text] == 200:
        canonical = {"2024-8": "2024-08", " 2024-08 ": "2024-08", "2024-q3": "2024-Q3"}.get(text, text)
        assert api.json()["period"] == canonical
        assert api.json()["results"][0]["unit_name"] == "Xã Thủ Sỹ"
        assert "Xã Thủ Sỹ" in page.content.decode()


def test_reading_a_period_never_creates_one(client, published_august):
    before = set(Period.objects.values_list("year", "month"))
    for text in ("2024-11", "2030-01", "2024-Q4"):
        assert client.get("/api/v1/rankings/", {"period": text, "parent": "legacy.332"}).status_code == 404
        assert client.get("/xep-hang/", {"period": text, "parent": "legacy.332"}).status_code == 404
    for text in ("2024-11", "2030-01", "2024-13"):
        assert client.get(f"/cong-van/cong-khai/332/{text}.pdf").status_code == 404
    assert set(Period.objects.values_list("year", "month")) == before
