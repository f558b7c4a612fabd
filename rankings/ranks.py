"""How a rank is shown: the one rule pages, downloads, embeds and dispatches use.

A published rank (the source's own, "13/30") is shown as published. A computed rank always carries
its coverage: when some units of the peer group have no total it reads "hạng 5 trong 15 đơn vị có
số liệu (16 đơn vị)", and a dispatch leaves it out rather than print a bare "05/15". A unit alone
with data in its group has no rank at all (the computation never ranks a group of one).
"""

from decimal import Decimal

from django.utils.translation import gettext as _

PUBLISHED, COMPUTED = "published", "computed"
# Totals are published to two decimals, so a published change and one computed from two published
# totals may differ by a rounding step; beyond that they disagree.
CHANGE_ROUNDING = Decimal("0.01")


def is_complete(result) -> bool:
    """Whether the rank is official-looking: published, or computed among every unit of the group."""
    if not getattr(result, "rank", None):
        return False
    if result.rank_source == PUBLISHED:
        return True
    return result.rank_source == COMPUTED and result.ranked_count >= result.peer_count


def two_digits(rank: int, of: int) -> str:
    """ "01/10", "13/30": the national portal's form, which the dispatches copy."""
    return f"{rank:02d}/{of:02d}"


def rank_fraction(result) -> str | None:
    """ "01/10" where a dispatch may print it (see `is_complete`); None otherwise."""
    return two_digits(result.rank, result.rank_of) if is_complete(result) else None


def rank_label(result) -> str:
    """The rank as a page shows it: "13/30", or with its coverage, or "" when the unit has no rank."""
    if not getattr(result, "rank", None):
        return ""
    if is_complete(result):
        return f"{result.rank}/{result.rank_of}"
    return _("%(rank)s trong %(ranked)s đơn vị có số liệu (%(peers)s đơn vị)") % {
        "rank": result.rank,
        "ranked": result.ranked_count,
        "peers": result.peer_count,
    }


def short_rank(result) -> str:
    """A table cell: "13/30" where the rank is complete, the bare rank where the table's coverage note
    (`coverage_note`) says among how many it was computed, "" without a rank."""
    if not getattr(result, "rank", None):
        return ""
    return f"{result.rank}/{result.rank_of}" if is_complete(result) else str(result.rank)


WITHHELD = "published_incomplete"


def is_withheld(result) -> bool:
    """A unit with a total but no rank: its group carries published ranks and not every unit's total,
    so a computed rank could clash with a published one (the computation leaves it out)."""
    return (getattr(result, "details", None) or {}).get("rank_withheld") == WITHHELD


def coverage_note(results) -> str:
    """One sentence for a table of a peer group whose computed ranks do not cover every unit, or whose
    units without a published rank are left unranked."""
    results = list(results)
    withheld = next((r for r in results if is_withheld(r)), None)
    if withheld is not None:
        return _(
            "Hạng theo công bố của nguồn số liệu; đơn vị không có hạng công bố không được xếp hạng vì chỉ "
            "%(ranked)s trong %(peers)s đơn vị có số liệu, hạng tính ra có thể trùng hạng đã công bố."
        ) % {"ranked": withheld.ranked_count, "peers": withheld.peer_count}
    incomplete = _first_incomplete(results)
    if incomplete is None:
        return ""
    return _(
        "Hạng tính từ số liệu của %(ranked)s trong %(peers)s đơn vị (%(missing)s đơn vị chưa có số liệu); "
        "không phải hạng chính thức."
    ) % {
        "ranked": incomplete.ranked_count,
        "peers": incomplete.peer_count,
        "missing": incomplete.peer_count - incomplete.ranked_count,
    }


def _first_incomplete(results):
    """The first result with a rank computed among part of its group (some peers have no total)."""
    return next((r for r in results if r.rank and r.rank_source == COMPUTED and r.ranked_count < r.peer_count), None)


def appendix_note(results) -> str:
    """The sentence under a dispatch's ranking appendix when some ranks are left out of it: a dispatch
    prints only complete ranks (`rank_fraction`), never one computed among part of the group."""
    results = list(results)
    if any(is_withheld(r) for r in results):
        return coverage_note(results)
    incomplete = _first_incomplete(results)
    if incomplete is None:
        return ""
    return _(
        "Không ghi hạng: chỉ %(ranked)s trong %(peers)s đơn vị có số liệu (%(missing)s đơn vị chưa có số liệu), "
        "hạng tính ra không phải hạng chính thức."
    ) % {
        "ranked": incomplete.ranked_count,
        "peers": incomplete.peer_count,
        "missing": incomplete.peer_count - incomplete.ranked_count,
    }
