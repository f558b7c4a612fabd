"""`manage.py fetch_national --period YYYY-MM|YYYY-Qn --scope UNIT [--url URL] [--dry-run]` (DESIGN §7)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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
from indicators.periods import YEAR, PeriodKeyError, period_span
from indicators.services import file_hash, period_get
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

from .import_scores import report


class Command(BaseCommand):
    help = "Lấy số liệu Bộ chỉ số của một tháng từ Cổng Dịch vụ công quốc gia và nhập như một tệp."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="Tháng (2024-08), hoặc quý (2024-Q3): ba tháng của quý, ghi cùng nhau."
        )
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
            span = period_span(options["period"])
            if span.kind == YEAR:
                raise PeriodKeyError("Cần một tháng (2024-08) hoặc một quý (2024-Q3), không phải cả năm.")
            periods = [period_get(year=y, month=m) for y, m in span.months]
            scope = unit_lookup(text=options["scope"], on=periods[-1].last_day)
        except (ValueError, UnitNotFound, AmbiguousUnit) as exc:
            raise CommandError(str(exc)) from None
        # A quarter is its three months, as the portal ranks quarters from months: all three are
        # fetched and checked before any is written, and written together or not at all.
        months = [self._fetched_month(period, scope, options) for period in periods]
        if options["dry_run"]:
            self.stdout.write("Chạy thử (--dry-run): không có gì được ghi.")
            return
        with transaction.atomic():
            for month in months:
                self._apply(*month, scope=scope)

    def _fetched_month(self, period, scope, options):
        try:
            source = source_for(level=options["level"] or default_level(scope))
            fetched = fetch(source=source, period=period, scope=scope, url=options["url"])
            table, mapping, portal_ids = staged_table(fetched=fetched, scope=scope, period=period)
        except NationalPortalError as exc:
            raise CommandError(f"Tháng {period}: {exc}") from None
        self.stdout.write(
            f"Tháng {period} — Cổng DVCQG: {len(fetched.rows)} dòng trong {len(fetched.exchanges)} lần hỏi."
        )
        preview = import_preview(table=table, period=period, scope=scope, mapping=mapping)
        report(self.stdout.write, preview)
        if preview.errors:
            raise CommandError(f"Tháng {period}: có {len(preview.errors)} lỗi; không có gì được ghi.")
        if not preview.can_apply:
            raise CommandError(f"Tháng {period}: không có số liệu nào để nhập; không có gì được ghi.")
        return period, source, fetched, table, mapping, portal_ids, preview

    def _apply(self, period, source, fetched, table, mapping, portal_ids, preview, *, scope):
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
