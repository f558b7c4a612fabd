import datetime

import pytest
from django.core.management import CommandError, call_command

from units import services
from units.models import AdministrativeUnit, UnitSuccession
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

pytestmark = pytest.mark.django_db


def test_loads_the_real_trees_with_their_counts(unit_tree):
    legacy = AdministrativeUnit.objects.filter(tree="legacy")
    new = AdministrativeUnit.objects.filter(tree="2025")
    assert legacy.filter(level="province").count() == 63
    assert legacy.filter(level="district").count() == 696
    assert legacy.filter(level="commune").count() == 10035
    assert new.filter(level="province").count() == 34
    assert new.filter(level="commune").count() == 3321
    assert not legacy.filter(valid_to__isnull=True).exists()
    assert set(legacy.values_list("valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    assert set(new.values_list("valid_from", flat=True)) == {datetime.date(2025, 7, 1)}


def test_tree_is_linked_with_parents_coordinates_and_successors(unit_tree):
    thu_sy = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    assert (thu_sy.name, thu_sy.kind, thu_sy.level) == ("Xã Thủ Sỹ", "Xã", "commune")
    assert thu_sy.parent.name == "Huyện Tiên Lữ"
    assert thu_sy.parent.parent.name == "Tỉnh Hưng Yên"
    assert 20 < thu_sy.latitude < 21 and 105 < thu_sy.longitude < 107
    successor = thu_sy.successors.get()
    assert successor.tree == "2025" and successor.parent.name == "Tỉnh Hưng Yên"
    # Thái Bình merged into Hưng Yên in 2025.
    thai_binh = AdministrativeUnit.objects.get(tree="legacy", level="province", short_name="Thái Bình")
    assert list(thai_binh.successors.values_list("name", flat=True)) == ["Tỉnh Hưng Yên"]


def test_second_load_changes_nothing_and_says_so(unit_tree, capsys):
    before = (AdministrativeUnit.objects.count(), UnitSuccession.objects.count())
    call_command("load_units", "--tree", "all")
    out = capsys.readouterr().out
    assert "Không có thay đổi" in out
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == before


def test_reload_repairs_a_changed_name_but_keeps_validity_set_by_an_admin(unit_tree):
    unit = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    unit.name = "Xã Thu Sy"
    unit.valid_from = datetime.date(2020, 1, 1)
    unit.save()
    report = services.units_load(tree="legacy")
    unit.refresh_from_db()
    assert report.updated == 1
    assert unit.name == "Xã Thủ Sỹ" and unit.search_name == "xa thu sy"
    assert unit.valid_from == datetime.date(2020, 1, 1)


def test_missing_package_is_reported_and_nothing_is_written(unit_tree, monkeypatch):
    def missing():
        raise services.DatasetError(
            "Chưa cài gói vietnamadminunits (pip install -r requirements.txt); không có gì được ghi."
        )

    monkeypatch.setattr(services, "dataset_location", missing)
    before = AdministrativeUnit.objects.count()
    with pytest.raises(CommandError, match="Chưa cài gói vietnamadminunits"):
        call_command("load_units")
    assert AdministrativeUnit.objects.count() == before


def test_changed_dataset_is_refused_before_writing(db, tmp_path, monkeypatch):
    import sqlite3

    db_path = tmp_path / "dataset.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE admin_units_legacy (province TEXT, provinceCode TEXT)")
        conn.execute("INSERT INTO admin_units_legacy VALUES ('Tỉnh X', '99')")
    (tmp_path / "converter_2025.json").write_text("{}")
    monkeypatch.setattr(services, "dataset_location", lambda: tmp_path)
    before = AdministrativeUnit.objects.count()
    with pytest.raises(services.DatasetError, match="thiếu cột"):
        services.units_load(tree="legacy")
    assert AdministrativeUnit.objects.count() == before


def test_lookup_by_name_code_and_ambiguity(unit_tree):
    day = datetime.date(2024, 8, 31)
    assert unit_lookup(text="Huyện Tiên Lữ", on=day).code == "332"
    assert unit_lookup(text="huyen tien lu", on=day).code == "332"
    assert unit_lookup(text="Mê Linh", on=day).name == "Huyện Mê Linh"
    assert unit_lookup(text="Tiên Lữ", on=day).name == "Huyện Tiên Lữ"
    with pytest.raises(AmbiguousUnit) as exc:
        unit_lookup(text="Xã Mê Linh", on=day)
    assert "Huyện Đông Hưng" in str(exc.value) and "Huyện Lâm Hà" in str(exc.value)
    # After the 2025 reorganisation the district no longer exists.
    with pytest.raises(UnitNotFound):
        unit_lookup(text="Huyện Tiên Lữ", on=datetime.date(2025, 8, 1))
    district = unit_lookup(text="Huyện Tiên Lữ", on=day)
    assert unit_lookup(text="UBND TT Vương", on=day, within=district).name == "Thị trấn Vương"
