from django.apps import AppConfig
from django.db.backends.signals import connection_created


class UnitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "units"
    verbose_name = "Đơn vị hành chính"

    def ready(self):
        from .collation import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="units-vietnamese-collation")
