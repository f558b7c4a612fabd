from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from .models import AuditEvent, UnitAssignment


class UnitAssignmentInline(admin.TabularInline):
    model = UnitAssignment
    autocomplete_fields = ["unit"]
    extra = 0


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    audit_action = "user_change"
    inlines = [UnitAssignmentInline]


@admin.register(UnitAssignment)
class UnitAssignmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action = "user_change"

    def audit_unit(self, obj):
        return obj.unit

    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__search_name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["user", "unit"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the trail is written by the services, never edited."""

    list_display = ["at", "username", "action", "unit", "period", "summary"]
    list_filter = ["action", "period"]
    search_fields = ["username", "summary", "unit__name", "unit__search_name"]
    list_select_related = ["unit", "period"]
    date_hierarchy = "at"
