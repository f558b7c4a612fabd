"""Admin mixins: one records every change an administrator saves or deletes in the audit trail; one makes a
model read-only."""

from django.forms.models import model_to_dict

from .services import audit_record


def _snapshot(obj) -> dict:
    # JSON-safe: keep primitives, stringify the rest (dates, decimals, related ids).
    data = model_to_dict(obj)
    data.pop("password", None)  # never store a password hash in the trail
    return {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v) for k, v in data.items()}


class AuditedAdminMixin:
    audit_action = "unit_change"

    def audit_unit(self, obj):
        return None

    def save_model(self, request, obj, form, change):
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        after = _snapshot(obj)
        changed = sorted(k for k in after if before is None or before.get(k) != after[k])
        verb = "Sửa" if change else "Thêm"
        audit_record(
            user=request.user,
            action=self.audit_action,
            unit=self.audit_unit(obj),
            summary=f"{verb} {obj._meta.verbose_name} “{obj}”: {', '.join(changed) or 'không đổi'}",
            before=before,
            after=after,
        )

    def delete_model(self, request, obj):
        before = _snapshot(obj)
        unit = self.audit_unit(obj)
        label = f"Xóa {obj._meta.verbose_name} “{obj}”"
        super().delete_model(request, obj)
        audit_record(user=request.user, action=self.audit_action, unit=unit, summary=label, before=before)


class ReadOnlyAdminMixin:
    """For records no administrator edits by hand (the audit trail, the current figures): list and view only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
