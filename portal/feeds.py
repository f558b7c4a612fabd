"""Atom feed of published months, for journalists and the e-portals that republish the results."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from rankings.models import RankingResult
from units.models import Level

from .selectors import published_periods, unit_ref


class PublishedMonthsFeed(Feed):
    feed_type = Atom1Feed
    link = "/xep-hang/"

    def title(self):
        return _("Các kỳ đã công bố — Bộ chỉ số phục vụ người dân, doanh nghiệp")

    def subtitle(self):
        return _("Mỗi mục là một tháng được công bố (hoặc công bố lại sau khi đính chính) cho một đơn vị.")

    def items(self):
        items = list(published_periods()[:50])
        # Which levels have results under each published scope in its month, read once for the whole feed.
        rows = RankingResult.objects.filter(
            parent_id__in={i.scope_id for i in items}, period_key__in={i.period.key for i in items}
        ).values_list("parent_id", "period_key", "level")
        self._child_levels = {}
        for parent_id, key, level in rows.distinct().order_by():
            self._child_levels.setdefault((parent_id, key), set()).add(level)
        return items

    def item_title(self, item):
        return _("%(unit)s: kết quả tháng %(period)s") % {"unit": item.scope.name, "period": item.period}

    def item_description(self, item):
        if item.version > 1:
            return _("Công bố lại lần %(n)d.") % {"n": item.version}
        return _("Công bố lần đầu.")

    def item_link(self, item):
        """The ranking of the scope's subordinate units that month, or the scope's own page when it has none
        (Hà Nội's month among the provinces, or a month of a province's districts but not its communes)."""
        levels = self._child_levels.get((item.scope_id, item.period.key), set())
        order = (
            [Level.DISTRICT, Level.DEPARTMENT, Level.COMMUNE] if item.scope.level == Level.PROVINCE else [Level.COMMUNE]
        )
        for level in order:
            if level in levels:
                query = urlencode({"parent": unit_ref(item.scope), "level": level, "period": item.period.key})
                return reverse("portal:rankings") + "?" + query
        return reverse("portal:unit", args=[item.scope.tree, item.scope.code]) + f"?period={item.period.key}"

    def item_guid(self, item):
        return f"publication-{item.pk}-v{item.version}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.published_at
