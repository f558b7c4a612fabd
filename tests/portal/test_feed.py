"""Every link of the Atom feed opens a page with the published month (none 404s)."""

import re

import pytest

from indicators.services import period_get
from publishing.services import publication_publish
from rankings.services import rankings_compute
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_every_feed_link_opens(client, demo):
    for key in ("2024-07", "2024-08", "2024-12", "2025-02"):
        rankings_compute(period_key=key)
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    publication_publish(period=period_get(year=2024, month=8), scope=tien_lu)
    # Hà Nội's month is its place among the provinces; Hưng Yên's is a month of districts only.
    publication_publish(
        period=period_get(year=2024, month=12), scope=AdministrativeUnit.objects.get(tree="legacy", code="01")
    )
    publication_publish(period=period_get(year=2025, month=2), scope=tien_lu.parent)
    feed = client.get("/du-lieu-mo/cac-ky-cong-bo.atom").content.decode()
    links = [link.replace("&amp;", "&") for link in re.findall(r'<link href="http://testserver([^"]+)"', feed)]
    entries = [link for link in links if "period=" in link]
    assert len(entries) == 3
    assert "/don-vi/legacy/01/?period=2024-12" in entries
    assert "/xep-hang/?parent=legacy.33&level=district&period=2025-02" in entries
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
    assert "Thị xã Mỹ Hào" in client.get("/xep-hang/?parent=legacy.33&period=2025-02").content.decode()
