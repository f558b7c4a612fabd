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


def test_imports_and_reverts_are_recorded_in_the_audit_trail(unit_tree):
    import datetime

    from django.contrib.auth.models import User

    from accounts.models import AuditEvent
    from indicators.revisions import revision_revert
    from indicators.selectors import framework_for
    from indicators.services import Value, indicators_by_code, revision_apply

    staff = User.objects.create_user("canbo")
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    total = indicators_by_code(framework=framework_for())["total"]
    period = period_get(year=2024, month=8)
    as_of = datetime.datetime(2024, 9, 5, 12, tzinfo=datetime.UTC)

    def apply(points):
        return revision_apply(
            period=period,
            scope=tien_lu,
            values=[Value(unit_id=thu_sy.pk, indicator_id=total.pk, points=points)],
            file_name="t8.xlsx",
            file_sha256="ab",
            data_as_of=as_of,
            user=staff,
        )

    first = apply(89)
    apply(90)
    revision_revert(revision=first, user=staff)
    events = list(AuditEvent.objects.order_by("at", "pk").values_list("action", "username", "unit_id", "period_id"))
    assert events == [("import", "canbo", tien_lu.pk, period.pk)] * 2 + [("revert", "canbo", tien_lu.pk, period.pk)]
    assert "lần nhập số 1" in AuditEvent.objects.get(action="revert").summary
