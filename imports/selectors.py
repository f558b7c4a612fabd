"""Reads for the import flow: who may import for which scope, presets, the scopes a user can choose."""

from django.db.models import Q

from accounts import permissions
from accounts.permissions import user_can
from units.models import AdministrativeUnit

from .models import ImportBatch, MappingPreset


def can_import(*, user, scope: AdministrativeUnit) -> bool:
    """Superusers, and users assigned (staff, leader or admin) to the scope or one of its ancestors."""
    return user_can(user, "import", scope)


def assigned_units(*, user):
    """The units a user is assigned to (the roots of what they may import for)."""
    if user.is_superuser:
        return AdministrativeUnit.objects.none()  # a superuser types any scope
    return permissions.assigned_units(user, action="import")


def presets_for(*, scope: AdministrativeUnit):
    return MappingPreset.objects.filter(Q(scope=scope) | Q(scope__isnull=True)).order_by("-created_at")


def batches_for(*, user):
    batches = ImportBatch.objects.select_related("period", "scope").defer("file_data")
    return batches if user.is_superuser else batches.filter(created_by=user)
