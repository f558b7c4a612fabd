from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_audit import AuditedAdminMixin

from .collation import by_name
from .models import AdministrativeUnit, UnitAlias, UnitSuccession
from .names import fold


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 0


class SuccessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    autocomplete_fields = ["successor"]
    extra = 0
    verbose_name = _("đơn vị kế thừa")
    verbose_name_plural = _("đơn vị kế thừa")


class ParentFilter(admin.SimpleListFilter):
    """Filter by the parent unit: provinces and districts only, so the list stays short."""

    title = _("đơn vị cấp trên")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        return [
            (u.pk, f"{u.name} ({u.get_tree_display()})")
            for u in AdministrativeUnit.objects.filter(level="province").order_by("tree", by_name())
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(parent_id=self.value()) | queryset.filter(parent__parent_id=self.value())
        return queryset


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_action = "unit_change"

    list_display = ["name", "code", "level", "parent", "tree", "valid_from", "valid_to"]
    list_filter = ["level", "tree", ParentFilter]
    search_fields = ["name", "search_name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [UnitAliasInline, SuccessorInline]
    readonly_fields = ["search_name", "match_key"]

    def audit_unit(self, obj):
        return obj

    def save_model(self, request, obj, form, change):
        # Validity or parent changes move a unit between peer groups: rank its months again.
        from rankings.services import rankings_enqueue_for_unit

        super().save_model(request, obj, form, change)
        rankings_enqueue_for_unit(unit=obj)

    def get_search_results(self, request, queryset, search_term):
        # "thuy loi" finds "Thụy Lôi": search the folded name as well as the name.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            queryset |= self.model.objects.filter(search_name__contains=fold(search_term))
        return queryset, may_have_duplicates
