"""Generated text that follows the data: recipients by level, the month's upstream documents in "Căn cứ",
regeneration that shows what changes and keeps the leader's edits."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dispatches.models import UpstreamDocument
from dispatches.selectors import upstream_suggestions
from dispatches.services import (
    dispatch_draft,
    dispatch_regenerate,
    dispatch_staleness,
    dispatch_update,
    upstream_document_add,
)
from indicators.models import Period
from indicators.services import period_get

from .factories import apply_figures, ha_noi_december, legacy, rank_months

pytestmark = pytest.mark.django_db


def test_a_province_writes_to_its_departments_as_so_ban_nganh(demo):
    dispatch = dispatch_draft(unit=ha_noi_december(), period=Period.objects.get(year=2024, month=12))
    # Hà Nội's profile has its own recipients; the default for a province without one:
    from dispatches.selectors import dispatch_data
    from dispatches.wording import default_recipients

    data = dispatch_data(unit=legacy("33"), period=period_get(year=2025, month=2))
    assert default_recipients(data) == "Các sở, ban, ngành thuộc UBND tỉnh;\nUBND các huyện, thị xã, thành phố."
    assert "phòng" not in default_recipients(data)
    assert dispatch.recipients.startswith("Giám đốc, Thủ trưởng các Sở, ban, ngành")


def test_upstream_documents_are_printed_in_the_legal_bases(tien_lu):
    august = Period.objects.get(year=2024, month=8)
    upstream_document_add(
        scope=legacy("33"),  # the province's letter: every dispatch of the province cites it
        period=august,
        kind="Công văn",
        number="303/VPUB-PVHCC&KSTT",
        issued_on=datetime.date(2024, 9, 5),
        issuer="Văn phòng UBND tỉnh Hưng Yên",
        subject="công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, "
        "cung cấp dịch vụ công tháng 8/2024",
    )
    dispatch = dispatch_draft(unit=tien_lu, period=august)
    assert dispatch.legal_bases.splitlines()[1] == (
        "Căn cứ Công văn số 303/VPUB-PVHCC&KSTT ngày 05/9/2024 của Văn phòng UBND tỉnh Hưng Yên về việc công bố "
        "kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch vụ công "
        "tháng 8/2024;"
    )


def test_next_month_is_offered_the_previous_months_pattern(demo):
    hung_yen = legacy("33")
    upstream_document_add(
        scope=hung_yen,
        period=period_get(year=2025, month=2),
        kind="Công văn",
        number="63/VPUB-PVHCC&KSTT",
        issued_on=datetime.date(2025, 3, 5),
        issuer="Văn phòng UBND tỉnh Hưng Yên",
        subject="công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp tháng 02/2025",
    )
    assert upstream_suggestions(scope=hung_yen, period=period_get(year=2025, month=3)) == [
        {
            "kind": "Công văn",
            "number": "/VPUB-PVHCC&KSTT",
            "issuer": "Văn phòng UBND tỉnh Hưng Yên",
            "subject": "công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp tháng 03/2025",
        }
    ]


@pytest.mark.parametrize(
    ("number", "message"),
    [("/VPUB-PVHCC&KSTT", "phải có số trước dấu"), ("63/VPUB-PVHCC&KSTT", "đã được nhập")],
)
def test_a_bad_or_repeated_upstream_number_is_refused_and_nothing_changes(demo, number, message):
    hung_yen, february = legacy("33"), period_get(year=2025, month=2)
    fields = dict(kind="Công văn", issued_on=datetime.date(2025, 3, 5), issuer="VP UBND tỉnh", subject="công bố")
    upstream_document_add(scope=hung_yen, period=february, number="63/VPUB-PVHCC&KSTT", **fields)
    with pytest.raises(ValidationError, match=message):
        upstream_document_add(scope=hung_yen, period=february, number=number, **fields)
    assert UpstreamDocument.objects.count() == 1


def test_a_draft_made_before_the_communes_were_imported_shows_its_stale_text(demo):
    """Main generated requirements once; a draft from before the communes' figures never named the lowest."""
    tien_lu, september = legacy("332"), period_get(year=2024, month=9)
    apply_figures(period=september, scope=tien_lu, figures={tien_lu: {"total": {"points": 86}}})
    dispatch = dispatch_draft(unit=tien_lu, period=september)
    assert "còn thấp so với các đơn vị còn lại" not in dispatch.requirements
    assert not dispatch_staleness(dispatch=dispatch).stale
    communes = list(tien_lu.children.valid_on(september.last_day).order_by("code")[:5])
    apply_figures(
        period=september,
        scope=tien_lu,
        figures={c: {"total": {"points": 70 + n}} for n, c in enumerate(communes)},
        name="xa-2024-09.xlsx",
    )
    rank_months("2024-09")
    staleness = dispatch_staleness(dispatch=dispatch)
    requirements = next(c for c in staleness.changes if c.field == "requirements")
    assert not requirements.edited
    assert any(mark == "+" and "còn thấp so với các đơn vị còn lại" in line for mark, line in requirements.diff)
    dispatch_regenerate(dispatch=dispatch, fields=["requirements"])
    dispatch.refresh_from_db()
    assert "còn thấp so với các đơn vị còn lại" in dispatch.requirements
    assert not dispatch_staleness(dispatch=dispatch).stale


def test_regeneration_keeps_the_leaders_own_edits_unless_chosen(demo):
    tien_lu, september = legacy("332"), period_get(year=2024, month=9)
    apply_figures(period=september, scope=tien_lu, figures={tien_lu: {"total": {"points": 86}}})
    dispatch = dispatch_draft(unit=tien_lu, period=september)
    text = {f: getattr(dispatch, f) for f in ["subject", "recipients", "legal_bases", "requirements", "cc"]}
    dispatch_update(dispatch=dispatch, **{**text, "requirements": "1. Yêu cầu do lãnh đạo viết."})
    communes = list(tien_lu.children.valid_on(september.last_day).order_by("code")[:5])
    apply_figures(
        period=september,
        scope=tien_lu,
        figures={c: {"total": {"points": 70 + n}} for n, c in enumerate(communes)},
        name="xa-2024-09.xlsx",
    )
    rank_months("2024-09")
    change = next(c for c in dispatch_staleness(dispatch=dispatch).changes if c.field == "requirements")
    assert change.edited and change.current == "1. Yêu cầu do lãnh đạo viết."
    dispatch_regenerate(dispatch=dispatch, fields=[])  # the leader keeps their text
    dispatch.refresh_from_db()
    assert dispatch.requirements == "1. Yêu cầu do lãnh đạo viết."
    # Kept against these figures, so no longer flagged; replaced only when someone chooses it.
    assert not dispatch_staleness(dispatch=dispatch).changes
    dispatch_regenerate(dispatch=dispatch, fields=["requirements"])
    dispatch.refresh_from_db()
    assert "còn thấp so với các đơn vị còn lại" in dispatch.requirements


def test_a_month_without_figures_cannot_be_finalised(demo):
    from dispatches.services import dispatch_freeze

    dispatch = dispatch_draft(unit=legacy("328"), period=period_get(year=2024, month=3))
    with pytest.raises(ValidationError, match="chưa có số liệu của Thị xã Mỹ Hào"):
        dispatch_freeze(dispatch=dispatch)
    dispatch.refresh_from_db()
    assert dispatch.status == "draft" and dispatch.frozen_data is None
