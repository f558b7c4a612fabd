"""The one names module: folding, level words and abbreviations, as lookup and import both read them."""

import datetime

import pytest

from imports.resolve import UnitResolver, new_unit_fields
from indicators.services import period_get
from units.models import AdministrativeUnit, Level
from units.names import fold, name_key, says_kind, spelled_out, split_level
from units.selectors import unit_lookup


@pytest.mark.parametrize(
    ("text", "label", "rest"),
    [
        ("UBND xã Hải Triều", "Xã", "Hải Triều"),
        ("Ủy ban nhân dân phường Hiến Nam", "Phường", "Hiến Nam"),
        ("TT. Vương", "Thị trấn", "Vương"),
        ("tx Mỹ Hào", "Thị xã", "Mỹ Hào"),
        ("TP Hưng Yên", "Thành phố", "Hưng Yên"),
        ("Huyện Tiên Lữ", "Huyện", "Tiên Lữ"),
        ("Đặc khu Côn Đảo", "Đặc khu", "Côn Đảo"),
        ("Hải Triều", None, "Hải Triều"),
        ("H'Bông", None, "H'Bông"),  # a lone letter is not read as "Huyện"
        ("Ban Quản lý các khu công nghiệp", None, "Ban Quản lý các khu công nghiệp"),
    ],
)
def test_a_name_splits_into_its_level_word_and_the_rest(text, label, rest):
    level, remainder = split_level(text)
    assert (level.label if level else None, remainder) == (label, rest)


def test_keys_and_spelled_out_forms():
    assert name_key("UBND TT Vương") == name_key("Thị trấn Vương") == "vuong"
    assert name_key("Phường 3") == "3" and name_key("Q. 1") == "1"
    assert name_key("Thành phố trực thuộc trung ương Hà Nội") == "ha noi"
    assert spelled_out("UBND TT Vương") == "thi tran vuong"
    assert says_kind("P. Tân Hưng", "Phường") and not says_kind("P. Tân Hưng", "Xã")
    assert fold("Thụy  Lôi") == "thuy loi" and fold("Đức Thắng") == "duc thang"


@pytest.mark.django_db
def test_lookup_and_import_read_an_abbreviated_level_word_alike(unit_tree):
    tien_lu = AdministrativeUnit.objects.get(tree="legacy", code="332")
    tan = {}
    for kind, code in (("Xã", "T1"), ("Thị trấn", "T2")):
        tan[kind] = AdministrativeUnit.objects.create(
            tree="custom", code=code, name=f"{kind} Tân Hưng", short_name="Tân Hưng", kind=kind,
            level=Level.COMMUNE, parent=tien_lu, valid_from=datetime.date(2024, 1, 1),
        )  # fmt: skip
    resolver = UnitResolver(scope=tien_lu, period=period_get(year=2024, month=8))
    for typed, kind in (
        ("TT Tân Hưng", "Thị trấn"),
        ("UBND xã Tân Hưng", "Xã"),
        ("Ủy ban nhân dân TT. Tân Hưng", "Thị trấn"),
    ):
        assert resolver.resolve_name(typed).unit == tan[kind], typed
        assert unit_lookup(text=typed, on=datetime.date(2024, 8, 1), within=tien_lu) == tan[kind], typed
    created = new_unit_fields(text="UBND TT. Tân Mới", scope=tien_lu, siblings=[])
    assert created == {"name": "Thị trấn Tân Mới", "short_name": "Tân Mới", "kind": "Thị trấn", "level": "commune"}
