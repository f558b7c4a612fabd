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


def rank_fraction(result) -> str | None:
    """ "13/30" where a dispatch may print it (see `is_complete`); None otherwise."""
    return f"{result.rank:02d}/{result.rank_of:02d}" if is_complete(result) else None


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


def coverage_note(results) -> str:
    """One sentence for a table of a peer group whose computed ranks do not cover every unit."""
    incomplete = next(
        (r for r in results if r.rank and r.rank_source == COMPUTED and r.ranked_count < r.peer_count), None
    )
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
