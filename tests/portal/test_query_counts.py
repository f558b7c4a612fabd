"""Pinned query counts of the pages that list things: a count that grows with the rows is an N+1 bug."""

import pytest

from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def _count(client, url, django_assert_num_queries, expected):
    client.get("/healthz")
    client.get("/du-lieu-mo/")  # warms the data version kept in the cache
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    assert response["X-Cache"] == "miss"


def test_home_query_count(client, all_published, django_assert_num_queries):
    # + the months of the subordinate units' results and the published months (kept in the cache afterwards)
    _count(client, "/", django_assert_num_queries, 17)


def test_unit_profile_query_count(client, all_published, django_assert_num_queries):
    unit = AdministrativeUnit.objects.get(tree="legacy", code="12364")  # merged: predecessors' history too
    _count(client, f"/don-vi/legacy/{unit.code}/", django_assert_num_queries, 16)


def test_district_profile_query_count(client, all_published, django_assert_num_queries):
    _count(client, "/don-vi/legacy/332/", django_assert_num_queries, 18)


def test_map_query_count(client, all_published, django_assert_num_queries):
    _count(client, "/ban-do/?parent=legacy.332&period=2024-08", django_assert_num_queries, 8)


def test_embed_children_query_count(client, all_published, django_assert_num_queries):
    _count(client, "/nhung/xep-hang/legacy/332/", django_assert_num_queries, 11)


def test_compare_query_count(client, all_published, django_assert_num_queries):
    units = AdministrativeUnit.objects.filter(parent__code="332", tree="legacy").order_by("name")[:3]
    url = "/so-sanh/?" + "&".join(f"u=legacy.{u.code}" for u in units)
    _count(client, url, django_assert_num_queries, 32)
