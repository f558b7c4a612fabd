from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatches"
    verbose_name = _("Công văn")
