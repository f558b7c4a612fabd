from django.contrib import admin

from .models import RankingResult, RankingRun


@admin.register(RankingRun)
class RankingRunAdmin(admin.ModelAdmin):
    list_display = ["period_key", "state", "created_at", "finished_at", "result_count", "error"]
    list_filter = ["state"]


@admin.register(RankingResult)
class RankingResultAdmin(admin.ModelAdmin):
    list_display = [
        "unit",
        "period_key",
        "scope",
        "parent",
        "total",
        "rank",
        "rank_of",
        "total_change",
        "rank_change",
        "band",
    ]
    list_filter = ["period_key", "scope", "level"]
    search_fields = ["unit__name", "unit__search_name"]
    list_select_related = ["unit", "parent", "band"]
    raw_id_fields = ["unit", "parent"]
