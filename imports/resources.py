"""django-import-export resources for the admin: units, the catalogue, and scores (export only).

Every exported text that a spreadsheet could take for a formula is prefixed with an apostrophe
by the portal's one escaper (config.spreadsheets), in every format, CSV included. The library's
own setting only strips a leading "=", which changes the data and misses the rest.
"""

from import_export import fields, resources, widgets

from config.spreadsheets import escape_formula
from indicators.models import Framework, Indicator, Score
from units.models import AdministrativeUnit


class SafeExportResource(resources.ModelResource):
    """A ModelResource whose exported cells cannot run as spreadsheet formulas."""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [escape_formula(h) for h in super().get_export_headers(selected_fields)]


class UnitResource(SafeExportResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=widgets.ForeignKeyWidget(AdministrativeUnit))

    class Meta:
        model = AdministrativeUnit
        fields = ("tree", "code", "name", "short_name", "kind", "level", "parent", "valid_from", "valid_to")
        import_id_fields = ("tree", "code")
        skip_unchanged = True


class IndicatorResource(SafeExportResource):
    framework = fields.Field(
        attribute="framework", column_name="framework", widget=widgets.ForeignKeyWidget(Framework, field="code")
    )
    parent = fields.Field(attribute="parent", column_name="parent", widget=widgets.ForeignKeyWidget(Indicator))

    class Meta:
        model = Indicator
        fields = (
            "framework",
            "code",
            "parent",
            "kind",
            "name",
            "short_name",
            "measure",
            "count_unit",
            "max_points",
            "direction",
            "order",
            "header_hints",
        )
        import_id_fields = ("framework", "code")
        skip_unchanged = True


class ScoreResource(SafeExportResource):
    """Scores as stored; importing them goes through the monthly import (revisions), not the admin."""

    period = fields.Field(attribute="period__key", column_name="period")
    unit_code = fields.Field(attribute="unit__code", column_name="unit_code")
    unit_name = fields.Field(attribute="unit__name", column_name="unit_name")
    indicator = fields.Field(attribute="indicator__code", column_name="indicator")
    revision = fields.Field(attribute="revision__number", column_name="revision")

    class Meta:
        model = Score
        fields = ("period", "unit_code", "unit_name", "indicator", "points", "rate", "count", "change_text", "revision")
        export_order = fields

    def get_queryset(self):
        return Score.objects.select_related("period", "unit", "indicator", "revision")
