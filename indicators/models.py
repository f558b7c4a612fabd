"""The index as data: versioned catalogue, classification bands, months, and the scores imported for them."""

import datetime
from bisect import bisect_right
from calendar import monthrange
from decimal import Decimal
from operator import attrgetter

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .periods import PeriodSpan, month_span


class Framework(models.Model):
    """One version of the indicator catalogue (Decision 766/QĐ-TTg and its revisions)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="framework_valid_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorKind(models.TextChoices):
    TOTAL = "total", _("Tổng hợp")
    GROUP = "group", _("Nhóm chỉ số")
    CRITERION = "criterion", _("Tiêu chí")
    OPERATIONAL = "operational", _("Số liệu theo dõi")


class IndicatorRole(models.TextChoices):
    """What an indicator means to the code (the catalogue is data: code asks for a role, never for a code)."""

    NONE = "", _("(không có)")
    PUBLICITY = "publicity", _("Nhóm công khai, minh bạch")
    PROGRESS = "progress", _("Nhóm tiến độ giải quyết")
    ONLINE_SERVICE = "online_service", _("Nhóm dịch vụ công trực tuyến")
    ONLINE_PAYMENT = "online_payment", _("Nhóm thanh toán trực tuyến")
    SATISFACTION = "satisfaction", _("Nhóm mức độ hài lòng")
    DIGITISATION = "digitisation", _("Nhóm số hóa hồ sơ")
    OVERDUE_TOTAL = "overdue_total", _("Hồ sơ quá hạn (tổng số)")
    OVERDUE_DISTRICT = "overdue_district", _("Hồ sơ quá hạn cấp huyện")
    OVERDUE_COMMUNE = "overdue_commune", _("Hồ sơ quá hạn cấp xã")
    PAKN_OVERDUE = "pakn_overdue", _("PAKN quá hạn (tổng số)")
    PAKN_NOT_RECEIVED = "pakn_not_received", _("PAKN quá hạn chưa tiếp nhận")
    PAKN_LATE = "pakn_late", _("PAKN xử lý quá hạn")
    DOSSIERS_LATE = "dossiers_late", _("Hồ sơ trễ hạn")
    COPIES_ELECTRONIC = "copies_electronic", _("Bản sao điện tử đã cấp")
    DIGITISE_MISSING_INPUTS = "digitise_missing_inputs", _("Hồ sơ chưa số hóa thành phần")
    DIGITISE_MISSING_RESULTS = "digitise_missing_results", _("Hồ sơ chưa số hóa kết quả")


class Measure(models.TextChoices):
    POINTS = "points", _("Điểm")
    PERCENT = "percent", _("Tỷ lệ (%)")
    COUNT = "count", _("Số lượng")
    COUNT_PERCENT = "count_percent", _("Số lượng và tỷ lệ")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Càng cao càng tốt")
    LOWER = "lower", _("Càng thấp càng tốt")


class Indicator(models.Model):
    """One entry of a catalogue: the total, a group, a criterion under a group, or an operational count."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã"), max_length=40, help_text=_("“total”, “1”…“6”, “2.1”, “overdue.total”…"))
    parent = models.ForeignKey(
        "self", verbose_name=_("nhóm"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=IndicatorKind.choices)
    name = models.CharField(_("tên"), max_length=300)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    measure = models.CharField(_("đơn vị đo"), max_length=16, choices=Measure.choices)
    count_unit = models.CharField(_("đơn vị đếm"), max_length=40, blank=True, help_text=_("hồ sơ, TTHC, bản…"))
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2, null=True, blank=True)
    direction = models.CharField(_("chiều tốt"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    role = models.CharField(
        _("vai trò"),
        max_length=32,
        choices=IndicatorRole.choices,
        blank=True,
        default="",
        help_text=_("Ý nghĩa của chỉ số với công văn và trang công khai (mỗi vai trò một chỉ số trong một bộ)."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    header_hints = models.TextField(
        _("tiêu đề cột thường gặp"),
        blank=True,
        help_text=_("Mỗi dòng một cách ghi tiêu đề cột, dùng để gợi ý khi nhập."),
    )

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique_in_framework"),
            models.UniqueConstraint(
                fields=["framework", "role"], condition=~Q(role=""), name="indicator_role_unique_in_framework"
            ),
            models.CheckConstraint(
                condition=Q(max_points__isnull=True) | Q(max_points__gt=0, max_points__lte=100),
                name="indicator_max_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ClassificationBand(models.Model):
    """A named band of totals (Xuất sắc ≥ 90 …); a total falls in the band with the highest minimum it reaches."""

    name = models.CharField(_("xếp loại"), max_length=40, unique=True)
    min_total = models.DecimalField(_("từ (điểm)"), max_digits=6, decimal_places=2, unique=True)
    colour = models.CharField(_("màu"), max_length=7, default="#888888", help_text=_("Mã màu, ví dụ #1a7f37."))

    class Meta:
        verbose_name = _("xếp loại")
        verbose_name_plural = _("xếp loại")
        ordering = ["-min_total"]
        constraints = [
            models.CheckConstraint(condition=Q(min_total__gte=0, min_total__lte=100), name="band_min_total_range")
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def band_for(total: Decimal | None, bands: list["ClassificationBand"]) -> "ClassificationBand | None":
        """The band of `total` among `bands` (any order)."""
        if total is None:
            return None
        return ClassificationBand.placing(total, sorted(bands, key=_MIN_TOTAL))[0]

    @staticmethod
    def placing(
        total: Decimal, ascending: list["ClassificationBand"]
    ) -> tuple["ClassificationBand | None", "ClassificationBand | None"]:
        """The band `total` falls in and the next one up, among `ascending` (sorted by minimum; the
        ranking task sorts once and asks for every unit of a month)."""
        reached = bisect_right(ascending, total, key=_MIN_TOTAL)  # the bands whose minimum it reaches
        return (
            ascending[reached - 1] if reached else None,
            ascending[reached] if reached < len(ascending) else None,
        )


_MIN_TOTAL = attrgetter("min_total")


class Period(models.Model):
    """A month for which results are published."""

    year = models.PositiveSmallIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(_("tháng"))

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="period_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="period_month_range"),
            models.CheckConstraint(condition=Q(year__gte=2022, year__lte=2100), name="period_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.month}/{self.year}"

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def span(self) -> PeriodSpan:
        """The month as a `PeriodSpan` (indicators.periods), the portal's one reading of period keys."""
        return month_span(self.year, self.month)

    def previous_key(self) -> tuple[int, int]:
        return (self.year, self.month - 1) if self.month > 1 else (self.year - 1, 12)


class ImportRevision(models.Model):
    """One applied import: the figures a file brought for a month and scope, as of a given time."""

    class State(models.TextChoices):
        APPLIED = "applied", _("Đang áp dụng")
        SUPERSEDED = "superseded", _("Đã có bản mới hơn")
        REVERTED = "reverted", _("Đã hoàn tác")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="revisions")
    scope = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name=_("phạm vi"), on_delete=models.PROTECT, related_name="import_revisions"
    )
    number = models.PositiveIntegerField(_("lần nhập"))
    state = models.CharField(_("trạng thái"), max_length=12, choices=State.choices, default=State.APPLIED)
    file_name = models.CharField(_("tệp"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    data_as_of = models.DateTimeField(_("số liệu tính đến"))
    created_at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True, on_delete=models.SET_NULL
    )
    unit_count = models.PositiveIntegerField(_("số đơn vị"), default=0)
    value_count = models.PositiveIntegerField(_("số giá trị"), default=0)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)
    reverted_to = models.ForeignKey(
        "self", verbose_name=_("hoàn tác về"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lần nhập số liệu")
        verbose_name_plural = _("lần nhập số liệu")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "scope", "number"], name="revision_number_unique"),
            # The target of the scores' (revision, period) key: a score's month is its revision's.
            models.UniqueConstraint(fields=["id", "period"], name="revision_id_period"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period} #{self.number}"


class ScoreValues(models.Model):
    """The measures one figure can carry: points, a rate in %, a count; and, as the source published
    them, the change since the previous month and the rank among its peers ("13/30")."""

    points = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("tỷ lệ (%)"), max_digits=7, decimal_places=3, null=True, blank=True)
    count = models.BigIntegerField(_("số lượng"), null=True, blank=True)
    change_text = models.CharField(_("so với tháng trước (như công bố)"), max_length=60, blank=True)
    change = models.DecimalField(
        _("thay đổi so với tháng trước (theo công bố)"), max_digits=15, decimal_places=3, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("hạng (theo công bố)"), null=True, blank=True)
    rank_of = models.PositiveIntegerField(_("số đơn vị được xếp hạng (theo công bố)"), null=True, blank=True)
    rank_change = models.IntegerField(_("thay đổi hạng (theo công bố; dương: tăng hạng)"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def measure_constraints(cls, prefix: str) -> list[models.CheckConstraint]:
        return [
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0), name=f"{prefix}_points_positive"
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(rate__gte=0, rate__lte=100), name=f"{prefix}_rate_range"
            ),
            models.CheckConstraint(condition=Q(count__isnull=True) | Q(count__gte=0), name=f"{prefix}_count_positive"),
            models.CheckConstraint(
                condition=Q(points__isnull=False)
                | Q(rate__isnull=False)
                | Q(count__isnull=False)
                | Q(rank__isnull=False)
                | Q(change__isnull=False),
                name=f"{prefix}_has_a_value",
            ),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name=f"{prefix}_rank_positive"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank_of__isnull=True) | Q(rank__lte=models.F("rank_of")),
                name=f"{prefix}_rank_within_ranked",
            ),
        ]


# Every measure a figure row carries, in the order the write paths list them (one owner: the
# import, the revision history, the comparisons and the published copy all use this list).
MEASURES = ("points", "rate", "count", "change_text", "change", "rank", "rank_of", "rank_change")


class CurrentRevision(models.Model):
    """Which revision holds a unit's current figures for a month: one row per unit and month,
    pointing at the latest applied revision that brought the unit.

    Applying a revision writes its figures once, as history records, and moves these pointers (a
    few thousand rows for a national month); the current figures (`Score`) are read through them.
    On PostgreSQL a composite key (revision, period) → ImportRevision (id, period) also holds a
    pointer to its revision's month (migration 0008).
    """

    period = models.ForeignKey(
        Period,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the unique (period, unit) index leads with it
    )
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(ImportRevision, on_delete=models.PROTECT, related_name="current_units")

    class Meta:
        verbose_name = _("lần nhập hiện hành của đơn vị")
        verbose_name_plural = _("lần nhập hiện hành của đơn vị")
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="current_revision_unique_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}: {self.revision_id}"


class Score(ScoreValues):
    """The current figure of one indicator for one unit in one month: the record of the unit's
    current revision (`CurrentRevision`).

    A database view (migration 0008), read like a table and never written: a national month is
    100k figures, and writing them twice (history and current) with every key checked per row was
    half of an import. Its id is the record's. Writes go through `indicators.services.revision_apply`.
    """

    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="scores")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    revision = models.ForeignKey(ImportRevision, on_delete=models.PROTECT, related_name="current_scores")

    class Meta:
        managed = False  # a view: see the class docstring
        db_table = "indicators_score"
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.indicator.code}"


class ScoreRecord(ScoreValues):
    """A figure as one revision wrote it; the append-only history that revisions are compared and reverted from,
    and the only table a figure is written to (the current figures, `Score`, are read from it).

    It carries its revision's month, so that a month's figures are read from one index as a table of
    current figures would be. On PostgreSQL one composite key (revision, period) → ImportRevision
    (id, period) checks both and holds the record to its revision's month (migration 0008): a national
    month is 100k records, and each key checked is paid per row. SQLite keeps Django's checks of the
    unit and indicator only.
    """

    revision = models.ForeignKey(
        ImportRevision,
        on_delete=models.CASCADE,
        related_name="records",
        db_index=False,  # the unique (revision, unit, indicator) index leads with it
        db_constraint=False,  # checked with the period: see the class docstring
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (indicator, period) index holds it
        db_constraint=False,  # checked with the revision: see the class docstring
    )
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (indicator, period) index leads with it
    )

    class Meta:
        verbose_name = _("số liệu theo lần nhập")
        verbose_name_plural = _("số liệu theo lần nhập")
        constraints = [
            models.UniqueConstraint(fields=["revision", "unit", "indicator"], name="record_unique_per_revision"),
            *ScoreValues.measure_constraints("record"),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="record_indicator_period")]

    def __str__(self) -> str:
        return f"{self.revision}: {self.unit_id} {self.indicator_id}"
