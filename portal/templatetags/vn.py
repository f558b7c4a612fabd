"""Template filters for Vietnamese number formats."""

from django import template

from indicators.formatting import format_number

from ..tables import band_name

register = template.Library()


@register.filter
def vn(value, decimals=None):
    """{{ 88.03|vn }} → 88,03; {{ 30204|vn }} → 30.204; {{ x|vn:2 }} fixes the decimals; text that is not
    a number ("13/30") is shown as it is."""
    try:
        return format_number(value, None if decimals in (None, "") else int(decimals))
    except ArithmeticError:
        return value


@register.filter
def vn_signed(value, decimals=None):
    """{{ 0.31|vn_signed }} → +0,31."""
    return format_number(value, None if decimals in (None, "") else int(decimals), signed=True)


@register.filter
def absval(value):
    """{{ -3|absval }} → 3 (for "giảm 3 bậc")."""
    return abs(value) if value is not None else value


@register.filter(name="band_name")
def band_name_filter(band):
    """{{ r.band|band_name }} → the band's name in the visitor's language ("Tốt" / "Good")."""
    return band_name(band)
