from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from indicators.formatting import format_number
from indicators.models import ClassificationBand, Indicator

pytestmark = pytest.mark.django_db


def test_groups_weigh_18_20_12_10_18_22_and_sum_to_100():
    groups = Indicator.objects.filter(kind="group").order_by("order")
    assert [(g.code, int(g.max_points)) for g in groups] == [
        ("1", 18),
        ("2", 20),
        ("3", 12),
        ("4", 10),
        ("5", 18),
        ("6", 22),
    ]
    assert sum(g.max_points for g in groups) == 100
    assert Indicator.objects.get(code="total").max_points == 100


def test_every_criterion_belongs_to_a_group_and_operational_counts_exist():
    criteria = Indicator.objects.filter(kind="criterion")
    assert criteria.count() == 24
    assert not criteria.filter(parent__isnull=True).exists()
    assert all(c.code.startswith(c.parent.code + ".") for c in criteria.select_related("parent"))
    codes = set(Indicator.objects.filter(kind="operational").values_list("code", flat=True))
    assert {
        "overdue.total",
        "overdue.district",
        "overdue.commune",
        "pakn.overdue",
        "pakn.not_received",
        "pakn.late",
        "dossiers.late",
        "copies.electronic",
    } <= codes


def test_list_indicators_prints_the_catalogue(capsys):
    call_command("list_indicators")
    out = capsys.readouterr().out
    assert "Công khai, minh bạch" in out and "Số hóa hồ sơ" in out
    assert "Tổng điểm tối đa của các nhóm: 100" in out
    assert "6.3" in out and "Số lượng và tỷ lệ" in out


def test_bands_classify_totals_at_their_boundaries():
    bands = list(ClassificationBand.objects.all())
    names = {
        t: ClassificationBand.band_for(Decimal(t), bands).name
        for t in ["90", "89.99", "80", "70", "69.99", "50", "49.99"]
    }
    assert names == {
        "90": "Xuất sắc",
        "89.99": "Tốt",
        "80": "Tốt",
        "70": "Khá",
        "69.99": "Trung bình",
        "50": "Trung bình",
        "49.99": "Yếu",
    }


def test_database_refuses_a_band_above_100():
    with pytest.raises(IntegrityError):
        ClassificationBand.objects.create(name="Sai", min_total=Decimal("120"))


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (Decimal("88.03"), None, "88,03"),
        (30204, None, "30.204"),
        (Decimal("1029961"), None, "1.029.961"),
        (Decimal("86.20"), None, "86,2"),
        (Decimal("-2.6"), 2, "-2,60"),
        (Decimal("62.28"), 1, "62,3"),
        (0, None, "0"),
    ],
)
def test_numbers_are_written_the_vietnamese_way(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_placing_gives_the_band_and_the_next_one_up():
    ascending = sorted(ClassificationBand.objects.all(), key=lambda b: b.min_total)
    placed = {
        t: tuple(b.name if b else None for b in ClassificationBand.placing(Decimal(t), ascending))
        for t in ["90", "89.99", "80", "69.99", "49.99"]
    }
    assert placed == {
        "90": ("Xuất sắc", None),
        "89.99": ("Tốt", "Xuất sắc"),
        "80": ("Tốt", "Xuất sắc"),
        "69.99": ("Trung bình", "Khá"),
        "49.99": ("Yếu", "Trung bình"),
    }
