"""render_dispatch --unit UNIT --period YYYY-MM --out FILE.pdf: the unit's dispatch for the month, as the leader gets it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dispatches import pdf
from dispatches.services import dispatch_draft, dispatch_snapshot
from indicators.services import period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup


class Command(BaseCommand):
    help = "Tạo tệp PDF công văn công bố kết quả Bộ chỉ số của một đơn vị trong một tháng."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã hoặc tên đơn vị ban hành, ví dụ “Huyện Tiên Lữ”.")
        parser.add_argument("--period", required=True, help="Tháng, dạng YYYY-MM.")
        parser.add_argument("--out", required=True, help="Tệp PDF sẽ ghi.")

    def handle(self, *args, unit, period, out, **options):
        try:
            month = period_parse(period)
        except ValueError as error:
            raise CommandError(f"--period: {error}") from None
        try:
            issuer = unit_lookup(text=unit, on=month.last_day)
        except (UnitNotFound, AmbiguousUnit) as error:
            raise CommandError(f"--unit: {error}") from None
        # A final dispatch is rendered from its frozen figures; a draft from the current ones (without freezing it).
        dispatch = dispatch_draft(unit=issuer, period=month, user=None)
        dispatch.frozen_data = dispatch_snapshot(dispatch=dispatch)
        content = pdf.dispatch_pdf(dispatch)
        Path(out).write_bytes(content)
        state = dispatch.get_status_display().lower()
        self.stdout.write(f"Đã ghi {out} ({len(content):,} byte, công văn {state} của {issuer.name}, tháng {month}).")
