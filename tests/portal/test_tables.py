from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.formatting import format_number
from portal.tables import fast_number


@given(st.decimals(min_value=-100000, max_value=100000, places=2), st.booleans())
def test_fast_number_writes_what_format_number_writes(value, signed):
    assert fast_number(value, signed=signed) == format_number(value, signed=signed)


def test_fast_number_examples():
    assert fast_number(Decimal("88.03")) == "88,03"
    assert fast_number(Decimal("86.20")) == "86,2"
    assert fast_number(Decimal("-0.80"), signed=True) == "-0,8"
    assert fast_number(30204) == "30.204"
    assert fast_number(None) == ""


def test_every_ranking_cell_carries_its_column_name_for_the_phone_layout(client, all_published):
    html = client.get("/xep-hang/?parent=legacy.332&level=commune&period=2024-Q2").content.decode()
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    first_row = table.split("</tr>", 1)[0]
    for label in ("Hạng", "Đơn vị", "Tổng điểm", "Thay đổi điểm", "Thay đổi hạng", "Xếp loại", "Nhóm 1"):
        assert f'data-label="{label}"' in first_row
    assert '<table class="data stack"' in html
    # The group columns are named under the table (the headers say only "Nhóm 1" …).
    assert "Nhóm 1: Công khai, minh bạch" in html and "Nhóm 6: Số hóa hồ sơ" in html


def test_a_unit_without_figures_is_unranked_and_says_so_in_the_total(client, demo):
    from indicators.services import period_get
    from publishing.services import publication_publish
    from rankings.services import rankings_compute
    from units.models import AdministrativeUnit

    rankings_compute(period_key="2024-12")
    publication_publish(
        period=period_get(year=2024, month=12), scope=AdministrativeUnit.objects.get(tree="legacy", code="01")
    )
    html = client.get("/xep-hang/?parent=all&period=2024-12").content.decode()
    row = next(r for r in html.split("<tr>") if "Tỉnh Hưng Yên" in r)
    assert '<span class="sr">không xếp hạng</span>' in row and "chưa có số liệu" in row.split("c-total", 1)[1]
