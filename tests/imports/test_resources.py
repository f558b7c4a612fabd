"""Admin import/export: exports cannot smuggle spreadsheet formulas, in CSV or XLSX; units round-trip."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from import_export.formats.base_formats import CSV, XLSX

from imports.resources import IndicatorResource, ScoreResource, UnitResource, escape_formula
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_be_a_formula_is_escaped(text):
    assert escape_formula(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone():
    assert escape_formula("Xã Thủ Sỹ") == "Xã Thủ Sỹ"
    assert escape_formula(-3) == -3


@pytest.fixture
def hostile_units(tien_lu):
    for i, text in enumerate(HOSTILE):
        AdministrativeUnit.objects.create(
            tree="custom", code=f"H{i}", name=text, short_name=text, kind="Xã", level="commune", parent=tien_lu
        )
    return AdministrativeUnit.objects.filter(tree="custom", code__startswith="H")


def test_unit_export_escapes_formulas_in_csv(hostile_units):
    dataset = UnitResource().export(queryset=hostile_units.order_by("code"))
    text = CSV().export_data(dataset)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["name"] for r in rows] == ["'" + v for v in HOSTILE]


def test_unit_export_escapes_formulas_in_xlsx(hostile_units):
    dataset = UnitResource().export(queryset=hostile_units.order_by("code"))
    workbook = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(dataset)))
    names = [row[2] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert all(name.startswith("'") for name in names) and len(names) == len(HOSTILE)
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_scores_export_with_codes_and_the_change_text_escaped(demo):
    dataset = ScoreResource().export()
    row = next(
        r
        for r in dataset.dict
        if r["unit_name"] == "Xã Nhật Tân" and r["indicator"] == "total" and r["period"] == "2024-08"
    )
    assert row["period"] == "2024-08" and row["points"] == "88,23"
    assert row["change_text"] == "'-0,80"  # published text kept, but never a formula


def test_units_import_from_a_csv_through_the_resource(tien_lu):
    csv_text = f"tree,code,name,short_name,kind,level,parent,valid_from,valid_to\ncustom,X-NEW,Xã Mới,Mới,Xã,commune,{tien_lu.pk},,\n"
    dataset = CSV().create_dataset(csv_text)
    result = UnitResource().import_data(dataset, dry_run=False)
    assert not result.has_errors()
    assert AdministrativeUnit.objects.get(tree="custom", code="X-NEW").parent == tien_lu


def test_indicator_export_names_the_framework_by_code(unit_tree):
    dataset = IndicatorResource().export()
    assert {r["framework"] for r in dataset.dict} == {"766-2022"}


def test_admin_unit_changelist_offers_import_and_export(client, unit_tree):
    get_user_model().objects.create_superuser("quantri", password="mat-khau-dai-123")
    client.login(username="quantri", password="mat-khau-dai-123")
    page = client.get("/admin/units/administrativeunit/").content.decode()
    assert "/admin/units/administrativeunit/import/" in page and "/admin/units/administrativeunit/export/" in page
    assert client.get("/admin/indicators/score/export/").status_code == 200
