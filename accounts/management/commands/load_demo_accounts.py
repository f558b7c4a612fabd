"""Create the demo logins of the embedded default (a clerk and a leader of the home unit, an administrator)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import demo_accounts_create
from portal.selectors import home_unit


class Command(BaseCommand):
    help = "Tạo các tài khoản dùng thử (chỉ ở bản chạy thử nhúng: SQLite, không có broker, không SECURE)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Địa chỉ cổng, để in đường dẫn.")

    def handle(self, *args, base_url, **options):
        if not settings.EMBEDDED_DEFAULT:
            # Never on a real deployment: the passwords below are public (they are in the README).
            self.stdout.write(
                "Không tạo tài khoản dùng thử: đây không phải bản chạy thử nhúng "
                "(đã đặt DATABASE_URL, REDIS_URL/CELERY_BROKER_URL hoặc SECURE=1)."
            )
            return
        unit = home_unit()
        if unit is None:
            raise CommandError("Chưa có đơn vị PORTAL_HOME_UNIT: chạy manage.py load_units trước.")
        accounts = demo_accounts_create(unit=unit)
        self.stdout.write("Tài khoản dùng thử (chỉ có ở bản chạy thử trên máy này):")
        for a in accounts:
            login = f"{a.username} / {a.password}" if a.password_kept else f"{a.username} (mật khẩu đã được đổi)"
            self.stdout.write(f"  {a.description}: {login}  →  {base_url.rstrip('/')}{a.start}")
        self.stdout.write(f"Đăng nhập tại {base_url.rstrip('/')}/tai-khoan/login/")
