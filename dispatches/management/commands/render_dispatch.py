"""render_dispatch --unit UNIT --period YYYY-MM --out FILE.pdf [--final]: the unit's dispatch for the month.

Without --final it writes the draft as it reads now (nothing is frozen); with --final it freezes the figures
as the leader's "chốt" does and writes the final PDF with its empty signature fields, the file to sign.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dispatches import pdf
from dispatches.models import Dispatch
from dispatches.services import (
    dispatch_draft,
    dispatch_figures_problem,
    dispatch_freeze,
    dispatch_render,
    dispatch_snapshot,
)
from indicators.services import period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup


class Command(BaseCommand):
    help = "Tạo tệp PDF công văn công bố kết quả Bộ chỉ số của một đơn vị trong một tháng."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã hoặc tên đơn vị ban hành, ví dụ “Huyện Tiên Lữ”.")
        parser.add_argument("--period", required=True, help="Tháng, dạng YYYY-MM.")
        parser.add_argument("--out", required=True, help="Tệp PDF sẽ ghi.")
        parser.add_argument(
            "--final", action="store_true", help="Chốt số liệu (như lãnh đạo bấm “chốt”) và ghi tệp để ký số."
        )

    def handle(self, *args, unit, period, out, final, **options):
        try:
            month = period_parse(period)
        except ValueError as error:
            raise CommandError(f"--period: {error}") from None
        try:
            issuer = unit_lookup(text=unit, on=month.last_day)
        except (UnitNotFound, AmbiguousUnit) as error:
            raise CommandError(f"--unit: {error}") from None
        existing = Dispatch.objects.filter(unit=issuer, period=month).first()
        if existing is None or existing.frozen_data is None:
            problem = dispatch_figures_problem(unit=issuer, period=month)
            if problem:
                raise CommandError(problem)
        dispatch = existing or dispatch_draft(unit=issuer, period=month, user=None)
        if final:
            try:
                dispatch = dispatch_freeze(dispatch=dispatch)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        if dispatch.frozen_data is not None:
            # The final dispatch: the stored file the signatures must extend, rendered once.
            dispatch = dispatch_render(dispatch=dispatch)
            with dispatch.pdf.open("rb") as stored:
                content = stored.read()
        else:
            data = dispatch_snapshot(dispatch=dispatch)
            content = pdf.html_to_pdf(pdf.document_html(data=data, text=pdf.dispatch_text(dispatch)))
        Path(out).write_bytes(content)
        state = dispatch.get_status_display().lower()
        self.stdout.write(f"Đã ghi {out} ({len(content):,} byte, công văn {state} của {issuer.name}, tháng {month}).")
