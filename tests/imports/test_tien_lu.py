"""The Tiên Lữ 8/2024 appendix, copied into a spreadsheet as printed, goes in through the command line."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from indicators.models import ImportRevision, Period, Score
from indicators.selectors import framework_for
from indicators.services import indicators_by_code
from units.models import AdministrativeUnit, UnitAlias

from .conftest import TIEN_LU_ROWS, preview_file, tien_lu_xlsx

pytestmark = pytest.mark.django_db


def _write(tmp_path, data, name="tien-lu-8-2024.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_commune_of_the_appendix_resolves_with_the_demo_units(demo, tien_lu):
    period = Period.objects.get(year=2024, month=8)
    preview = preview_file(data=tien_lu_xlsx(), file_name="pl.xlsx", period=period, scope=tien_lu)

    assert preview.table.header_row == 5  # the four title lines above the header were skipped
    assert [r.unit.name for r in preview.rows] == [
        "Xã Thủ Sỹ",
        "Xã Hải Triều",
        "Xã Nhật Tân",
        "Xã Hưng Đạo",
        "Xã Dị Chế",
        "Xã An Viên",
        "Xã Đức Thắng",
        "Thị trấn Vương",
        "Xã Lệ Xá",
        "Xã Thụy Lôi",
        "Xã Minh Phượng",
        "Xã Trung Dũng",
        "Xã Thiện Phiến",
        "Xã Ngô Quyền",
        "Xã Cương Chính",
    ]
    assert preview.errors == []
    targets = [t.text if t else None for _h, t in preview.columns]
    assert targets == [None, "unit", "total", "total:change", "2:rate"]


def test_cli_imports_the_appendix_and_stores_the_published_figures(demo, tien_lu, tmp_path, capsys):
    path = _write(tmp_path, tien_lu_xlsx())
    before = ImportRevision.objects.filter(scope=tien_lu, period__year=2024, period__month=8).count()

    call_command(
        "import_scores", str(path), "--period", "2024-08", "--scope", "Huyện Tiên Lữ", "--as-of", "2024-09-05 12:00"
    )

    out = capsys.readouterr().out
    assert "UBND xã Dị ché → Xã Dị Chế" in out
    assert "UBND TT Vương → Thị trấn Vương" in out
    revision = ImportRevision.objects.get(scope=tien_lu, period__year=2024, period__month=8, number=before + 1)
    assert revision.unit_count == 15 and revision.value_count == 30
    assert revision.data_as_of == datetime.datetime(2024, 9, 5, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    codes = indicators_by_code(framework=framework_for())
    scores = {
        (s.unit.short_name, s.indicator.code): s
        for s in Score.objects.filter(revision=revision).select_related("unit", "indicator")
    }
    assert len(scores) == 30
    assert len({unit for unit, _code in scores}) == len(TIEN_LU_ROWS)
    assert scores[("Dị Chế", "total")].points == Decimal("88.08")
    assert scores[("Dị Chế", "total")].change_text == "0,83"
    assert scores[("Dị Chế", "total")].change == Decimal("0.83")  # the change as printed, as a number
    assert scores[("Cương Chính", "total")].change == Decimal("-2.60")
    assert scores[("Vương", "total")].points == Decimal("87.42")
    assert scores[("Vương", "2")].rate == Decimal("99.52")
    assert scores[("Vương", "2")].points is None  # a rate column never becomes group points
    assert scores[("Cương Chính", "2")].rate == Decimal("82.71")
    assert scores[("Minh Phượng", "total")].points == Decimal("86.2")
    assert scores[("Nhật Tân", "total")].change_text == "-0,80"
    assert codes["total"].pk == scores[("Thủ Sỹ", "total")].indicator_id


def test_cli_reports_unknown_merged_communes_and_writes_nothing_without_the_demo(tien_lu, tmp_path, capsys):
    path = _write(tmp_path, tien_lu_xlsx())
    scores, units = Score.objects.count(), AdministrativeUnit.objects.count()

    with pytest.raises(CommandError, match="5 lỗi"):
        call_command("import_scores", str(path), "--period", "2024-08", "--scope", "Huyện Tiên Lữ")

    out = capsys.readouterr().out
    for name in ("Hải Triều", "Dị ché", "Đức Thắng", "Minh Phượng", "Ngô Quyền"):
        assert f"Không tìm thấy đơn vị “UBND xã {name}”" in out
    assert (Score.objects.count(), AdministrativeUnit.objects.count()) == (scores, units)


def test_create_missing_adds_the_merged_communes_under_the_scope(tien_lu, tmp_path):
    path = _write(tmp_path, tien_lu_xlsx())

    call_command("import_scores", str(path), "--period", "2024-08", "--scope", "332", "--create-missing")

    created = AdministrativeUnit.objects.filter(parent=tien_lu, tree="custom").order_by("name")
    assert [u.name for u in created] == ["Xã Dị ché", "Xã Hải Triều", "Xã Minh Phượng", "Xã Ngô Quyền", "Xã Đức Thắng"]
    assert all(u.level == "commune" and u.kind == "Xã" for u in created)
    hai_trieu = created.get(short_name="Hải Triều")
    score = Score.objects.get(unit=hai_trieu, indicator__code="total", period__year=2024, period__month=8)
    assert score.points == Decimal("88.82") and score.change_text == "6,60"


def test_dry_run_prints_the_report_and_writes_nothing(demo, tien_lu, tmp_path, capsys):
    path = _write(tmp_path, tien_lu_xlsx())
    revisions = ImportRevision.objects.count()

    call_command("import_scores", str(path), "--period", "2024-08", "--scope", "Huyện Tiên Lữ", "--dry-run")

    out = capsys.readouterr().out
    assert "không có gì được ghi" in out
    assert "Không đổi" in out  # the demo holds the same published figures
    assert ImportRevision.objects.count() == revisions


def test_a_typo_confirmed_once_is_remembered_as_an_alias(demo, tien_lu, tmp_path):
    rows = [["Tên đơn vị", "Điểm tổng hợp"], ["UBND xã Thuỵ Lôii", "86,71"]]
    from .conftest import xlsx_bytes

    path = _write(tmp_path, xlsx_bytes(rows))
    call_command("import_scores", str(path), "--period", "2024-08", "--scope", "Huyện Tiên Lữ")

    alias = UnitAlias.objects.get(alias="UBND xã Thuỵ Lôii")
    assert alias.unit.name == "Xã Thụy Lôi"


def test_map_options_override_the_suggestions(demo, tien_lu, tmp_path, capsys):
    path = _write(tmp_path, tien_lu_xlsx())
    header = "Điểm tổng hợp Tăng hoặc giảm so với tháng trước"

    call_command(
        "import_scores",
        str(path),
        "--period",
        "2024-08",
        "--scope",
        "Huyện Tiên Lữ",
        "--dry-run",
        "--map",
        f"{header}=",
    )

    assert f"cột “{header}” → bỏ qua" in capsys.readouterr().out


def test_a_map_to_a_missing_header_or_unknown_target_fails(demo, tien_lu, tmp_path, capsys):
    path = _write(tmp_path, tien_lu_xlsx())
    with pytest.raises(CommandError, match="lỗi"):
        call_command("import_scores", str(path), "--period", "2024-08", "--scope", "332", "--map", "Điểm=total")
    assert "Không có cột “Điểm” trong tệp" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_scores", str(path), "--period", "2024-08", "--scope", "332", "--map", "Stt=7.7")
    assert "Đích “7.7” không có trong bộ chỉ số" in capsys.readouterr().out


def test_without_scope_the_codes_in_the_file_decide_it(demo, tien_lu, tmp_path, capsys):
    from .conftest import xlsx_bytes

    path = _write(tmp_path, xlsx_bytes([["Mã đơn vị", "Điểm tổng hợp"], ["12367", "89,63"], ["12337", "87,42"]]))
    call_command("import_scores", str(path), "--period", "2024-08", "--dry-run")
    assert "phạm vi Huyện Tiên Lữ" in capsys.readouterr().out


def test_bad_arguments_fail_with_vietnamese_messages(tmp_path):
    path = _write(tmp_path, tien_lu_xlsx())
    with pytest.raises(CommandError, match="Kỳ “2024-13” không hợp lệ"):
        call_command("import_scores", str(path), "--period", "2024-13", "--scope", "332")
    with pytest.raises(CommandError, match="--as-of “hôm qua” không hợp lệ"):
        call_command("import_scores", str(path), "--period", "2024-08", "--scope", "332", "--as-of", "hôm qua")
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_scores", str(tmp_path / "khong-co.xlsx"), "--period", "2024-08")
    with pytest.raises(CommandError, match="Cần --scope"):
        call_command("import_scores", str(path), "--period", "2024-08")


def test_a_file_without_any_figure_exits_non_zero(tien_lu, tmp_path):
    from .conftest import xlsx_bytes

    path = _write(tmp_path, xlsx_bytes([["Tên đơn vị", "Điểm tổng hợp"], ["Xã Thủ Sỹ", None], ["Ghi chú", None]]))
    with pytest.raises(CommandError, match="Tệp không có số liệu nào để nhập"):
        call_command("import_scores", str(path), "--period", "2024-08", "--scope", "332")
