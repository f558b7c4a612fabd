"""A dispatch follows its month: finalised only from published figures, public only while the month is,
and marked when the month was republished after it froze its figures."""

import pytest
from django.core.exceptions import ValidationError

from dispatches.models import Dispatch
from dispatches.services import (
    dispatch_draft,
    dispatch_freeze,
    dispatch_publish,
    dispatch_render,
    dispatch_superseded,
)
from indicators.models import Period
from indicators.services import period_get
from publishing.selectors import public_dispatches
from publishing.services import publication_publish, publication_unpublish
from tests.publishing.conftest import correct
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tien_lu(demo):
    return AdministrativeUnit.objects.get(tree="legacy", code="332")


def test_an_unpublished_month_cannot_be_finalised_and_the_leader_is_told_why(tien_lu):
    august = Period.objects.get(year=2024, month=8)
    dispatch = dispatch_draft(unit=tien_lu, period=august)
    with pytest.raises(ValidationError) as refused:
        dispatch_freeze(dispatch=dispatch)
    assert "Tháng 8/2024 của Huyện Tiên Lữ chưa được công bố" in refused.value.messages[0]
    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.DRAFT and dispatch.frozen_data is None


def test_a_month_without_any_figures_cannot_be_finalised(tien_lu):
    me_linh = AdministrativeUnit.objects.get(tree="legacy", code="250")  # Huyện Mê Linh: no figures in 7/2024
    july = period_get(year=2024, month=7)
    publication_publish(period=july, scope=tien_lu)  # another district's month is published…
    dispatch = dispatch_draft(unit=me_linh, period=july)
    with pytest.raises(ValidationError, match="Tháng 7/2024 chưa có số liệu của Huyện Mê Linh"):
        dispatch_freeze(dispatch=dispatch)
    assert Dispatch.objects.get(pk=dispatch.pk).status == Dispatch.Status.DRAFT


def test_a_final_dispatch_quotes_the_published_figures_not_a_pending_correction(tien_lu):
    august = Period.objects.get(year=2024, month=8)
    publication_publish(period=august, scope=tien_lu)
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    correct(unit=thu_sy, points="51")  # staff's correction, not yet republished
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august))
    row = next(s for s in dispatch.frozen_data["subordinates"] if s["unit"]["name"] == "Xã Thủ Sỹ")
    assert row["total"] == "89.63" and row["rank"] == 1
    assert not dispatch_superseded(dispatch=dispatch)
    publication_publish(period=august, scope=tien_lu)  # the leader republishes with the correction
    assert dispatch_superseded(dispatch=dispatch)


def test_withdrawing_the_month_takes_its_dispatch_off_the_public_list(tien_lu, client):
    august = Period.objects.get(year=2024, month=8)
    publication_publish(period=august, scope=tien_lu)
    dispatch = dispatch_render(dispatch=dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=august)))
    dispatch = dispatch_publish(dispatch=dispatch)
    assert list(public_dispatches()) == [dispatch]
    assert client.get("/cong-van/cong-khai/332/2024-08.pdf").status_code == 200
    assert "/cong-van/cong-khai/332/2024-08.pdf" in client.get("/cong-van/cong-khai/").content.decode()

    publication_unpublish(period=august, scope=tien_lu, user=None, reason="Sai số liệu")

    assert list(public_dispatches()) == []
    assert client.get("/cong-van/cong-khai/332/2024-08.pdf").status_code == 404
    assert "/cong-van/cong-khai/332/2024-08.pdf" not in client.get("/cong-van/cong-khai/").content.decode()
    with pytest.raises(ValidationError, match="chưa được công bố"):
        dispatch_publish(dispatch=Dispatch.objects.get(pk=dispatch.pk))
