"""Every public download, every cell, header rows included, goes through the one formula escaper."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from units.models import AdministrativeUnit

from .factories import tien_lu

pytestmark = pytest.mark.django_db

# The three names the outside review put in the compare CSV's header row.
HOSTILE = ['\t=HYPERLINK("http://x","bấm")', "=1+2*cmd|' /C calc'!A0", "\r@SUM(A1)"]


def _rename(name: str, new: str) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.get(parent=tien_lu(), name=name)
    unit.name = new
    unit.save()
    return unit


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _unsafe(text: str) -> bool:
    """Text a spreadsheet would run (a negative number written as a number is just a number)."""
    if not isinstance(text, str) or re.fullmatch(r"-?\d+(\.\d+)?", text):
        return False
    return text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def test_compare_csv_escapes_unit_names_in_the_header_row(client, all_published):
    units = [_rename(old, new) for old, new in zip(["Xã Thủ Sỹ", "Xã Lệ Xá", "Xã An Viên"], HOSTILE, strict=True)]
    query = "&".join(f"u={u.tree}.{u.code}" for u in units)
    rows = _csv(client.get(f"/so-sanh/?{query}&format=csv"))
    # The unit names, escaped, then the provenance every download carries (as of, source).
    assert rows[0] == ["Tháng", *["'" + name for name in HOSTILE], "Số liệu tính đến", "Nguồn"]
    assert not any(_unsafe(cell) for row in rows for cell in row)


def test_rankings_csv_and_xlsx_escape_every_cell(client, all_published):
    _rename("Xã Thủ Sỹ", HOSTILE[0])
    url = "/xep-hang/?parent=legacy.332&level=commune&period=2024-08"
    rows = _csv(client.get(url + "&format=csv"))
    assert "'" + HOSTILE[0] in [r[3] for r in rows[1:]]
    assert not any(_unsafe(cell) for row in rows for cell in row)
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + HOSTILE[0] in [c.value for c in cells]


def test_history_csv_escapes_the_unit_name(client, all_published):
    unit = _rename("Xã Thủ Sỹ", HOSTILE[2])
    rows = _csv(client.get(f"/don-vi/{unit.tree}/{unit.code}/?format=csv"))
    assert {r[2] for r in rows[1:]} == {"'" + HOSTILE[2]}


def test_import_template_escapes_unit_and_scope_names(client, admin_user, all_published):
    _rename("Xã Thủ Sỹ", HOSTILE[1])  # XML turns a stored "\r" into "\n": the other two names
    client.force_login(admin_user)
    response = client.get("/nhap-lieu/mau/?scope=332&period=2024-08")
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + HOSTILE[1] in [c.value for c in cells]
    assert not any(_unsafe(c.value) for c in cells)
