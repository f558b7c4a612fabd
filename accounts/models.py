"""Who may act for which unit: staff, leaders and administrators assigned to a unit's subtree."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    STAFF = "staff", _("Cán bộ nhập liệu")
    LEADER = "leader", _("Lãnh đạo")
    ADMIN = "admin", _("Quản trị")


class UnitAssignment(models.Model):
    """A user's role for one unit and everything under it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_assignments")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=8, choices=Role.choices)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class AuditEvent(models.Model):
    """One recorded action: who did what, when, to which unit and month, with the before/after where it applies."""

    class Action(models.TextChoices):
        IMPORT = "import", _("Nhập số liệu")
        REVERT = "revert", _("Hoàn tác số liệu")
        PUBLISH = "publish", pgettext_lazy("publication event", "Công bố")
        UNPUBLISH = "unpublish", pgettext_lazy("publication event", "Gỡ công bố")
        PENDING_CHANGE = "pending_change", _("Thay đổi chưa công bố")
        DISPATCH_RENDER = "dispatch_render", _("Kết xuất công văn")
        DISPATCH_FINAL = "dispatch_final", _("Duyệt công văn")
        UNIT_CHANGE = "unit_change", _("Sửa đơn vị")
        UNIT_ABSENCE = "unit_absence", _("Đơn vị không có số liệu")
        USER_CHANGE = "user_change", _("Sửa tài khoản")
        NATIONAL_WATCH = "national_watch", _("Tự động lấy số liệu từ Cổng DVCQG")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(
        _("tài khoản"), max_length=150, blank=True, help_text=_("Giữ lại khi tài khoản bị xóa.")
    )
    action = models.CharField(_("thao tác"), max_length=20, choices=Action.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period = models.ForeignKey(
        "indicators.Period", verbose_name=_("kỳ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(_("nội dung"), max_length=500)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-at"]
        indexes = [models.Index(fields=["unit", "period"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()}"
