"""`manage.py import_scores FILE --period YYYY-MM …`: the web import flow on the command line (DESIGN §7)."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from imports.services import ImportRejected, import_commit, import_preview, scope_from_codes, stage
from indicators.formatting import format_number
from indicators.services import file_hash, period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup


class Command(BaseCommand):
    help = "Nhập số liệu Bộ chỉ số của một tháng từ bảng tính (XLSX, XLS, ODS, CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp bảng tính.")
        parser.add_argument("--period", required=True, help="Tháng, dạng NĂM-THÁNG, ví dụ 2024-08.")
        parser.add_argument("--scope", help="Đơn vị cấp trên mà các dòng nêu tên đơn vị trực thuộc (tên hoặc mã).")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=TARGET",
            help="Ghép cột: TARGET là unit, unit_code, total, 1…6, mã tiêu chí; có thể thêm :rate, :points, :count, :change.",
        )
        parser.add_argument("--as-of", dest="as_of", help="Số liệu tính đến, dạng “YYYY-MM-DD HH:MM” (giờ Việt Nam).")
        parser.add_argument("--sheet", help="Tên trang tính (mặc định: trang đầu tiên có bảng số liệu).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra và in báo cáo, không ghi gì.")
        parser.add_argument(
            "--create-missing", action="store_true", help="Tạo đơn vị chưa có trong phạm vi (thay vì báo lỗi)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            period = period_parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        as_of = self._as_of(options["as_of"])
        mapping = {}
        for item in options["map"]:
            header, sep, target = item.rpartition("=")
            if not sep or not header.strip():
                raise CommandError(f'--map “{item}” không hợp lệ: ghi theo dạng "TIÊU ĐỀ CỘT=ĐÍCH".')
            mapping[header.strip()] = target.strip()
        data = path.read_bytes()
        try:
            table = stage(data=data, file_name=path.name, sheet=options["sheet"])
        except ImportRejected as exc:
            raise CommandError(f"{path.name}: {exc}\nKhông có gì được ghi.") from None
        if options["scope"]:
            try:
                scope = unit_lookup(text=options["scope"], on=period.last_day)
            except (UnitNotFound, AmbiguousUnit) as exc:
                raise CommandError(str(exc)) from None
        else:
            try:
                scope = scope_from_codes(table=table, period=period)
            except ImportRejected as exc:
                raise CommandError(str(exc)) from None
        preview = import_preview(
            table=table,
            period=period,
            scope=scope,
            mapping=mapping or None,
            create_missing=options["create_missing"],
        )
        self._report(preview)
        if preview.errors:
            raise CommandError(f"Có {len(preview.errors)} lỗi; không có gì được ghi.")
        if not preview.can_apply:
            raise CommandError("Tệp không có số liệu nào để nhập; không có gì được ghi.")
        if options["dry_run"]:
            self.stdout.write("Chạy thử (--dry-run): không có gì được ghi.")
            return
        revision = import_commit(preview=preview, file_name=path.name, file_sha256=file_hash(data), data_as_of=as_of)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập lần {revision.number} cho {scope.name}, tháng {period}: "
                f"{revision.unit_count} đơn vị, {format_number(revision.value_count)} giá trị."
            )
        )

    def _as_of(self, text):
        if not text:
            return None
        try:
            naive = datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise CommandError(f"--as-of “{text}” không hợp lệ: ghi theo dạng “2024-09-05 12:00”.") from None
        return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))

    def _report(self, preview):
        report(self.stdout.write, preview)


def report(write, preview) -> None:
    """The per-row report of a preview, as the command line prints it."""
    table = preview.table
    write(
        f"Trang “{table.sheet}”, dòng tiêu đề {table.header_row}; phạm vi {preview.scope.name}, tháng {preview.period}."
    )
    for header, target in preview.columns:
        if header:
            write(f"  cột “{header}” → {target.label() if target else 'bỏ qua'}")
    for issue in preview.file_issues:
        write(("LỖI " if issue.is_error else "CẢNH BÁO ") + str(issue))
    for row in preview.rows:
        res = row.resolution
        if res is not None and res.unit is not None:
            unit = f"{res.unit.name} (mã {res.unit.code}; {res.how()})"
        elif res is not None and res.ok:
            unit = res.how()
        else:
            unit = "?"
        changes = "; ".join(f"{c.indicator.code}: {c.before} → {c.after}" for c in row.changes)
        write(f"Dòng {row.row}: {row.unit_text} → {unit} [{row.status_label()}] {changes}")
        for issue in row.issues:
            write(("  LỖI " if issue.is_error else "  CẢNH BÁO ") + str(issue))
    counts = preview.counts()
    write(
        f"Tổng: {counts['new']} mới, {counts['changed']} thay đổi, {counts['unchanged']} không đổi, "
        f"{counts['error']} lỗi; {format_number(counts['values'])} giá trị."
    )
