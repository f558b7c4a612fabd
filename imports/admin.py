"""Admin: import batches and presets, and import/export (formula-safe) for units, the catalogue and scores."""

from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportMixin

from indicators.admin import IndicatorAdmin, ScoreAdmin
from indicators.models import Indicator, Score
from units.admin import AdministrativeUnitAdmin
from units.models import AdministrativeUnit

from .models import ImportBatch, MappingPreset
from .resources import IndicatorResource, ScoreResource, UnitResource


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "period", "scope", "state", "progress", "created_by", "created_at"]
    list_filter = ["state", "period"]
    list_select_related = ["period", "scope", "created_by"]
    exclude = ["file_data"]
    readonly_fields = ["file_sha256", "file_size", "revision", "errors", "summary"]


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
