"""Stored ranking results: computed by a Celery task whenever a month's data changes, read by every page."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RankingRun(models.Model):
    """One run of the ranking task for a period and a set of figures, with its state for staff to watch."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tính")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    period_key = models.CharField(_("kỳ"), max_length=7, help_text=_("YYYY-MM, YYYY-Qn hoặc YYYY"))
    public = models.BooleanField(_("số liệu đã công bố"), default=False, help_text=_("Sai: số liệu đang làm việc."))
    state = models.CharField(_("trạng thái"), max_length=8, choices=State.choices, default=State.QUEUED)
    error = models.TextField(_("lý do lỗi"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lượt tính xếp hạng")
        verbose_name_plural = _("lượt tính xếp hạng")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period_key} {self.get_state_display()}"


class RankSource(models.TextChoices):
    PUBLISHED = "published", _("Theo công bố")
    COMPUTED = "computed", _("Tính từ số liệu")


class RankingResult(models.Model):
    """One unit's place in one peer group for one period (month, quarter or year), computed either from
    the working figures (what staff see before publishing) or from the published ones (the public's)."""

    class Scope(models.TextChoices):
        PEER = "peer", _("Cùng cấp, cùng đơn vị cấp trên")
        PROVINCE = "province", _("Toàn tỉnh (cấp xã)")

    # No index of its own: the unique (public, period_key, scope, unit) index starts with it. Every index and
    # every foreign-key check here is paid for on each recomputation of a national month (7,500 rows).
    # These rows are derived, rewritten whole from scores whose keys the database does check, so
    # `parent` and `band` are plain references: Django still cascades (or nulls) them when a unit
    # or band is deleted, and the database is spared 15,000 key checks per run. `unit` keeps its
    # constraint.
    public = models.BooleanField(_("từ số liệu đã công bố"), default=False)
    period_key = models.CharField(_("kỳ"), max_length=7)
    scope = models.CharField(_("phạm vi xếp hạng"), max_length=10, choices=Scope.choices, default=Scope.PEER)
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="ranking_results")
    parent = models.ForeignKey(
        "units.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the (public, period_key, scope, parent, rank) index serves every lookup by parent
    )
    level = models.CharField(max_length=12)
    total = models.DecimalField(_("tổng điểm"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("hạng"), null=True, blank=True, help_text=_("Trống: chưa có số liệu."))
    rank_of = models.PositiveIntegerField(_("trên tổng số"))
    rank_source = models.CharField(_("nguồn của hạng"), max_length=10, choices=RankSource.choices, blank=True)
    peer_count = models.PositiveIntegerField(
        _("số đơn vị cùng nhóm"), default=0, help_text=_("Đơn vị có hiệu lực trong kỳ, cùng cấp, cùng cấp trên.")
    )
    ranked_count = models.PositiveIntegerField(_("số đơn vị có số liệu"), default=0)
    previous_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    total_change = models.DecimalField(_("thay đổi"), max_digits=6, decimal_places=2, null=True, blank=True)
    previous_rank = models.PositiveIntegerField(null=True, blank=True)
    rank_change = models.IntegerField(_("thay đổi hạng"), null=True, blank=True, help_text=_("Dương: tăng hạng."))
    band = models.ForeignKey(
        "indicators.ClassificationBand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        db_constraint=False,
    )
    group_sum = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    sum_mismatch = models.BooleanField(default=False)
    months_count = models.PositiveSmallIntegerField(default=1)
    comparable = models.BooleanField(default=True, help_text=_("Sai: không so sánh được với kỳ trước (sáp nhập)."))
    details = models.JSONField(
        default=dict, blank=True, help_text=_("Hạng theo nhóm, thay đổi theo nhóm, điểm cần để lên hạng.")
    )

    class Meta:
        verbose_name = _("kết quả xếp hạng")
        verbose_name_plural = _("kết quả xếp hạng")
        ordering = ["period_key", "parent_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["public", "period_key", "scope", "unit"], name="ranking_unique_unit_period_scope"
            ),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="ranking_rank_positive"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__lte=models.F("rank_of")), name="ranking_rank_within_group"
            ),
        ]
        indexes = [models.Index(fields=["public", "period_key", "scope", "parent", "rank"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_key}: {self.rank}/{self.rank_of}"
