"""Print the indicator catalogue: code, name, unit of measure, maximum points."""

from django.core.management.base import BaseCommand

from indicators.formatting import format_number
from indicators.models import Framework
from indicators.selectors import catalogue, framework_for


class Command(BaseCommand):
    help = "In danh mục chỉ số (mã, tên, đơn vị đo, điểm tối đa)."

    def add_arguments(self, parser):
        parser.add_argument("--framework", help="Mã bộ chỉ số (mặc định: bộ mới nhất).")

    def handle(self, *args, framework=None, **options):
        fw = Framework.objects.get(code=framework) if framework else framework_for()
        self.stdout.write(f"{fw.name} [{fw.code}]")
        self.stdout.write(f"{'Mã':<26} {'Đơn vị đo':<18} {'Điểm tối đa':>11}  Tên")
        group_sum = 0
        for ind in catalogue(framework=fw):
            indent = "  " if ind.kind == "criterion" else ""
            max_points = format_number(ind.max_points) if ind.max_points is not None else "-"
            self.stdout.write(f"{indent + ind.code:<26} {ind.get_measure_display():<18} {max_points:>11}  {ind.name}")
            if ind.kind == "group":
                group_sum += ind.max_points
        self.stdout.write(f"Tổng điểm tối đa của các nhóm: {format_number(group_sum)}")
