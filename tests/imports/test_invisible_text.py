"""A file's text enters the portal without invisible direction controls: names match, new units are clean."""

import pytest

from imports.services import import_commit, import_preview, stage
from indicators.models import Period
from units.models import AdministrativeUnit

from .conftest import xlsx_bytes

pytestmark = pytest.mark.django_db
RLO, ZWSP = "\u202e", "\u200b"


def _preview(rows, scope, **kwargs):
    period = Period.objects.get_or_create(year=2024, month=8)[0]
    table = stage(data=xlsx_bytes(rows), file_name="t.xlsx")
    return import_preview(table=table, period=period, scope=scope, **kwargs)


def test_a_spoofed_name_resolves_to_the_real_unit(tien_lu):
    preview = _preview([["Tên đơn vị", "Điểm tổng hợp"], [f"UBND xã {RLO}Thủ{ZWSP} Sỹ", "89,63"]], tien_lu)
    assert not preview.errors
    (row,) = preview.rows
    assert row.unit_text == "UBND xã Thủ Sỹ" and row.unit.name == "Xã Thủ Sỹ"


def test_a_new_unit_created_from_a_file_has_a_clean_name(tien_lu):
    preview = _preview(
        [[f"Tên {RLO}đơn vị", "Điểm tổng hợp"], [f"Xã {RLO}Mới Lập", "70"]], tien_lu, create_missing=True
    )
    assert not preview.errors and [r.unit_text for r in preview.to_create] == ["Xã Mới Lập"]
    import_commit(preview=preview, file_name="t.xlsx", file_sha256="x")
    created = AdministrativeUnit.objects.get(tree="custom", parent=tien_lu)
    assert (created.name, created.short_name) == ("Xã Mới Lập", "Mới Lập")
