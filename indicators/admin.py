from django.contrib import admin

from accounts.admin_audit import ReadOnlyAdminMixin

from .models import ClassificationBand, Framework, ImportRevision, Indicator, Period, Score, ScoreRecord


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["order", "code", "kind", "name", "measure", "max_points", "direction", "parent"]
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "valid_from", "valid_to"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "measure", "max_points", "direction", "order", "framework"]
    list_filter = ["framework", "kind", "measure"]
    search_fields = ["code", "name"]
    ordering = ["framework", "order"]


@admin.register(ClassificationBand)
class ClassificationBandAdmin(admin.ModelAdmin):
    list_display = ["name", "min_total", "colour"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "month"]
    list_filter = ["year"]


@admin.register(ImportRevision)
class ImportRevisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "file_name", "data_as_of", "created_by", "created_at", "unit_count", "is_demo"]
    list_filter = ["state", "is_demo", "period"]
    search_fields = ["scope__name", "scope__search_name", "file_name"]
    list_select_related = ["scope", "period", "created_by"]
    readonly_fields = [f.name for f in ImportRevision._meta.fields]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # a view: figures change by import or revert only
    list_display = ["unit", "period", "indicator", "points", "rate", "count", "revision"]
    list_filter = ["period", "indicator__kind"]
    search_fields = ["unit__name", "unit__search_name", "indicator__code"]
    list_select_related = ["unit", "period", "indicator", "revision"]
    raw_id_fields = ["unit", "revision"]


@admin.register(ScoreRecord)
class ScoreRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # the history only grows, by import or revert
    list_display = ["revision", "unit", "indicator", "points", "rate", "count"]
    list_select_related = ["revision__scope", "revision__period", "unit", "indicator"]
    search_fields = ["unit__name", "unit__search_name"]
    raw_id_fields = ["revision", "unit", "indicator"]
