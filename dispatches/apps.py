import logging

from django.apps import AppConfig


class DispatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatches"
    verbose_name = "Công văn"

    def ready(self):
        # WeasyPrint logs every layout step at INFO. Those lines feed the render progress (dispatches.pdf)
        # instead of flooding the worker's log.
        progress = logging.getLogger("weasyprint.progress")
        progress.propagate = False
        progress.setLevel(logging.INFO)
        from .pdf import PageProgressHandler

        progress.addHandler(PageProgressHandler())
