"""`manage.py fetch_national --period YYYY-MM --scope UNIT [--url URL] [--dry-run]` (DESIGN §7)."""

from django.core.management.base import BaseCommand, CommandError

from imports.models import ImportBatch, NationalSource
from imports.national import (
    NationalPortalError,
    default_level,
    fetch,
    links_remember,
    source_for,
    source_text,
    staged_table,
)
from imports.services import ImportRejected, import_commit, import_preview
from indicators.formatting import format_number
from indicators.services import file_hash, period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

from .import_scores import report


class Command(BaseCommand):
    help = "Lấy số liệu Bộ chỉ số của một tháng từ Cổng Dịch vụ công quốc gia và nhập như một tệp."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Tháng, dạng NĂM-THÁNG, ví dụ 2024-08.")
        parser.add_argument("--scope", required=True, help="Đơn vị cấp trên (tên hoặc mã).")
        parser.add_argument(
            "--level",
            choices=NationalSource.Level.values,
            help="Cấp số liệu (mặc định: huyện → các xã, tỉnh → các huyện; “province”: dòng của chính tỉnh).",
        )
        parser.add_argument("--url", help="Địa chỉ Cổng (mặc định: NATIONAL_PORTAL_URL).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ lấy, kiểm tra và in báo cáo, không ghi gì.")

    def handle(self, *args, **options):
        try:
            period = period_parse(options["period"])
            scope = unit_lookup(text=options["scope"], on=period.last_day)
        except (ValueError, UnitNotFound, AmbiguousUnit) as exc:
            raise CommandError(str(exc)) from None
        try:
            source = source_for(level=options["level"] or default_level(scope))
            fetched = fetch(source=source, period=period, scope=scope, url=options["url"])
            table, mapping, portal_ids = staged_table(fetched=fetched, scope=scope, period=period)
        except NationalPortalError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Cổng DVCQG: {len(fetched.rows)} dòng trong {len(fetched.exchanges)} lần hỏi.")
        preview = import_preview(table=table, period=period, scope=scope, mapping=mapping)
        report(self.stdout.write, preview)
        if preview.errors:
            raise CommandError(f"Có {len(preview.errors)} lỗi; không có gì được ghi.")
        if not preview.can_apply:
            raise CommandError("Không có số liệu nào để nhập; không có gì được ghi.")
        if options["dry_run"]:
            self.stdout.write("Chạy thử (--dry-run): không có gì được ghi.")
            return
        record = fetched.record()
        try:
            revision = import_commit(
                preview=preview,
                file_name=f"cong-dvcqg-{source.level}-{scope.code}-{period.key}.json",
                file_sha256=file_hash(record),
                data_as_of=fetched.fetched_at,
                source=source_text(fetched),
            )
        except ImportRejected as exc:
            raise CommandError(f"{exc}\nKhông có gì được ghi.") from None
        links_remember(portal_ids=portal_ids, preview=preview, user=None)
        # The answers are kept with the revision, as a batch applied by the operator.
        ImportBatch.objects.create(
            file_name=revision.file_name,
            file_data=record,
            file_sha256=revision.file_sha256,
            file_size=len(record),
            staged=table.staged(),
            source=revision.source,
            mapping=mapping,
            period=period,
            scope=scope,
            data_as_of=fetched.fetched_at,
            state=ImportBatch.State.APPLIED,
            progress=100,
            revision=revision,
            summary={**preview.counts(), "revision": revision.number},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập lần {revision.number} cho {scope.name}, tháng {period}: "
                f"{revision.unit_count} đơn vị, {format_number(revision.value_count)} giá trị."
            )
        )
