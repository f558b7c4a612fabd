"""Atom feed of published months, for journalists and the e-portals that republish the results."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from publishing.selectors import public_results
from units.models import Level

from .selectors import published_events, unit_ref


class PublishedMonthsFeed(Feed):
    feed_type = Atom1Feed
    link = "/xep-hang/"

    def title(self):
        return _("Các kỳ đã công bố — Bộ chỉ số phục vụ người dân, doanh nghiệp")

    def subtitle(self):
        return _("Mỗi mục là một tháng được công bố (hoặc công bố lại sau khi đính chính) cho một đơn vị.")

    def items(self):
        items = published_events()
        # Which levels have public results under each published scope in its month, read once for the feed.
        rows = public_results().filter(
            parent_id__in={i.publication.scope_id for i in items},
            period_key__in={i.publication.period.key for i in items},
        )
        self._child_levels = {}
        for parent_id, key, level in rows.values_list("parent_id", "period_key", "level").distinct().order_by():
            self._child_levels.setdefault((parent_id, key), set()).add(level)
        return items

    def item_title(self, item):
        publication = item.publication
        return _("%(unit)s: kết quả tháng %(period)s") % {"unit": publication.scope.name, "period": publication.period}

    def item_description(self, item):
        if item.version > 1:
            return _("Công bố lại lần %(n)d.") % {"n": item.version}
        return _("Công bố lần đầu.")

    def item_link(self, item):
        """The public ranking of the scope's subordinate units that month, or the scope's own page when it has
        none (Hà Nội's month among the provinces, or a month of a province's districts but not its communes)."""
        scope, key = item.publication.scope, item.publication.period.key
        levels = self._child_levels.get((scope.pk, key), set())
        order = [Level.DISTRICT, Level.DEPARTMENT, Level.COMMUNE] if scope.level == Level.PROVINCE else [Level.COMMUNE]
        for level in order:
            if level in levels:
                query = urlencode({"parent": unit_ref(scope), "level": level, "period": key})
                return reverse("portal:rankings") + "?" + query
        return reverse("portal:unit", args=[scope.tree, scope.code]) + f"?period={key}"

    def item_guid(self, item):
        return f"publication-{item.publication_id}-v{item.version}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.at
