"""attach_signed_dispatch --unit U --period YYYY-MM FILE.pdf --number "193/UBND-KSTTHC" --date YYYY-MM-DD:
verify a signed dispatch and publish it, as the clerk's upload does; non-zero with the reason when refused."""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dispatches.models import Dispatch
from dispatches.services import dispatch_attach_signed
from dispatches.signing import SignatureRefused
from indicators.services import period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số và đính kèm bản công văn đã ký (như văn thư tải lên trên cổng)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp PDF đã ký số.")
        parser.add_argument("--unit", required=True, help="Mã hoặc tên đơn vị ban hành.")
        parser.add_argument("--period", required=True, help="Tháng, dạng YYYY-MM.")
        parser.add_argument("--number", required=True, help="Số, ký hiệu đã cấp, ví dụ “193/UBND-KSTTHC”.")
        parser.add_argument("--date", required=True, help="Ngày ban hành, dạng YYYY-MM-DD.")

    def handle(self, *args, file, unit, period, number, date, **options):
        try:
            month = period_parse(period)
        except ValueError as error:
            raise CommandError(f"--period: {error}") from None
        try:
            issuer = unit_lookup(text=unit, on=month.last_day)
        except (UnitNotFound, AmbiguousUnit) as error:
            raise CommandError(f"--unit: {error}") from None
        try:
            issued_on = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"--date: “{date}” không phải ngày dạng YYYY-MM-DD.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp {file}.")
        dispatch = Dispatch.objects.filter(unit=issuer, period=month).first()
        if dispatch is None:
            raise CommandError(f"{issuer.name} chưa có công văn tháng {month}.")
        try:
            signed = dispatch_attach_signed(
                dispatch=dispatch, content=path.read_bytes(), number=number, issued_on=issued_on
            )
        except (SignatureRefused, ValidationError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"Không nhận tệp đã ký: {reason}") from None
        for check in signed.report:
            trust = "tin cậy" if check["trusted"] else f"chưa tin cậy ({check['trust_problem']})"
            self.stdout.write(f"- {check['field']}: {check['signer']}, ký lúc {check['signed_at']}, {trust}")
        self.stdout.write(f"Đã đính kèm bản ký số {signed.issued_number} ngày {issued_on:%d/%m/%Y} và công khai.")
