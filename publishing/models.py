"""What the public sees: a leader's publication of a month for a scope, the snapshot it took, and the
figures that reach anonymous readers (copied from the snapshot, never from the current scores)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.models import ScoreValues


class Publication(models.Model):
    """A month's results for a scope (a unit and its subtree) as a leader made them public, and since when."""

    period = models.ForeignKey("indicators.Period", on_delete=models.PROTECT, related_name="publications")
    scope = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="publications")
    is_published = models.BooleanField(_("đã công bố"), default=False)
    first_published_at = models.DateTimeField(_("công bố lần đầu"), null=True, blank=True)
    published_at = models.DateTimeField(_("cập nhật"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người công bố"), null=True, blank=True, on_delete=models.SET_NULL
    )
    version = models.PositiveIntegerField(_("lần công bố"), default=0)
    unpublish_reason = models.TextField(_("lý do gỡ"), blank=True)

    class Meta:
        db_table = "indicators_publication"  # the table predates this app
        verbose_name = _("công bố")
        verbose_name_plural = _("công bố")
        constraints = [models.UniqueConstraint(fields=["period", "scope"], name="publication_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.period}"


class PublishedUnit(models.Model):
    """One unit of a publication's snapshot: the revision whose figures of the unit the leader published."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey("indicators.ImportRevision", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("đơn vị trong bản công bố")
        verbose_name_plural = _("đơn vị trong bản công bố")
        constraints = [models.UniqueConstraint(fields=["publication", "unit"], name="published_unit_once")]

    def __str__(self) -> str:
        return f"{self.publication}: {self.unit_id} ← {self.revision_id}"


class PublicScore(ScoreValues):
    """A figure as the public sees it: one unit's indicator in one month, from the latest publication
    covering the unit (rebuilt from the snapshots whenever a covering scope is published or withdrawn)."""

    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False)
    period = models.ForeignKey("indicators.Period", on_delete=models.PROTECT, related_name="+", db_index=False)
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey("indicators.ImportRevision", on_delete=models.PROTECT, related_name="+")
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("số liệu đã công bố")
        verbose_name_plural = _("số liệu đã công bố")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "indicator"], name="public_score_unique"),
            *ScoreValues.measure_constraints("public_score"),
        ]
        indexes = [models.Index(fields=["period", "indicator"]), models.Index(fields=["publication", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_id} {self.indicator_id}"


class PublicationEvent(models.Model):
    """One entry of a month's corrections log: a publish, republish or withdrawal, and what it changed."""

    class Action(models.TextChoices):
        PUBLISH = "publish", pgettext_lazy("publication event", "Công bố")
        REPUBLISH = "republish", pgettext_lazy("publication event", "Công bố lại")
        UNPUBLISH = "unpublish", pgettext_lazy("publication event", "Gỡ công bố")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    version = models.PositiveIntegerField(_("lần công bố"))
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(_("lý do"), blank=True)
    revisions = models.JSONField(_("các lần nhập được công bố"), default=list, blank=True)
    changes = models.JSONField(_("thay đổi"), default=list, blank=True, help_text=_("Đơn vị, giá trị, hạng trước/sau."))

    class Meta:
        verbose_name = _("nhật ký công bố")
        verbose_name_plural = _("nhật ký công bố")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication} {self.get_action_display()} {self.version}"
