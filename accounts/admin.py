from django.contrib import admin

from .models import UnitAssignment


@admin.register(UnitAssignment)
class UnitAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__search_name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["user", "unit"]
