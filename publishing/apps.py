from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publishing"
    verbose_name = pgettext_lazy("menu", "Công bố")
