"""{{ result|rank_label }}: a rank as `rankings.ranks` shows it."""

from django import template

from rankings.ranks import rank_label as _rank_label

register = template.Library()


@register.filter
def rank_label(result):
    return _rank_label(result) if result is not None else ""
