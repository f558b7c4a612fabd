"""Writes of the accounts app: the audit trail."""

from .models import AuditEvent


def audit_record(*, user, action: str, summary: str, unit=None, period=None, before=None, after=None) -> AuditEvent:
    """Record an action in the audit trail (call inside the transaction of the change it records)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "hệ thống",
        action=action,
        unit=unit,
        period=period,
        summary=summary[:500],
        before=before,
        after=after,
    )
