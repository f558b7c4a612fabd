"""Who may act for which unit: staff, leaders and administrators assigned to a unit's subtree."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
