"""Publish a month's results for a scope, through the service the leader's button calls."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from indicators.models import IndicatorKind, Score
from indicators.services import period_parse
from publishing.models import Publication
from publishing.services import NothingToPublish, publication_publish
from units.collation import by_name
from units.models import AdministrativeUnit
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup


class Command(BaseCommand):
    help = (
        "Công bố kết quả một tháng cho một đơn vị và các đơn vị trực thuộc (--scope). Không ghi --scope: công bố "
        "cho mọi tỉnh, thành phố có số liệu trong tháng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, action="append", help="Tháng: 2024-08 (ghi nhiều lần để công bố nhiều tháng)."
        )
        parser.add_argument("--scope", help="Đơn vị (mã hoặc tên) có hiệu lực trong tháng, ví dụ “Huyện Tiên Lữ”.")
        parser.add_argument(
            "--skip-published",
            action="store_true",
            help="Bỏ qua phạm vi đã công bố (để chạy lặp lại khi cài đặt mà không tăng số lần công bố).",
        )

    def handle(self, *args, **options):
        try:
            periods = [period_parse(text) for text in options["period"]]
        except ValueError as exc:
            raise CommandError(f"--period: {exc}") from None
        for period in periods:
            self._publish(period, options)

    def _publish(self, period, options):
        if options["scope"]:
            scopes = [self._scope(options["scope"], period)]
        else:
            scopes = top_units_with_data(period)
            if not scopes:
                raise CommandError(f"Tháng {period} chưa có số liệu nào; không có gì để công bố.")
        for scope in scopes:
            if (
                options["skip_published"]
                and Publication.objects.filter(period=period, scope=scope, is_published=True).exists()
            ):
                self.stdout.write(f"Tháng {period} đã công bố cho {scope.name}; giữ nguyên.")
                continue
            try:
                publication = publication_publish(period=period, scope=scope)
            except NothingToPublish as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Đã công bố tháng {period} cho {scope.name} (lần {publication.version}).")

    def _scope(self, text: str, period) -> AdministrativeUnit:
        # A month's tree: a unit valid on any day of it, the last day first (a merger mid-month).
        for day in (period.last_day, period.first_day):
            try:
                return unit_lookup(text=text, on=day)
            except AmbiguousUnit as exc:
                raise CommandError(f"--scope: {exc}") from None
            except UnitNotFound:
                continue
        raise CommandError(f"--scope: không tìm thấy đơn vị “{text}” có hiệu lực trong tháng {period}.")


def top_units_with_data(period) -> list[AdministrativeUnit]:
    """Provinces (units without a parent) with a total in the month for themselves or any unit below them."""
    with_data = Score.objects.filter(period=period, indicator__kind=IndicatorKind.TOTAL)
    return list(
        AdministrativeUnit.objects.filter(parent__isnull=True)
        .filter(
            Q(pk__in=with_data.values("unit_id"))
            | Q(children__in=with_data.values("unit_id"))
            | Q(children__children__in=with_data.values("unit_id"))
            | Q(children__children__children__in=with_data.values("unit_id"))
        )
        .distinct()
        .order_by(by_name())
    )
