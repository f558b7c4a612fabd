import logging

from django.apps import AppConfig


class DispatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatches"
    verbose_name = "Công văn"

    def ready(self):
        # WeasyPrint logs every layout step at INFO; a worker rendering many dispatches needs only its warnings.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
