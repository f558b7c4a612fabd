"""Atom feed of published months, for journalists and the e-portals that republish the results."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .selectors import published_periods, unit_ref


class PublishedMonthsFeed(Feed):
    feed_type = Atom1Feed
    link = "/xep-hang/"

    def title(self):
        return _("Các kỳ đã công bố — Bộ chỉ số phục vụ người dân, doanh nghiệp")

    def subtitle(self):
        return _("Mỗi mục là một tháng được công bố (hoặc công bố lại sau khi đính chính) cho một đơn vị.")

    def items(self):
        return published_periods()[:50]

    def item_title(self, item):
        return _("%(unit)s: kết quả tháng %(period)s") % {"unit": item.scope.name, "period": item.period}

    def item_description(self, item):
        if item.version > 1:
            return _("Công bố lại lần %(n)d.") % {"n": item.version}
        return _("Công bố lần đầu.")

    def item_link(self, item):
        return reverse("portal:rankings") + f"?parent={unit_ref(item.scope)}&period={item.period.key}"

    def item_guid(self, item):
        return f"publication-{item.pk}-v{item.version}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.published_at
