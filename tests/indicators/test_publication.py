import pytest

from indicators.selectors import is_published
from indicators.services import period_get, publication_publish
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_publishing_a_district_makes_its_communes_public_but_not_its_neighbours(unit_tree):
    period = period_get(year=2024, month=8)
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    my_hao = AdministrativeUnit.objects.get(tree="legacy", code="328")
    assert not is_published(period=period, unit=thu_sy)
    publication = publication_publish(period=period, scope=tien_lu)
    assert is_published(period=period, unit=thu_sy) and is_published(period=period, unit=tien_lu)
    assert not is_published(period=period, unit=my_hao)
    assert not is_published(period=period_get(year=2024, month=9), unit=thu_sy)
    again = publication_publish(period=period, scope=tien_lu)
    assert again.pk == publication.pk and again.version == 2
    assert again.first_published_at == publication.first_published_at
