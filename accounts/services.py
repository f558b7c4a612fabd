"""Writes of the accounts app: the audit trail, and the demo accounts of the embedded default."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import AuditEvent, Role, UnitAssignment


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


@dataclass(frozen=True)
class DemoAccount:
    """A login of the demo: who it is, its password, and the page it is for."""

    username: str
    password: str
    description: str
    start: str
    created: bool = False
    password_kept: bool = True  # False when someone changed the password since (it is then left alone)


def demo_accounts_create(*, unit) -> list[DemoAccount]:
    """A staff member and a leader of `unit`, and an administrator; idempotent (existing accounts are kept).

    For the embedded default only: the caller checks settings.EMBEDDED_DEFAULT. The passwords are the
    documented demo ones, so an account whose password was changed is not reset.
    """
    wanted = [
        ("canbo.tienlu", "demo-canbo", Role.STAFF, f"Cán bộ nhập liệu của {unit.name}", "/nhap-lieu/"),
        ("lanhdao.tienlu", "demo-lanhdao", Role.LEADER, f"Lãnh đạo {unit.name}", "/cong-bo/"),
        ("quantri", "demo-quantri", None, "Quản trị viên", "/admin/"),
    ]
    users = get_user_model().objects
    accounts = []
    with transaction.atomic():
        for username, password, role, description, start in wanted:
            user = users.filter(username=username).first()
            created = user is None
            if created:
                admin = role is None
                user = users.create_user(username, password=password, is_staff=admin, is_superuser=admin)
            if role is not None:
                UnitAssignment.objects.get_or_create(user=user, unit=unit, role=role)
            accounts.append(
                DemoAccount(
                    username=username,
                    password=password,
                    description=description,
                    start=start,
                    created=created,
                    password_kept=created or user.check_password(password),
                )
            )
    return accounts
