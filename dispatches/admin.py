from django.contrib import admin

from .models import Dispatch, IssuerProfile


@admin.register(IssuerProfile)
class IssuerProfileAdmin(admin.ModelAdmin):
    list_display = ["issuing_body", "unit", "symbol", "place", "signer_name"]
    search_fields = ["issuing_body", "unit__name", "unit__search_name"]
    autocomplete_fields = ["unit"]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "status", "render_state", "updated_at"]
    list_filter = ["status", "render_state", "period"]
    # Frozen figures and the rendered file are written by services only.
    readonly_fields = [
        "frozen_data",
        "pdf",
        "pdf_sha256",
        "render_key",
        "render_state",
        "render_progress",
        "render_error",
    ]
    search_fields = ["unit__name", "unit__search_name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "period"]
