"""Admin: import batches and presets, and import/export (formula-safe) for units, the catalogue and scores."""

from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportMixin

from indicators.admin import IndicatorAdmin, ScoreAdmin
from indicators.models import Indicator, Score
from units.admin import AdministrativeUnitAdmin
from units.models import AdministrativeUnit

from .models import ImportBatch, MappingPreset, NationalSource, NationalWatch, PortalUnitLink, UnitAbsence
from .resources import IndicatorResource, ScoreResource, UnitResource


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "period", "scope", "state", "progress", "created_by", "created_at"]
    list_filter = ["state", "period"]
    list_select_related = ["period", "scope", "created_by"]
    exclude = ["file_data"]
    readonly_fields = ["file_sha256", "file_size", "revision", "errors", "summary"]


@admin.register(UnitAbsence)
class UnitAbsenceAdmin(admin.ModelAdmin):
    """Read-only: a leader records these from an import's preview, where the change is audited."""

    list_display = ["unit", "period", "recorded_by", "recorded_at"]
    list_filter = ["period"]
    list_select_related = ["unit", "period", "recorded_by"]
    search_fields = ["unit__name", "unit__search_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MappingPreset)
class MappingPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "created_by", "created_at"]
    autocomplete_fields = ["scope"]


# The apps' own admins gain import/export buttons; their lists, filters and searches stay as they are.
class UnitImportExportAdmin(ImportExportMixin, AdministrativeUnitAdmin):
    resource_classes = [UnitResource]


class IndicatorImportExportAdmin(ImportExportMixin, IndicatorAdmin):
    resource_classes = [IndicatorResource]


class ScoreExportAdmin(ExportMixin, ScoreAdmin):
    resource_classes = [ScoreResource]


for model, model_admin in (
    (AdministrativeUnit, UnitImportExportAdmin),
    (Indicator, IndicatorImportExportAdmin),
    (Score, ScoreExportAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(NationalSource)
class NationalSourceAdmin(admin.ModelAdmin):
    list_display = ["level", "service", "id_key", "page_size"]


@admin.register(PortalUnitLink)
class PortalUnitLinkAdmin(admin.ModelAdmin):
    list_display = ["portal_id", "unit", "confirmed_by", "created_at"]
    search_fields = ["portal_id", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "confirmed_by"]


@admin.register(NationalWatch)
class NationalWatchAdmin(admin.ModelAdmin):
    list_display = ["scope", "level", "active", "requested_by"]
    list_filter = ["active", "level"]
    autocomplete_fields = ["scope"]
