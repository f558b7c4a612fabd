"""The "cập nhật ngày …" note shown when a month's results were published again after a correction."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from indicators.models import Period
from publishing.selectors import covering_publication

register = template.Library()


@register.simple_tag
def publication_update(unit, pkey):
    """Nothing for a first publication; after a republication, when and which time, with a link to the log."""
    if unit is None or pkey is None or getattr(pkey, "kind", "") != "month":
        return ""
    year, month = (int(part) for part in pkey.key.split("-"))
    period = Period.objects.filter(year=year, month=month).first()
    publication = covering_publication(period=period, unit=unit) if period else None
    if publication is None or publication.version < 2:
        return ""
    return format_html(
        '<p class="updated">{} <a href="{}?period={}">{}</a></p>',
        _("Cập nhật ngày %(day)s (công bố lần %(version)s, sau khi sửa số liệu).")
        % {"day": publication.published_at.strftime("%d/%m/%Y"), "version": publication.version},
        reverse("portal:methodology"),
        pkey.key,
        _("Xem nhật ký sửa đổi"),
    )
