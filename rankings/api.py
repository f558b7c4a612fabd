"""The public JSON API of DESIGN §7: stored rankings under a parent, and unit search."""

from decimal import Decimal
from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext as _

from indicators.periods import PeriodKeyError, period_span
from portal.selectors import unit_by_ref
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup, unit_search

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


def _parent(*, span, text: str):
    """The parent the caller named: "legacy.332" (tree and code, as every portal address writes it), a bare
    code (resolved among the units valid in the period), or a name ("Tiên Lữ", diacritics optional)."""
    by_ref = unit_by_ref(text)
    if by_ref is not None:
        return by_ref
    try:
        return ranking_parent(span=span, code=text)
    except ParentNotFound:
        if text.isdigit():
            raise
    return unit_lookup(text=text, on=span.last_day)


def _get_only(view):
    """Like require_GET, but the refusal is the API's JSON error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _error(
                _("Phương thức %(method)s không được hỗ trợ; chỉ dùng GET.") % {"method": request.method}, 405
            )
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapper


@_get_only
def rankings_list(request):
    """GET /api/v1/rankings/?period=2024-08&parent=332 → the parent's children in rank order."""
    try:
        span = period_span(request.GET.get("period", ""))
    except PeriodKeyError as exc:
        return _error(_("Tham số period: %(error)s") % {"error": exc})
    scope = request.GET.get("scope", "peer")
    if scope not in SCOPES:
        return _error(_("Tham số scope: chỉ nhận “peer” hoặc “province”."))
    text = request.GET.get("parent", "").strip()
    parent = None
    if text:
        try:
            parent = _parent(span=span, text=text)
        except (ParentNotFound, UnitNotFound):
            return _error(
                _("Không có đơn vị mã hoặc tên “%(parent)s” trong kỳ %(period)s.")
                % {"parent": text, "period": span.key},
                status=404,
            )
        except (AmbiguousParent, AmbiguousUnit) as exc:
            return _error(str(exc))
    # Only what a leader published: not yet published looks exactly like not there.
    results = list(unit_ranking(span=span, parent=parent, scope=scope))
    with_total = [r.unit_id for r in results if r.total is not None]
    if not with_total:
        # Not yet published looks exactly like not there: no hint of what is coming.
        return _error(_("Chưa có kết quả xếp hạng cho kỳ này."), status=404)
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


@_get_only
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
