from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Cổng công khai")

    def ready(self):
        import config.checks  # noqa: F401  (registers the deployment checks)

        # Cache invalidation only: a publication or a recomputed ranking makes cached pages stale.
        from publishing.models import Publication, PublicationEvent
        from rankings.models import RankingResult, RankingRun
        from rankings.signals import results_replaced

        from .caching import version_forget

        for model in (Publication, PublicationEvent, RankingRun, RankingResult):
            post_save.connect(version_forget, sender=model, dispatch_uid=f"portal-version-{model.__name__}")
            post_delete.connect(version_forget, sender=model, dispatch_uid=f"portal-version-del-{model.__name__}")
        results_replaced.connect(version_forget, dispatch_uid="portal-version-rankings")
