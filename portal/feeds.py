"""Atom feed of published months, for journalists and the e-portals that republish the results."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from publishing.selectors import public_results

from .selectors import published_events, unit_ref


class PublishedMonthsFeed(Feed):
    feed_type = Atom1Feed
    link = "/xep-hang/"

    def title(self):
        return _("Các kỳ đã công bố — Bộ chỉ số phục vụ người dân, doanh nghiệp")

    def subtitle(self):
        return _("Mỗi mục là một tháng được công bố (hoặc công bố lại sau khi đính chính) cho một đơn vị.")

    def items(self):
        return published_events()

    def item_title(self, item):
        publication = item.publication
        return _("%(unit)s: kết quả tháng %(period)s") % {"unit": publication.scope.name, "period": publication.period}

    def item_description(self, item):
        if item.version > 1:
            return _("Công bố lại lần %(n)d.") % {"n": item.version}
        return _("Công bố lần đầu.")

    def item_link(self, item):
        """The ranking the publication made public: of the scope's units, or, when the scope published
        only its own figures (Hà Nội's total), the ranking its own result is listed in."""
        publication = item.publication
        scope, key = publication.scope, publication.period.key
        listed_under = scope if public_results().filter(period_key=key, parent=scope).exists() else scope.parent
        parent = unit_ref(listed_under) if listed_under else "all"
        return reverse("portal:rankings") + f"?parent={parent}&period={key}"

    def item_guid(self, item):
        return f"publication-{item.publication_id}-v{item.version}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.at
