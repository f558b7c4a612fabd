"""Load the demo data (reference dispatches' real figures and a labelled synthetic history)."""

from django.core.management.base import BaseCommand, CommandError

from indicators.demo import demo_load
from units.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa: số liệu thật của các công văn mẫu và lịch sử tổng hợp có gắn nhãn."

    def handle(self, *args, **options):
        if not AdministrativeUnit.objects.filter(tree="legacy").exists():
            raise CommandError("Chưa có danh mục đơn vị: chạy manage.py load_units trước.")
        if demo_load():
            self.stdout.write("Đã nạp dữ liệu minh họa.")
        else:
            self.stdout.write("Dữ liệu minh họa đã có sẵn; không thay đổi.")
