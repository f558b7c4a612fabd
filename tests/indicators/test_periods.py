"""The one period rule (indicators.periods): parse, months, quarter, year, key, label, neighbours."""

import datetime

import pytest
from django.utils import translation

from indicators.periods import PeriodKeyError, month_period_span, period_span, period_span_or_none


@pytest.mark.parametrize(
    ("text", "key", "kind", "months"),
    [
        ("2024-08", "2024-08", "month", ((2024, 8),)),
        ("2024-8", "2024-08", "month", ((2024, 8),)),
        ("  2024-08\t", "2024-08", "month", ((2024, 8),)),
        ("2024-Q3", "2024-Q3", "quarter", ((2024, 7), (2024, 8), (2024, 9))),
        ("2024-q1", "2024-Q1", "quarter", ((2024, 1), (2024, 2), (2024, 3))),
        ("2022", "2022", "year", tuple((2022, m) for m in range(1, 13))),
    ],
)
def test_a_period_is_read_to_its_canonical_key_and_months(text, key, kind, months):
    span = period_span(text)
    assert (span.key, span.kind, span.months) == (key, kind, months)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-13", "Kỳ “2024-13” không hợp lệ: tháng phải từ 1 đến 12."),
        ("2024-00", "Kỳ “2024-00” không hợp lệ: tháng phải từ 1 đến 12."),
        ("1999-01", "Kỳ “1999-01” nằm ngoài thời gian áp dụng Bộ chỉ số (từ năm 2022)."),
        ("2101", "Kỳ “2101” nằm ngoài thời gian áp dụng Bộ chỉ số (từ năm 2022)."),
        ("2024-Q0", "Kỳ “2024-Q0” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08), NĂM-QUÝ (2024-Q3) hoặc NĂM (2024)."),
        ("08/2024", "Kỳ “08/2024” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08), NĂM-QUÝ (2024-Q3) hoặc NĂM (2024)."),
        ("", "Kỳ “” không hợp lệ: ghi theo dạng NĂM-THÁNG (2024-08), NĂM-QUÝ (2024-Q3) hoặc NĂM (2024)."),
    ],
)
def test_anything_else_is_refused_in_vietnamese(text, message):
    with translation.override("vi"), pytest.raises(PeriodKeyError) as refused:
        period_span(text)
    assert str(refused.value) == message
    assert period_span_or_none(text) is None


def test_a_month_knows_its_quarter_year_days_labels_and_neighbours():
    august = period_span("2024-08")
    assert (august.year, august.number, august.quarter) == (2024, 8, 3)
    assert (august.first_day, august.last_day) == (datetime.date(2024, 8, 1), datetime.date(2024, 8, 31))
    with translation.override("vi"):
        assert (august.label, august.short_label) == ("tháng 8/2024", "8/2024")
        assert period_span("2024-Q3").label == "quý 3/2024"
        assert period_span("2024").label == "năm 2024"
    assert [s.key for s in august.containing()] == ["2024-08", "2024-Q3", "2024"]
    assert (period_span("2024-01").previous().key, period_span("2024-12").following().key) == ("2023-12", "2025-01")
    assert (period_span("2024-Q1").previous().key, period_span("2024-Q4").following().key) == ("2023-Q4", "2025-Q1")
    assert (period_span("2024").previous().key, period_span("2024").following().key) == ("2023", "2025")
    assert period_span("2024-02").last_day == datetime.date(2024, 2, 29)
    ordered = sorted(map(period_span, ["2024", "2024-Q3", "2024-09", "2024-08", "2023"]), key=lambda s: s.sort_key)
    assert [s.key for s in ordered] == ["2023", "2024-08", "2024-09", "2024-Q3", "2024"]


def test_where_one_month_is_needed_a_quarter_is_refused():
    assert month_period_span("2024-8").key == "2024-08"
    with translation.override("vi"), pytest.raises(PeriodKeyError, match="cần một tháng"):
        month_period_span("2024-Q3")
