"""Who may do what for which unit. Views and services both ask here; templates only hide what this refuses."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from indicators.selectors import unit_ancestor_ids

from .models import Role, UnitAssignment

# What each role may do, for the unit it is assigned to and everything under it.
ACTIONS = {
    "import": {Role.STAFF, Role.LEADER, Role.ADMIN},
    "draft_dispatch": {Role.STAFF, Role.LEADER, Role.ADMIN},
    "view_unpublished": {Role.STAFF, Role.LEADER, Role.ADMIN},
    "publish": {Role.LEADER, Role.ADMIN},
    # A new unit is public from the month it is created in and changes every rank of its peers.
    "create_unit": {Role.LEADER, Role.ADMIN},
    # Saying a unit had no data in a month, or did not exist then (its validity dates), changes its
    # group's coverage and ranks.
    "correct_units": {Role.LEADER, Role.ADMIN},
    "finalise_dispatch": {Role.LEADER, Role.ADMIN},
    "manage": {Role.ADMIN},
}


def user_can(user, action: str, unit) -> bool:
    """Whether `user` may perform `action` for `unit` (assigned to it or to one of its ancestors)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return UnitAssignment.objects.filter(
        user=user, unit_id__in=unit_ancestor_ids(unit), role__in=ACTIONS[action]
    ).exists()


def require(user, action: str, unit) -> None:
    """Raise PermissionDenied, with a Vietnamese reason, unless `user_can(user, action, unit)`."""
    if not user_can(user, action, unit):
        raise PermissionDenied(_("Tài khoản này không có quyền thực hiện thao tác này cho %(unit)s.") % {"unit": unit})


def assigned_units(user, *, action: str):
    """The units a user is assigned to for `action` (the roots of the subtrees they act for)."""
    from units.models import AdministrativeUnit

    return AdministrativeUnit.objects.filter(assignments__user=user, assignments__role__in=ACTIONS[action]).distinct()


def sees_unpublished_everywhere(user) -> bool:
    """Administrators (Django staff) see unpublished months on the public pages and the API.

    Unit staff see their own unpublished figures in the import preview and on the publishing
    desk, which check the unit; the public pages have no unit to check against.
    """
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def units_within_reach(user, *, action: str):
    """Every unit `user` may perform `action` for, as one query: the assigned units and everything under them."""
    from units.models import AdministrativeUnit

    if user.is_superuser:
        return AdministrativeUnit.objects.all()
    from units.selectors import subtree_q

    ids = list(assigned_units(user, action=action).values_list("pk", flat=True))
    return AdministrativeUnit.objects.filter(subtree_q(ids))
