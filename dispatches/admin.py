from django.contrib import admin

from .models import Dispatch, IssuerProfile, SignedDispatch, UpstreamDocument


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


@admin.register(UpstreamDocument)
class UpstreamDocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "issued_on", "issuer", "scope", "period"]
    list_filter = ["period"]
    search_fields = ["number", "issuer", "subject", "scope__name"]
    autocomplete_fields = ["scope"]
    list_select_related = ["scope", "period"]


@admin.register(SignedDispatch)
class SignedDispatchAdmin(admin.ModelAdmin):
    """The issued, signed copy is the published record: it is shown, never edited or removed here."""

    list_display = ["issued_number", "issued_on", "dispatch", "signer_subject", "signed_at", "trusted"]
    list_select_related = ["dispatch__unit", "dispatch__period"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
