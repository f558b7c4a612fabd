"""The public page cache: keyed on the parameters a page uses, never holding errors, bounded in size."""

import pytest

from portal.caching import pages_stored
from rankings.models import RankingResult

pytestmark = pytest.mark.django_db

URL = "/xep-hang/?parent=legacy.332&level=commune&period=2024-08"


def test_cache_busting_parameters_neither_add_pages_nor_show_in_the_page(client, all_published):
    first = client.get(URL + "&nc=0")
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    for n in range(1, 40):
        response = client.get(URL + f"&nc={n}&utm_source=x{n}")
        assert response.status_code == 200 and response["X-Cache"] == "hit"
        assert response["ETag"] == first["ETag"]
    assert pages_stored() == 1
    assert b"nc=" not in first.content and b"utm_source" not in first.content  # not in links either


def test_the_order_of_parameters_does_not_make_another_page(client, all_published):
    client.get("/xep-hang/?parent=legacy.332&period=2024-08&level=commune")
    assert client.get("/xep-hang/?level=commune&period=2024-08&parent=legacy.332")["X-Cache"] == "hit"


def test_a_parameter_the_page_uses_still_makes_its_own_page(client, all_published):
    august = client.get(URL)
    july = client.get(URL.replace("2024-08", "2024-07"))
    assert july["X-Cache"] == "miss" and july.content != august.content
    assert pages_stored() == 2


def test_error_answers_are_never_cached(client, published):
    for _ in range(3):
        for url in (URL, "/don-vi/legacy/khong-co/"):
            response = client.get(url)  # 8/2024 is not published; no such unit
            assert response.status_code == 404, url
            assert response.get("X-Cache") != "hit" and "public" not in response.get("Cache-Control", "")
    assert pages_stored() == 0


def test_the_cache_holds_at_most_the_configured_number_of_pages(client, all_published, settings):
    settings.PORTAL_CACHE_MAX_PAGES = 3
    pages = [URL + f"&page=1&per_page={n}" for n in (25, 50, 100, 200)] + [URL + "&q=xa"]
    for page in pages:
        assert client.get(page).status_code == 200
    assert pages_stored() == 3
    assert [client.get(page)["X-Cache"] for page in pages] == ["hit", "hit", "hit", "miss", "miss"]


def test_a_raw_page_size_parameter_cannot_shrink_the_table_for_everyone(client, all_published):
    rows = RankingResult.objects.filter(period_key="2024-08", parent=all_published, public=True).count()
    small = client.get(URL + "&_per_page=1").content.decode()
    normal = client.get(URL).content.decode()
    assert small.count("<tr") == normal.count("<tr") >= rows
