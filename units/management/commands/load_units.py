"""Load the real administrative divisions from the `vietnamadminunits` package (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from units.services import DatasetError, units_load


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính thật (63 tỉnh trước 1/7/2025, 34 tỉnh từ 1/7/2025) và quan hệ kế thừa."

    def add_arguments(self, parser):
        parser.add_argument("--tree", choices=["legacy", "2025", "all"], default="all")

    def handle(self, *args, tree: str, **options):
        try:
            report = units_load(tree=tree)
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        labels = {"provinces": "tỉnh", "districts": "huyện", "communes": "xã"}
        for name, counts in report.counts.items():
            parts = ", ".join(f"{n} {labels[k]}" for k, n in counts.items())
            self.stdout.write(f"Cây {name}: {parts}.")
        if report.changed:
            self.stdout.write(
                f"Đã thêm {report.created}, cập nhật {report.updated}, giữ nguyên {report.unchanged} đơn vị; "
                f"quan hệ kế thừa: thêm/sửa {report.links_created}, xóa {report.links_removed}."
            )
        else:
            self.stdout.write(f"Không có thay đổi: {report.unchanged} đơn vị đã đúng với dữ liệu.")
