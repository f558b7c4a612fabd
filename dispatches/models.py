"""Official dispatches (công văn) that publish a month's results, and the issuing unit's letterhead defaults."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.text import clean_text

TEXT_FIELDS_OF_PROFILE = (
    "parent_authority",
    "issuing_body",
    "symbol",
    "place",
    "recipients",
    "cc",
    "legal_bases",
    "signer_authority",
    "signer_role",
    "signer_name",
)


class IssuerProfile(models.Model):
    """How a unit signs its dispatches: letterhead, symbol, place, recipients, legal bases, signer."""

    unit = models.OneToOneField("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="issuer_profile")
    parent_authority = models.CharField(_("cơ quan chủ quản"), max_length=200, blank=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=200)
    symbol = models.CharField(_("ký hiệu"), max_length=40, default="UBND-VP")
    place = models.CharField(_("địa danh"), max_length=100)
    recipients = models.TextField(_("kính gửi"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    cc = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    legal_bases = models.TextField(_("căn cứ"), blank=True, help_text=_("Mỗi dòng một căn cứ."))
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=100, default="TM. ỦY BAN NHÂN DÂN")
    signer_role = models.CharField(_("chức vụ ký"), max_length=200, default="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("thông tin ban hành")
        verbose_name_plural = _("thông tin ban hành")

    def __str__(self) -> str:
        return self.issuing_body

    def clean(self):
        # Letterhead text typed in the admin enters the portal here: no invisible direction controls.
        for name in TEXT_FIELDS_OF_PROFILE:
            setattr(self, name, clean_text(getattr(self, name)))


class RenderState(models.TextChoices):
    IDLE = "idle", _("Chưa tạo")
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã tạo")
    FAILED = "failed", _("Lỗi")


class Dispatch(models.Model):
    """One monthly dispatch of a unit: editable text, data frozen when final, and its rendered PDF."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        FINAL = "final", _("Đã duyệt")
        PUBLISHED = "published", _("Đã công khai")

    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="dispatches")
    period = models.ForeignKey("indicators.Period", on_delete=models.PROTECT, related_name="dispatches")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    subject = models.TextField(_("trích yếu"))
    recipients = models.TextField(_("kính gửi"), blank=True)
    legal_bases = models.TextField(_("căn cứ"), blank=True)
    requirements = models.TextField(_("yêu cầu"), blank=True)
    cc = models.TextField(_("nơi nhận"), blank=True)
    frozen_data = models.JSONField(_("số liệu đã chốt"), null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, help_text="sha256 of the stored PDF's bytes")
    pdf = models.FileField(upload_to="dispatches/", blank=True)
    render_key = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the inputs (frozen data, text, layout) the stored PDF came from"
    )
    render_state = models.CharField(
        _("tình trạng tạo PDF"), max_length=8, choices=RenderState.choices, default=RenderState.IDLE
    )
    render_progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    render_error = models.TextField(_("lỗi tạo PDF"), blank=True)
    generated_text = models.JSONField(
        default=dict,
        blank=True,
        help_text="The text each editable field was generated with from the data, when it was last generated",
    )
    finalised_at = models.DateTimeField(_("chốt lúc"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("công văn")
        verbose_name_plural = _("công văn")
        ordering = ["-period__year", "-period__month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="dispatch_one_per_unit_month"),
            # A final or published dispatch quotes frozen figures, never live ones.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(frozen_data__isnull=False), name="dispatch_final_has_frozen_data"
            ),
            models.CheckConstraint(
                condition=Q(render_progress__gte=0, render_progress__lte=100), name="dispatch_render_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


class UpstreamDocument(models.Model):
    """A document of the month from above (the province's results letter) that the dispatches of a scope cite."""

    period = models.ForeignKey("indicators.Period", on_delete=models.PROTECT, related_name="upstream_documents")
    scope = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("phạm vi"),
        on_delete=models.PROTECT,
        related_name="upstream_documents",
        help_text=_("Công văn của đơn vị này và các đơn vị cấp dưới trích dẫn văn bản."),
    )
    kind = models.CharField(_("loại văn bản"), max_length=60, default="Công văn")
    number = models.CharField(_("số, ký hiệu"), max_length=80, help_text=_("Ví dụ “303/VPUB-PVHCC&KSTT”."))
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(
        _("cơ quan ban hành"), max_length=200, help_text=_("Ví dụ “Văn phòng UBND tỉnh Hưng Yên”.")
    )
    subject = models.TextField(_("trích yếu"), help_text=_("Sau “về việc”."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản cấp trên của tháng")
        verbose_name_plural = _("văn bản cấp trên của tháng")
        ordering = ["issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["period", "scope", "number"], name="upstream_document_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} số {self.number}"


class SignedDispatch(models.Model):
    """The signed copy of a final dispatch the clerk uploaded, kept with what its verification found."""

    dispatch = models.OneToOneField(Dispatch, on_delete=models.PROTECT, related_name="signed")
    pdf = models.FileField(upload_to="dispatches/signed/")
    sha256 = models.CharField(max_length=64, help_text="sha256 of the signed file's bytes")
    finalised_sha256 = models.CharField(max_length=64, help_text="sha256 of the final PDF the signatures extend")
    issued_number = models.CharField(_("số, ký hiệu đã cấp"), max_length=80)
    issued_on = models.DateField(_("ngày ban hành"))
    signer_subject = models.CharField(_("người ký"), max_length=300)
    signed_at = models.DateTimeField(_("ký lúc"))
    trusted = models.BooleanField(
        _("chứng thư tin cậy"), help_text=_("Mọi chữ ký đều dẫn tới một chứng thư gốc được cấu hình là tin cậy.")
    )
    report = models.JSONField(_("kết quả kiểm tra chữ ký"), default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("công văn đã ký số")
        verbose_name_plural = _("công văn đã ký số")

    def __str__(self) -> str:
        return f"{self.issued_number} ({self.dispatch})"
