"""Tables of the public pages, on one shared base so every table reads and sorts the same way."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from indicators.formatting import format_number
from rankings.ranks import short_rank
from units.collation import by_name

# The default bands (the catalogue's data migration), so that the English catalogue names them; a band
# an administrator renamed is shown as written.
DEFAULT_BANDS = (gettext_noop("Xuất sắc"), gettext_noop("Tốt"), gettext_noop("Khá"), gettext_noop("Trung bình"),
                 gettext_noop("Yếu"))  # fmt: skip


def band_name(band) -> str:
    """A band's (or a band name's) name in the visitor's language."""
    if band is None or band == "":
        return ""
    return gettext(band if isinstance(band, str) else band.name)


class PortalTable(tables.Table):
    """Base: accessible markup, Vietnamese numbers, an empty-table message, sortable headers.

    django-tables2 decides the columns, the order and the page; the body is written by
    `body_html` in one pass (django-tables2's per-cell template rendering costs about 1 ms
    per row, too slow for a 130-row page that must render in well under 100 ms).
    """

    class Meta:
        template_name = "portal/table.html"
        attrs = {"class": "data stack"}
        empty_text = _("Không có đơn vị nào khớp với điều kiện lọc.")
        orderable = True

    def page_records(self) -> list:
        """The records of the current page, fetched once."""
        if not hasattr(self, "_page_records"):
            if getattr(self, "page", None) is not None:
                self._page_records = list(self.page.object_list.data)
            else:
                self._page_records = list(self.data.data)
        return self._page_records

    def body_html(self) -> SafeString:
        # Each cell carries its column's name (data-label): on a phone the stylesheet stacks a row into a
        # card and shows the names beside the figures, so nothing needs a sideways scroll.
        cells = []  # (attributes, function of the record giving the cell's text or safe HTML)
        for bound in self.columns:
            css = (bound.column.attrs.get("td") or {}).get("class", "")
            css = f"{css} c-{bound.name}".strip()
            attrs = f' class="{css}" data-label="{conditional_escape(bound.header)}"'
            cells.append((attrs, self._cell_function(bound.name, bound.column)))
        rows = []
        for record in self.page_records():
            row = "".join(f"<td{attrs}>{conditional_escape(cell(record))}</td>" for attrs, cell in cells)
            rows.append(f"<tr>{row}</tr>")
        if not rows:
            rows.append(f'<tr><td colspan="{len(cells)}">{conditional_escape(self.empty_text)}</td></tr>')
        return mark_safe("".join(rows))

    def _cell_function(self, name: str, column):
        method = getattr(self, f"render_{name}", None)
        if method is not None:
            return lambda record: method(record=record)
        if isinstance(column, GroupColumn):
            return lambda record: column.render(record=record, table=self)
        if isinstance(column, NumberColumn):
            return lambda record: column.render(column.accessor.resolve(record))
        return lambda record: column.accessor.resolve(record, quiet=True) or ""


def fast_number(value, *, signed: bool = False) -> str:
    """format_number for the stored two-decimal figures, without Decimal arithmetic (a 130-row page has ~1,000 cells).

    Same output as indicators.formatting.format_number(value, signed=signed): "88,03", "86,2", "+3,38", "30.204".
    """
    if value is None:
        return ""
    text = str(value)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    elif signed and value > 0:
        sign = "+"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if "e" in text.lower() or not whole.isdigit():
        return format_number(value, signed=signed)
    if whole.strip("0") == "" and not fraction:
        return "0"
    if len(whole) > 3:
        whole = f"{int(whole):,}".replace(",", ".")
    return sign + whole + ("," + fraction if fraction else "")


class NumberColumn(tables.Column):
    """A right-aligned figure written the Vietnamese way ("88,03")."""

    def __init__(self, *args, signed=False, decimals=None, **kwargs):
        self.signed = signed
        self.decimals = decimals
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "num"})
        attrs.setdefault("th", {"class": "num"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        if self.decimals is None:
            return fast_number(value, signed=self.signed)
        return format_number(value, self.decimals, signed=self.signed)


def rank_change_html(value):
    """Rank change with an arrow; the arrow is decoration, the words carry the meaning."""
    if value is None:
        return "—"
    if value > 0:
        return format_html(
            '<span class="up"><span aria-hidden="true">▲</span> {}<span class="sr"> {}</span></span>',
            value,
            _("bậc (tăng)"),
        )
    if value < 0:
        return format_html(
            '<span class="down"><span aria-hidden="true">▼</span> {}<span class="sr"> {}</span></span>',
            -value,
            _("bậc (giảm)"),
        )
    return format_html(
        '<span class="same"><span aria-hidden="true">●</span> 0<span class="sr"> {}</span></span>',
        _("(giữ nguyên)"),
    )


class GroupColumn(NumberColumn):
    """One group's points for the row's unit, looked up in the table's `group_points` (one query for all rows)."""

    def __init__(self, *, group):
        self.code = group.code
        super().__init__(
            verbose_name=_("Nhóm %(code)s") % {"code": group.code},
            empty_values=(),
            orderable=False,
            attrs={"td": {"class": "num"}, "th": {"class": "num", "title": group.name}},
        )

    def render(self, record, table):
        return fast_number(table.group_points.get(record.unit_id, {}).get(self.code))


class RankChangeColumn(NumberColumn):
    def render(self, value):
        return rank_change_html(value)


class RankingTable(PortalTable):
    """A peer group's stored ranking: rank, unit, total, changes, band, then each group's points."""

    rank = tables.Column(verbose_name=_("Hạng"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    unit = tables.Column(
        verbose_name=_("Đơn vị"),
        accessor="unit__name",
        attrs={"td": {"class": "name"}},
    )
    total = NumberColumn(verbose_name=_("Tổng điểm"))
    total_change = NumberColumn(verbose_name=_("Thay đổi điểm"), signed=True)
    rank_change = RankChangeColumn(verbose_name=_("Thay đổi hạng"))
    band = tables.Column(verbose_name=_("Xếp loại"), accessor="band__name", order_by=("-total",))

    class Meta(PortalTable.Meta):
        sequence = ("rank", "unit", "total", "total_change", "rank_change", "band", "...")

    def __init__(self, data, *, groups, group_points, **kwargs):
        self.group_points = group_points
        extra = [(f"g{g.code}", GroupColumn(group=g)) for g in groups]
        super().__init__(data, extra_columns=extra, **kwargs)

    def render_total_change(self, record):
        return fast_number(record.total_change, signed=True)

    def render_total(self, record):
        if record.total is None:
            return format_html('<span class="muted nodata">{}</span>', _("chưa có số liệu"))
        return fast_number(record.total)

    def render_rank_change(self, record):
        return rank_change_html(record.rank_change)

    def render_rank(self, record):
        if record.rank is None:  # the total cell says why ("chưa có số liệu")
            return format_html(
                '<span class="muted" aria-hidden="true">—</span><span class="sr">{}</span>', _("không xếp hạng")
            )
        return short_rank(record)  # with the table's coverage note where the rank is not complete

    def order_unit(self, queryset, is_descending):
        # Vietnamese order (a ă â b c d đ e …), not the folded name, which puts "Đ" among the "D".
        return queryset.order_by(by_name("unit__name", descending=is_descending)), True

    def render_unit(self, record):
        # reverse() per row is slow; the unit URL is a fixed pattern.
        if not hasattr(self, "_unit_url"):
            self._unit_url = reverse("portal:unit", args=["TREE", "CODE"])
        url = self._unit_url.replace("TREE", record.unit.tree).replace("CODE", record.unit.code)
        return format_html('<a href="{}">{}</a>', url, record.unit.name)

    def render_band(self, record):
        if record.band is None:
            return "—"
        return format_html('<span class="band band-{}">{}</span>', record.band.pk, gettext(record.band.name))
