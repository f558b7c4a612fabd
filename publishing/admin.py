from django.contrib import admin

from .models import Publication, PublicationEvent


class PublicationEventInline(admin.TabularInline):
    model = PublicationEvent
    fields = ["at", "action", "version", "by", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Read-only here: publishing and withdrawing go through the leader's review page, which records why."""

    list_display = ["scope", "period", "is_published", "published_at", "published_by", "version"]
    list_filter = ["is_published", "period"]
    list_select_related = ["scope", "period", "published_by"]
    readonly_fields = [f.name for f in Publication._meta.fields]
    inlines = [PublicationEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
