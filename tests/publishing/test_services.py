"""Publishing is a snapshot: what it made public stays public, exactly, until a leader publishes again."""

from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist

from accounts.models import AuditEvent
from indicators.models import ImportRevision, Score
from indicators.revisions import revision_revert
from indicators.services import period_get
from publishing.models import Publication, PublicationEvent, PublicScore, PublishedUnit
from publishing.selectors import is_public, public_results
from publishing.services import (
    NothingToPublish,
    pending_change,
    publication_publish,
    publication_review,
    publication_unpublish,
)

from .conftest import correct

pytestmark = pytest.mark.django_db


def _public_total(unit, period) -> Decimal | None:
    row = PublicScore.objects.filter(unit=unit, period=period, indicator__kind="total").first()
    return row.points if row else None


def _public_rank(unit, key="2024-08"):
    row = public_results().filter(unit=unit, period_key=key, scope="peer").first()
    return (row.rank, row.rank_of, row.total) if row else None


def test_publishing_a_district_snapshots_its_revisions_and_makes_only_its_subtree_public(units, august):
    assert not is_public(period=august, unit=units["thu_sy"])
    assert not public_results().filter(period_key="2024-08").exists()
    publication = publication_publish(period=august, scope=units["tien_lu"])

    assert is_public(period=august, unit=units["thu_sy"]) and is_public(period=august, unit=units["tien_lu"])
    assert not is_public(period=august, unit=units["my_hao"])
    assert not is_public(period=period_get(year=2024, month=9), unit=units["thu_sy"])
    # The snapshot names, for each unit with figures, the revision they came from.
    current = dict(Score.objects.filter(period=august).values_list("unit_id", "revision_id").distinct())
    snapshot = dict(PublishedUnit.objects.filter(publication=publication).values_list("unit_id", "revision_id"))
    assert snapshot == current and len(snapshot) == 16  # the district and its 15 communes
    assert _public_total(units["thu_sy"], august) == Decimal("89.63")
    assert _public_rank(units["thu_sy"]) == (1, 15, Decimal("89.63"))
    again = publication_publish(period=august, scope=units["tien_lu"])
    assert again.pk == publication.pk and again.version == 2
    assert again.first_published_at == publication.first_published_at


def test_a_staff_correction_waits_for_the_leader_and_republishing_logs_what_changed(units, august):
    publication_publish(period=august, scope=units["tien_lu"])
    publication = Publication.objects.get(period=august, scope=units["tien_lu"])
    assert not pending_change(publication=publication)

    correct(unit=units["thu_sy"], points="51")  # what the reviewer saw: 89,63 → 51 went public at once

    assert Score.objects.get(unit=units["thu_sy"], period=august, indicator__kind="total").points == Decimal("51")
    assert _public_total(units["thu_sy"], august) == Decimal("89.63")
    assert _public_rank(units["thu_sy"]) == (1, 15, Decimal("89.63"))
    pending = pending_change(publication=publication)
    assert pending and pending.units_changed == 1
    note = AuditEvent.objects.get(action="pending_change")
    assert note.unit == units["tien_lu"] and "chưa công bố" in note.summary

    republished = publication_publish(period=august, scope=units["tien_lu"])
    assert republished.version == 2 and not pending_change(publication=republished)
    assert _public_total(units["thu_sy"], august) == Decimal("51")
    assert _public_rank(units["thu_sy"]) == (15, 15, Decimal("51.00"))
    event = PublicationEvent.objects.filter(publication=republished).order_by("-pk").first()
    assert event.action == "republish" and event.version == 2
    thu_sy = [c for c in event.changes if c["unit"] == "Xã Thủ Sỹ"]
    assert {"field": "total", "before": "89.63", "after": "51.00"} in [
        {k: c[k] for k in ("field", "before", "after")} for c in thu_sy
    ]
    assert {"field": "rank", "before": "1/15", "after": "15/15"} in [
        {k: c[k] for k in ("field", "before", "after")} for c in thu_sy
    ]
    # Every commune below Thủ Sỹ moved up one rank: the log says so too.
    assert any(c["unit"] == "Xã Hải Triều" and c["after"] == "1/15" for c in event.changes)


def test_a_revert_of_a_published_month_is_a_pending_change_too(units, august):
    first = correct(unit=units["thu_sy"], points="80")
    publication_publish(period=august, scope=units["tien_lu"])
    correct(unit=units["thu_sy"], points="70")
    publication_publish(period=august, scope=units["tien_lu"])
    assert _public_total(units["thu_sy"], august) == Decimal("70")

    revision_revert(revision=first)

    assert Score.objects.get(unit=units["thu_sy"], period=august, indicator__kind="total").points == Decimal("80")
    assert _public_total(units["thu_sy"], august) == Decimal("70")
    assert pending_change(publication=Publication.objects.get(period=august, scope=units["tien_lu"]))


def test_withdrawing_hides_the_month_but_keeps_what_a_wider_publication_covers(units, august):
    publication_publish(period=august, scope=units["hung_yen"])
    correct(unit=units["thu_sy"], points="60")
    publication_publish(period=august, scope=units["tien_lu"])  # the later, narrower snapshot wins
    assert _public_total(units["thu_sy"], august) == Decimal("60")

    with pytest.raises(ValueError, match="lý do"):
        publication_unpublish(period=august, scope=units["tien_lu"], user=None, reason="  ")
    publication_unpublish(period=august, scope=units["tien_lu"], user=None, reason="Số liệu xã Thủ Sỹ sai")

    # Hưng Yên's publication still covers the district, with the figures it published.
    assert is_public(period=august, unit=units["thu_sy"])
    assert _public_total(units["thu_sy"], august) == Decimal("89.63")
    publication_unpublish(period=august, scope=units["hung_yen"], user=None, reason="Rút lại")
    assert not is_public(period=august, unit=units["thu_sy"])
    assert not PublicScore.objects.filter(period=august).exists()
    assert not public_results().filter(period_key="2024-08").exists()
    assert not public_results().filter(period_key="2024-Q3").exists()
    actions = list(AuditEvent.objects.order_by("at", "pk").values_list("action", flat=True))
    assert actions.count("publish") == 2 and actions.count("unpublish") == 2


def test_a_month_without_figures_cannot_be_published_and_nothing_changes(units):
    september = period_get(year=2024, month=9)
    with pytest.raises(NothingToPublish, match="chưa có số liệu của Huyện Tiên Lữ"):
        publication_publish(period=september, scope=units["tien_lu"])
    assert not Publication.objects.filter(period=september).exists()
    assert not AuditEvent.objects.filter(action="publish").exists()


def test_the_review_shows_the_month_as_publishing_makes_it_and_writes_nothing(units, august):
    publication_publish(period=august, scope=units["tien_lu"])
    correct(unit=units["vuong"], points="95")
    before = (
        Publication.objects.get(period=august, scope=units["tien_lu"]).version,
        PublicationEvent.objects.count(),
        list(PublicScore.objects.order_by("pk").values_list("pk", "points")),
        AuditEvent.objects.count(),
    )

    review = publication_review(period=august, scope=units["tien_lu"])

    after = (
        Publication.objects.get(period=august, scope=units["tien_lu"]).version,
        PublicationEvent.objects.count(),
        list(PublicScore.objects.order_by("pk").values_list("pk", "points")),
        AuditEvent.objects.count(),
    )
    assert after == before
    communes = review.levels["commune"]
    assert [(r.unit.name, r.rank) for r in communes[:2]] == [("Thị trấn Vương", 1), ("Xã Thủ Sỹ", 2)]
    assert {"unit": "Thị trấn Vương", "field": "total", "before": "87.42", "after": "95.00"} in [
        {k: c[k] for k in ("unit", "field", "before", "after")} for c in review.changes
    ]
    assert review.own.total == Decimal("88.03") and review.own.rank is None  # alone in Hưng Yên: no rank
    assert review.error == "" and review.revisions and review.data_as_of is not None
    publication_publish(period=august, scope=units["tien_lu"])
    published = {
        r.unit_id: (r.rank, r.total) for r in public_results().filter(period_key="2024-08", parent=units["tien_lu"])
    }
    assert {r.unit_id: (r.rank, r.total) for r in communes} == published


def test_a_quarter_is_public_only_through_its_published_months(units, august):
    july = period_get(year=2024, month=7)
    publication_publish(period=july, scope=units["tien_lu"])
    quarter = public_results().get(period_key="2024-Q3", unit=units["thu_sy"], scope="peer")
    july_total = Score.objects.get(unit=units["thu_sy"], period=july, indicator__kind="total").points
    assert quarter.total == july_total and quarter.months_count == 1  # August is not published
    publication_publish(period=august, scope=units["tien_lu"])
    quarter = public_results().get(period_key="2024-Q3", unit=units["thu_sy"], scope="peer")
    assert quarter.months_count == 2 and quarter.total == ((july_total + Decimal("89.63")) / 2).quantize(
        Decimal("0.01")
    )


def test_revisions_of_a_snapshot_are_protected_from_deletion(units, august):
    publication = publication_publish(period=august, scope=units["tien_lu"])
    revision = ImportRevision.objects.get(pk=PublishedUnit.objects.filter(publication=publication).first().revision_id)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        revision.delete()
    with pytest.raises(ObjectDoesNotExist):
        Publication.objects.get(period=august, scope=units["my_hao"])
