"""An upload on its way through map → resolve → preview → apply, and saved column mappings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One uploaded spreadsheet for a month and scope, with the user's choices so far and its outcome."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        MAPPED = "mapped", _("Đã ghép cột")
        APPLYING = "applying", _("Đang ghi")
        APPLIED = "applied", _("Đã ghi")
        FAILED = "failed", _("Lỗi")

    file_name = models.CharField(_("tệp"), max_length=255)
    file_data = models.BinaryField(
        _("nội dung tệp"), help_text=_("Tệp đã tải lên, hoặc các câu trả lời của Cổng DVCQG.")
    )
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sheet = models.CharField(_("trang tính"), max_length=100, blank=True)
    period = models.ForeignKey("indicators.Period", on_delete=models.PROTECT, related_name="+")
    scope = models.ForeignKey("units.AdministrativeUnit", verbose_name=_("phạm vi"), on_delete=models.PROTECT)
    data_as_of = models.DateTimeField(_("số liệu tính đến"))
    staged = models.JSONField(
        _("bảng đã đọc"),
        default=dict,
        blank=True,
        help_text=_("Các dòng của tệp, đọc một lần khi tải lên (trang, dòng, ô đã định kiểu)."),
    )
    source = models.CharField(
        _("nguồn"), max_length=300, blank=True, help_text=_("Nơi số liệu đến, ghi vào lần nhập (để trống: tệp).")
    )
    mapping = models.JSONField(_("ghép cột"), default=dict, blank=True, help_text=_("Tiêu đề cột → đích."))
    unit_choices = models.JSONField(
        _("chọn đơn vị"), default=dict, blank=True, help_text=_("Tên trong tệp → id đơn vị, hoặc “create”.")
    )
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)
    revision = models.ForeignKey(
        "indicators.ImportRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tệp nhập")
        verbose_name_plural = _("tệp nhập")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="batch_progress_range"),
            models.CheckConstraint(
                condition=~Q(state="applied") | Q(revision__isnull=False), name="batch_applied_has_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.period})"


class MappingPreset(models.Model):
    """A named column mapping (folded header → target) offered again for files with the same headers."""

    name = models.CharField(_("tên"), max_length=100)
    scope = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name=_("phạm vi"), null=True, blank=True, on_delete=models.CASCADE
    )
    mapping = models.JSONField(_("ghép cột"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu ghép cột")
        verbose_name_plural = _("mẫu ghép cột")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["name", "scope"], name="preset_name_unique_per_scope")]

    def __str__(self) -> str:
        return self.name


class NationalSource(models.Model):
    """How to ask the national public-service portal for one level's results, and what its answer's
    keys mean: data an administrator corrects when the portal changes, not code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Một tỉnh, thành phố (dòng của tỉnh trong danh sách cả nước)")
        DISTRICTS = "districts", _("Các quận, huyện, thị xã của một tỉnh")
        COMMUNES = "communes", _("Các xã, phường, thị trấn của một huyện")
        DEPARTMENTS = "departments", _("Các sở, ban, ngành của một tỉnh")

    level = models.CharField(_("cấp"), max_length=12, choices=Level.choices, unique=True)
    service = models.CharField(_("dịch vụ"), max_length=100, default="report_tinh_766_service")
    params = models.JSONField(
        _("tham số"),
        default=dict,
        blank=True,
        help_text=_(
            "Gửi kèm mỗi yêu cầu (ngoài năm, tháng, trang do hệ thống điền). “{tinh}” là mã tỉnh trên Cổng, "
            "“{don_vi}” là mã của phạm vi trên Cổng (xem Liên kết đơn vị với Cổng DVCQG)."
        ),
    )
    field_map = models.JSONField(
        _("ghép khóa"),
        default=dict,
        help_text=_("Khóa trong câu trả lời → đích như khi ghép cột: unit, unit_code, total, total:rank, 1…6."),
    )
    id_key = models.CharField(_("khóa mã đơn vị của Cổng"), max_length=40, default="ID")
    page_size = models.PositiveIntegerField(_("số dòng mỗi trang"), default=500)

    class Meta:
        verbose_name = _("nguồn Cổng DVCQG")
        verbose_name_plural = _("nguồn Cổng DVCQG")
        constraints = [
            models.CheckConstraint(condition=Q(page_size__gte=1, page_size__lte=5000), name="national_page_size")
        ]

    def __str__(self) -> str:
        return self.get_level_display()


class PortalUnitLink(models.Model):
    """Which unit an id of the national portal stands for: given by an administrator, or remembered
    when a person confirmed the match of a fetched row."""

    unit = models.OneToOneField(
        "units.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="portal_link"
    )
    portal_id = models.CharField(_("mã trên Cổng DVCQG"), max_length=40, unique=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liên kết đơn vị với Cổng DVCQG")
        verbose_name_plural = _("liên kết đơn vị với Cổng DVCQG")

    def __str__(self) -> str:
        return f"{self.portal_id} → {self.unit}"


class NationalWatch(models.Model):
    """A scope that asked for its month to be fetched from the national portal on the days it publishes."""

    scope = models.ForeignKey("units.AdministrativeUnit", verbose_name=_("phạm vi"), on_delete=models.CASCADE)
    level = models.CharField(_("cấp"), max_length=12, choices=NationalSource.Level.choices)
    active = models.BooleanField(_("đang dùng"), default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đề nghị"), null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("lấy số liệu định kỳ từ Cổng DVCQG")
        verbose_name_plural = _("lấy số liệu định kỳ từ Cổng DVCQG")
        constraints = [models.UniqueConstraint(fields=["scope", "level"], name="national_watch_unique")]

    def __str__(self) -> str:
        return f"{self.scope} ({self.get_level_display()})"


class UnitAbsence(models.Model):
    """A unit of a scope that existed in a month but has no figures for it, as a leader confirmed from an
    import's preview ("không có số liệu tháng này"): it stays a peer of its group, without a total."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="absences"
    )
    period = models.ForeignKey("indicators.Period", verbose_name=_("tháng"), on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), auto_now_add=True)

    class Meta:
        verbose_name = _("đơn vị không có số liệu")
        verbose_name_plural = _("đơn vị không có số liệu")
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="unit_absence_unique")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.period}"
