from django.apps import AppConfig


class DispatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatches"
    verbose_name = "Công văn"
