"""Every validation error blocks the file with its place in the file; warnings do not block."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import UnitAssignment
from imports.services import ImportRejected, import_commit
from indicators.models import ImportRevision, Period, Score
from units.models import AdministrativeUnit

from .conftest import preview_file, xlsx_bytes
from .test_hostile import snapshot

pytestmark = pytest.mark.django_db


def preview_of(rows, scope, *, period=(2024, 8), **kwargs):
    period = Period.objects.get_or_create(year=period[0], month=period[1])[0]
    return preview_file(data=xlsx_bytes(rows), file_name="t.xlsx", period=period, scope=scope, **kwargs)


def messages(preview):
    """The errors of a preview, after checking that applying it is refused and changes nothing."""
    if preview.errors:
        before = snapshot()
        with pytest.raises(ImportRejected):
            import_commit(preview=preview, file_name="t.xlsx", file_sha256="x")
        assert snapshot() == before
    return [str(i) for i in preview.errors]


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        ("Điểm tổng hợp", "tám mươi", "“tám mươi” không phải là số."),
        ("Điểm tổng hợp", "1.234,5", "không rõ là số nào"),
        ("Công khai, minh bạch (điểm)", "19", "19 điểm vượt điểm tối đa 18 của “Công khai, minh bạch”."),
        ("Điểm tổng hợp", "100,5", "100,5 điểm vượt điểm tối đa 100"),
        ("Tỷ lệ nộp hồ sơ trực tuyến", "104,5%", "Tỷ lệ 104,5% nằm ngoài khoảng 0–100%."),
        ("Hồ sơ quá hạn", "-3", "Số lượng không được âm (-3)."),
        ("Hồ sơ quá hạn", "11,5", "không phải số nguyên"),
    ],
)
def test_a_bad_cell_is_an_error_naming_sheet_row_and_column(demo, tien_lu, header, cell, message):
    before = snapshot()
    preview = preview_of([["Tên đơn vị", header], ["Xã Thủ Sỹ", cell]], tien_lu)

    assert not preview.can_apply
    [error] = messages(preview)
    assert error.startswith(f"Trang “Sheet1”, dòng 2, cột “{header}”: ")
    assert message in error
    with pytest.raises(ImportRejected):
        import_commit(preview=preview, file_name="t.xlsx", file_sha256="x")
    assert snapshot() == before


def test_the_same_unit_twice_is_an_error(demo, tien_lu):
    preview = preview_of([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89"], ["UBND xã Thủ Sỹ", "88"]], tien_lu)
    assert messages(preview) == ["Trang “Sheet1”, dòng 3, cột “Tên đơn vị”: đơn vị Xã Thủ Sỹ đã có ở dòng 2."]


def test_a_unit_not_valid_that_month_is_an_error(demo, tien_lu):
    # Hải Triều merged into Hải Thắng on 1/12/2024.
    preview = preview_of([["Tên đơn vị", "Điểm tổng hợp"], ["UBND xã Hải Triều", "88"]], tien_lu, period=(2024, 12))
    [error] = messages(preview)
    assert "dòng 2" in error and "không có hiệu lực trong tháng 12/2024" in error


def test_a_unit_outside_the_scope_rejects_the_whole_file(demo, tien_lu):
    my_hao_commune = AdministrativeUnit.objects.filter(parent__code="328", tree="legacy").first()
    preview = preview_of(
        [["Mã đơn vị", "Tên đơn vị", "Điểm tổng hợp"], ["12367", "Xã Thủ Sỹ", "89"], [my_hao_commune.code, "X", "80"]],
        tien_lu,
    )
    assert not preview.can_apply
    assert any("ngoài phạm vi Huyện Tiên Lữ" in m and "không nhập tệp này" in m for m in messages(preview))


def test_a_user_may_import_only_for_assigned_scopes(demo, tien_lu):
    user = get_user_model().objects.create_user("canbo", password="x")
    rows = [["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89"]]
    assert messages(preview_of(rows, tien_lu, user=user)) == [
        "Trang “Sheet1”: Bạn không được phân công nhập số liệu cho Huyện Tiên Lữ."
    ]

    UnitAssignment.objects.create(user=user, unit=tien_lu.parent, role="staff")  # the province covers the district
    assert preview_of(rows, tien_lu, user=user).can_apply


def test_unknown_and_ambiguous_names_are_listed(demo, tien_lu):
    preview = preview_of([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Không Có", "80"]], tien_lu)
    [error] = messages(preview)
    assert "Không tìm thấy đơn vị “Xã Không Có” trong Huyện Tiên Lữ" in error


def test_warnings_for_sums_components_and_jumps_do_not_block(demo, tien_lu):
    header = [
        "Tên đơn vị",
        "Điểm tổng hợp",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "Hồ sơ quá hạn",
        "Quá hạn cấp huyện",
        "Quá hạn cấp xã",
    ]
    preview = preview_of([header, ["Xã Thủ Sỹ", "62,3", "10", "17", "6", "6", "17", "12", "10", "3", "4"]], tien_lu)

    assert preview.can_apply
    warnings = [str(w) for w in preview.warnings]
    assert any("Tổng điểm các nhóm là 68, khác điểm tổng hợp công bố 62,3" in w for w in warnings)
    assert any("“Hồ sơ quá hạn (tổng số)” là 10 nhưng các thành phần cộng lại 7" in w for w in warnings)
    assert any("Điểm tổng hợp thay đổi" in w and "so với tháng trước" in w for w in warnings)


def test_a_unit_new_to_the_month_lists_each_of_its_figures_as_a_change(demo, tien_lu):
    rows = [["Tên đơn vị", "Điểm tổng hợp", "Nhóm 1"], ["Xã Thủ Sỹ", "89,63", "9,5"]]
    preview = preview_of(rows, tien_lu, period=(2023, 1), mapping={"Điểm tổng hợp": "total", "Nhóm 1": "1"})
    (row,) = preview.rows
    assert row.status == "new"
    assert [(c.indicator.code, c.before, c.after) for c in row.changes] == [
        ("total", "—", "89,63 điểm"),
        ("1", "—", "9,5 điểm"),
    ]


def test_preview_shows_changes_against_current_figures_and_applying_replaces_them(demo, tien_lu):
    rows = [["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89,63"], ["Xã Lệ Xá", "90"]]
    preview = preview_of(rows, tien_lu, mapping={"Điểm tổng hợp": "total"})
    by_unit = {r.unit.short_name: r for r in preview.rows}
    # Thủ Sỹ keeps its total but the demo's change text and rate would go: shown as changes.
    assert by_unit["Lệ Xá"].status == "changed"
    assert any(c.before.startswith("87,31 điểm") and c.after == "90 điểm" for c in by_unit["Lệ Xá"].changes)

    revision = import_commit(preview=preview, file_name="t.xlsx", file_sha256="x")
    le_xa = by_unit["Lệ Xá"].unit
    assert Score.objects.get(unit=le_xa, period=preview.period, indicator__code="total").points == 90
    assert ImportRevision.objects.filter(period=preview.period, scope=tien_lu, state="applied").get() == revision


def test_a_mapping_naming_a_missing_header_or_target_is_an_error(demo, tien_lu):
    rows = [["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", "89"]]
    assert any("Không có cột “Điểm”" in m for m in messages(preview_of(rows, tien_lu, mapping={"Điểm": "total"})))
    bad = messages(preview_of(rows, tien_lu, mapping={"Điểm tổng hợp": "9.9"}))
    assert any("Đích “9.9” không có trong bộ chỉ số" in m for m in bad)


def test_a_group_column_holding_rates_is_suggested_as_the_rate(demo, tien_lu):
    rows = [["Tên đơn vị", "Công khai, minh bạch"], ["Xã Thủ Sỹ", "19"], ["Xã Lệ Xá", "99,5"]]
    preview = preview_of(rows, tien_lu)
    assert preview.columns[1][1].text == "1:rate"


def test_district_names_as_people_write_them_resolve_under_ha_noi(unit_tree):
    ha_noi = AdministrativeUnit.objects.get(tree="legacy", level="province", name="Thành phố Hà Nội")
    rows = [
        ["Tên cơ quan, đơn vị", "Số điểm"],
        ["UBND Tây Hồ", "80"],
        ["Q. Ba Đình", "81,5"],
        ["TX Sơn Tây", "79"],
        ["UBND huyen me linh", "70,25"],
        ["Thành phố Hà Nội", "62,28"],
    ]
    preview = preview_of(rows, ha_noi, period=(2024, 12))

    assert preview.errors == []
    assert [(r.unit.name, r.resolution.method) for r in preview.rows] == [
        ("Quận Tây Hồ", "key"),
        ("Quận Ba Đình", "key"),
        ("Thị xã Sơn Tây", "key"),
        ("Huyện Mê Linh", "key"),
        ("Thành phố Hà Nội", "name"),
    ]


def test_footnotes_and_total_rows_are_skipped_with_a_note(demo, tien_lu):
    rows = [
        ["Tên đơn vị", "Điểm tổng hợp"],
        ["Xã Thủ Sỹ", "89,63"],
        ["Tổng cộng", "88,03"],
        ["Ghi chú: số liệu tính đến 12h00 ngày 05/9/2024", None],
    ]
    preview = preview_of(rows, tien_lu)

    assert preview.can_apply and [r.unit.name for r in preview.rows] == ["Xã Thủ Sỹ"]
    notes = [str(w) for w in preview.warnings]
    assert any("Dòng 3 (“Tổng cộng”) là dòng tổng hợp của bảng, bỏ qua" in n for n in notes)
    assert any(
        "Dòng 4 (“Ghi chú: số liệu tính đến 12h00 ngày 05/9/2024”) không có số liệu, bỏ qua." in n for n in notes
    )


def test_a_two_row_merged_header_maps_and_imports(demo, tien_lu):
    data = xlsx_bytes(
        [
            ["STT", "Tên đơn vị", "Điểm tổng hợp", None, "Tiến độ giải quyết"],
            [None, None, "Điểm", "Tăng, giảm so với tháng trước", "Tỷ lệ (%)"],
            ["1", "UBND xã Thủ Sỹ", "89,63", "6,96", "100"],
        ],
        merge=["C1:D1"],
    )
    period = Period.objects.get(year=2024, month=8)
    preview = preview_file(data=data, file_name="m.xlsx", period=period, scope=tien_lu)
    assert [t.text if t else None for _h, t in preview.columns] == [None, "unit", "total", "total:change", "2:rate"]
    assert preview.errors == []
