from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "units"
    verbose_name = _("Đơn vị hành chính")

    def ready(self):
        from .collation import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="units-vietnamese-collation")
