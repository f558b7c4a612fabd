"""Administrative units as a tree with history: who existed when, under whom, and who succeeded whom."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .names import fold, name_key
from .text import clean_text

# The 2025 reorganisation: the district level ends, communes and provinces merge.
REORGANISATION_DATE = datetime.date(2025, 7, 1)
LEGACY_VALID_TO = REORGANISATION_DATE - datetime.timedelta(days=1)


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Quận, huyện, thị xã, thành phố")
    COMMUNE = "commune", _("Xã, phường, thị trấn")
    DEPARTMENT = "department", _("Sở, ban, ngành")


class Tree(models.TextChoices):
    LEGACY = "legacy", _("Trước 1/7/2025 (63 tỉnh)")
    Y2025 = "2025", _("Từ 1/7/2025 (34 tỉnh)")
    CUSTOM = "custom", _("Bổ sung thủ công")


# --- validity: the one rule of "a unit is valid in a period" -----------------------------------------------
# A unit is valid in a period (a month, quarter or year: anything with `first_day` and `last_day`, such as
# indicators.periods.PeriodSpan or a Period row) when it existed on at least one day of it: its validity
# starts on or before the period's last day and ends on or after its first day (None: open-ended). A day is
# the period of one day. `is_valid_in` is the pure check (for rows already in memory), `valid_in_q` the same
# rule as a query condition; every caller uses one of them, through `UnitQuerySet.valid_in` where it can.


def is_valid_in(valid_from: datetime.date | None, valid_to: datetime.date | None, span) -> bool:
    """True when a unit valid from `valid_from` to `valid_to` existed at some time in `span`."""
    return (valid_from is None or valid_from <= span.last_day) and (valid_to is None or valid_to >= span.first_day)


def valid_in_q(span, prefix: str = "") -> Q:
    """`is_valid_in` as a query condition; `prefix` reaches the unit through a relation ("unit__")."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": span.last_day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": span.first_day})
    )


@dataclass(frozen=True)
class Day:
    """One day as a period of one day, so that "valid on a day" is the same rule as "valid in a month"."""

    first_day: datetime.date

    @property
    def last_day(self) -> datetime.date:
        return self.first_day


class UnitQuerySet(models.QuerySet):
    def valid_in(self, span) -> "UnitQuerySet":
        """Units that existed at some time in the period (see `is_valid_in`)."""
        return self.filter(valid_in_q(span))

    def valid_on(self, day: datetime.date) -> "UnitQuerySet":
        return self.valid_in(Day(day))


class AdministrativeUnit(models.Model):
    """One administrative unit (province, district, commune or department) over the period it existed."""

    tree = models.CharField(_("hệ thống đơn vị"), max_length=8, choices=Tree.choices)
    code = models.CharField(_("mã"), max_length=32, help_text=_("Mã đơn vị hành chính chính thức."))
    name = models.CharField(_("tên"), max_length=200, help_text=_("Tên đầy đủ, ví dụ “Huyện Tiên Lữ”."))
    short_name = models.CharField(_("tên ngắn"), max_length=200, help_text=_("Ví dụ “Tiên Lữ”."))
    kind = models.CharField(_("loại"), max_length=40, help_text=_("Tỉnh, thành phố, quận, huyện, xã, phường…"))
    level = models.CharField(_("cấp"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )
    search_name = models.CharField(max_length=200, editable=False, db_index=True, help_text="fold(name)")
    match_key = models.CharField(max_length=200, editable=False, db_index=True, help_text="name_key(name)")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["tree", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tree", "code"], name="unit_code_unique_in_tree"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="unit_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="unit_longitude_range",
            ),
        ]
        indexes = [models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Derived lookup columns, kept beside the name so searches can use an index.
        self.search_name = fold(self.name)
        self.match_key = name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        # A name typed in the admin enters the portal here: no invisible direction controls.
        self.name, self.short_name, self.kind = (clean_text(v) for v in (self.name, self.short_name, self.kind))

    def is_valid_in(self, span) -> bool:
        return is_valid_in(self.valid_from, self.valid_to, span)

    def is_valid_on(self, day: datetime.date) -> bool:
        return is_valid_in(self.valid_from, self.valid_to, Day(day))


class UnitSuccession(models.Model):
    """A link from a unit to one that took over (part of) its territory and duties."""

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessor_links")
    is_main = models.BooleanField(
        _("kế thừa chính"), default=True, help_text=_("Đơn vị kế thừa phần lớn của đơn vị cũ (khi bị chia tách).")
    )

    class Meta:
        verbose_name = _("quan hệ kế thừa")
        verbose_name_plural = _("quan hệ kế thừa")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class UnitAlias(models.Model):
    """Another way people write a unit's name, confirmed once and matched from then on."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(_("tên gọi khác"), max_length=200)
    match_key = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("tên gọi khác")
        verbose_name_plural = _("tên gọi khác")
        constraints = [models.UniqueConstraint(fields=["unit", "match_key"], name="alias_unique_per_unit")]

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs):
        self.match_key = name_key(self.alias)
        super().save(*args, **kwargs)
