"""The public JSON API of DESIGN §7: stored rankings under a parent, and unit search."""

from decimal import Decimal

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from units.selectors import unit_search

from .periods import PeriodKeyError, period_span
from .selectors import (
    AmbiguousParent,
    ParentNotFound,
    ranking_data_as_of,
    ranking_parent,
    unit_ranking,
)

SCOPES = {"peer", "province"}


def _number(value: Decimal | None) -> float | int | None:
    # JSON numbers, not strings: 89.63 stays 89.63 (two decimals are all the source ever has).
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def rankings_list(request):
    """GET /api/v1/rankings/?period=2024-08&parent=332 → the parent's children in rank order."""
    try:
        span = period_span(request.GET.get("period", ""))
    except PeriodKeyError as exc:
        return _error(_("Tham số period: %(error)s") % {"error": exc})
    scope = request.GET.get("scope", "peer")
    if scope not in SCOPES:
        return _error(_("Tham số scope: chỉ nhận “peer” hoặc “province”."))
    code = request.GET.get("parent", "").strip()
    parent = None
    if code:
        try:
            parent = ranking_parent(span=span, code=code)
        except ParentNotFound as exc:
            return _error(str(exc), status=404)
        except AmbiguousParent as exc:
            return _error(str(exc))
    # Only what a leader published: not yet published looks exactly like not there.
    results = list(unit_ranking(span=span, parent=parent, scope=scope))
    with_total = [r.unit_id for r in results if r.total is not None]
    if not with_total:
        raise Http404(_("Chưa có kết quả xếp hạng cho kỳ này."))
    as_of = ranking_data_as_of(span=span, unit_ids=with_total)
    return JsonResponse(
        {
            "period": span.key,
            "parent": parent.code if parent else None,
            "data_as_of": as_of.isoformat() if as_of else None,
            # How many published months a quarter or year averages (None for a month).
            "months_averaged": None if span.is_month else max((r.months_count for r in results if r.total), default=0),
            "results": [
                {
                    "unit_code": r.unit.code,
                    "unit_name": r.unit.name,
                    "total": _number(r.total),
                    "rank": r.rank,
                    "rank_of": r.rank_of,
                    "total_change": _number(r.total_change),
                    "rank_change": r.rank_change,
                    "band": r.band.name if r.band else None,
                    "rank_source": r.rank_source or None,
                    "peer_count": r.peer_count,
                    "ranked_count": r.ranked_count,
                }
                for r in results
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def units_list(request):
    """GET /api/v1/units/?q=tien lu → units whose name contains the text, diacritics-insensitive."""
    q = request.GET.get("q", "").strip()
    if not q:
        return _error(_("Tham số q: nhập một phần tên đơn vị, ví dụ ?q=Tiên Lữ."))
    units = unit_search(q=q, limit=50)
    return JsonResponse(
        [
            {
                "code": u.code,
                "name": u.name,
                "level": u.level,
                "parent_code": u.parent.code if u.parent else None,
                "valid_from": u.valid_from.isoformat() if u.valid_from else None,
                "valid_to": u.valid_to.isoformat() if u.valid_to else None,
            }
            for u in units
        ],
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )
