"""Every public route × every state of a month × every kind of caller: what is visible, with its figures.

The month is Huyện Tiên Lữ's 8/2024 (July is published in every state). Xã Thủ Sỹ's total is 89,63 as
first published; staff correct it to 51,17. States:

- never:        August was never published;
- published:    published (and its dispatch made public);
- pending:      published, then corrected by staff (not republished);
- unpublished:  published, then withdrawn by the leader;
- republished:  published, corrected, republished.

Callers: anonymous, staff of Tiên Lữ, staff of another district (Mỹ Hào), the leader of Tiên Lữ. Every public
route must answer them all alike, with exactly the published record: the corrected 51,17 appears only once
a leader republished it, and nothing of August appears where August is not published.
"""

import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, get_resolver
from openpyxl import load_workbook

from accounts.models import UnitAssignment
from dispatches.services import dispatch_draft, dispatch_freeze, dispatch_publish, dispatch_render
from indicators.formatting import format_number
from indicators.models import Score
from indicators.services import period_get
from publishing.services import publication_publish, publication_unpublish

from .conftest import correct

pytestmark = pytest.mark.django_db

STATES = ["never", "published", "pending", "unpublished", "republished"]
CALLERS = ["anonymous", "staff_scope", "staff_other", "leader"]
VISIBLE = {"published", "pending", "republished"}  # August is public
JULY, FIRST, CORRECTED = Decimal("82.67"), Decimal("89.63"), Decimal("51.17")


def august(state) -> Decimal | None:
    """Thủ Sỹ's public August total in the state, or None where August is not public."""
    return {"published": FIRST, "pending": FIRST, "republished": CORRECTED}.get(state)


def mean(*values: Decimal) -> Decimal:
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vn(value: Decimal) -> str:
    """As the pages print a figure (its own precision: 83,6 for 83.60)."""
    return format_number(value)


def plain(value: Decimal) -> str:
    return f"{value:.2f}"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "matrix"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    callers = {"anonymous": None}
    for name, unit, role in [
        ("staff_scope", units["tien_lu"], "staff"),
        ("staff_other", units["my_hao"], "staff"),
        ("leader", units["tien_lu"], "leader"),
    ]:
        callers[name] = User.objects.create_user(name, password="x")
        UnitAssignment.objects.create(user=callers[name], unit=unit, role=role)
    # Months before August, published as the demo set-up publishes them (the year's mean needs them).
    for year, month in [(2024, m) for m in range(1, 8)]:
        publication_publish(period=period_get(year=year, month=month), scope=units["tien_lu"])
    return callers


def set_state(state: str, units) -> None:
    tien_lu, thu_sy = units["tien_lu"], units["thu_sy"]
    month = period_get(year=2024, month=8)
    if state == "never":
        return
    publication_publish(period=month, scope=tien_lu)
    dispatch = dispatch_freeze(dispatch=dispatch_draft(unit=tien_lu, period=month))
    dispatch_publish(dispatch=dispatch_render(dispatch=dispatch))
    if state in ("pending", "republished"):
        correct(unit=thu_sy, points=str(CORRECTED))
    if state == "republished":
        publication_publish(period=month, scope=tien_lu)
    if state == "unpublished":
        publication_unpublish(period=month, scope=tien_lu, user=None, reason="Số liệu xã Thủ Sỹ cần kiểm tra lại")


def year_mean(state, thu_sy) -> Decimal:
    months = list(
        Score.objects.filter(unit=thu_sy, period__year=2024, period__month__lt=8, indicator__kind="total").values_list(
            "points", flat=True
        )
    )
    value = august(state)
    return mean(*months, *([value] if value is not None else []))


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    if response["Content-Type"].startswith("application/pdf"):
        return "%PDF"
    return response.content.decode("utf-8-sig")


def month_route(url, fmt=vn):
    """A page of August itself: 404 where August is not public, its published figure where it is."""

    def expect(state):
        value = august(state)
        if value is None:
            return 404, [], []
        return 200, [fmt(value)], [] if state == "republished" else [fmt(CORRECTED)]

    return url, expect


def always(url, contains_by_state=None, absent_by_state=None):
    def expect(state):
        return 200, (contains_by_state or {}).get(state, []), (absent_by_state or {}).get(state, [])

    return url, expect


def never_corrected_unless_republished(fmt=vn):
    return {s: [fmt(CORRECTED)] for s in STATES if s != "republished"}


# Longer than 60 lines on purpose: the table of every public route and what it must show in each state, read as one list.
def routes(units, state) -> dict:
    """Route name → (url, expectation). Expectations: (status, must contain, must not contain)."""
    q3_by_state = {s: mean(JULY, august(s)) if august(s) else JULY for s in STATES}
    q3_all = {q3_by_state[s] for s in STATES}
    year = year_mean(state, units["thu_sy"])
    rank_url = "/xep-hang/?parent=legacy.332&level=commune&period="
    api = "/api/v1/rankings/?parent=332&period="
    latest = {s: [vn(august(s) or JULY)] for s in STATES}
    feed_aug = {s: ["tháng 8/2024"] for s in VISIBLE}
    feed_no = {s: ["tháng 8/2024"] for s in STATES if s not in VISIBLE}
    pdf = "/cong-van/cong-khai/332/2024-08.pdf"
    return {
        "portal:home": always("/", latest, never_corrected_unless_republished()),
        "portal:rankings": month_route(rank_url + "2024-08"),
        "rankings csv": month_route(rank_url + "2024-08&format=csv", plain),
        "rankings xlsx": month_route(rank_url + "2024-08&format=xlsx", lambda v: str(float(v))),
        "rankings json": month_route(rank_url + "2024-08&format=json", lambda v: str(float(v))),
        "rankings quarter": always(
            rank_url + "2024-Q3",
            {s: [vn(q3_by_state[s])] for s in STATES},
            {s: [vn(v) for v in q3_all - {q3_by_state[s]}] for s in STATES},
        ),
        "rankings year": always(rank_url + "2024", {s: [vn(year)] for s in STATES}),
        "rankings nationwide": (
            "/xep-hang/?parent=all&level=province&period=2024-08",
            lambda s: (404, [], []),  # no province total was ever published for 8/2024
        ),
        "api:ranking-list": month_route(api + "2024-08", lambda v: str(float(v))),
        "api quarter": always(
            api + "2024-Q3",
            {s: [str(float(q3_by_state[s]))] for s in STATES},
            {s: [str(float(v)) for v in q3_all - {q3_by_state[s]}] for s in STATES},
        ),
        "api:unit-list": always("/api/v1/units/?q=thu%20sy", {s: ["Xã Thủ Sỹ"] for s in STATES}),
        "portal:unit": month_route("/don-vi/legacy/12367/?period=2024-08"),
        "unit latest": always("/don-vi/legacy/12367/", latest, never_corrected_unless_republished()),
        "unit history csv": always(
            "/don-vi/legacy/12367/?format=csv",
            {s: [f"2024-08,12367,Xã Thủ Sỹ,,{plain(august(s))}"] for s in VISIBLE},
            {**{s: ["2024-08"] for s in STATES if s not in VISIBLE}, **never_corrected_unless_republished(plain)},
        ),
        "unit history json": always(
            "/don-vi/legacy/12367/?format=json",
            {s: ['"period": "2024-08"'] for s in VISIBLE},
            {s: ['"period": "2024-08"'] for s in STATES if s not in VISIBLE},
        ),
        "portal:scorecard": month_route("/don-vi/legacy/12367/bang-diem/?period=2024-08"),
        "portal:compare": always(
            "/so-sanh/?u=legacy.12367&u=legacy.12376", latest, never_corrected_unless_republished()
        ),
        "compare csv": always(
            "/so-sanh/?u=legacy.12367&u=legacy.12376&format=csv",
            {s: [f"2024-08,{plain(august(s))}"] for s in VISIBLE},
            {s: ["\n2024-08,"] for s in STATES if s not in VISIBLE},  # a row of August (July's as-of is 2024-08-05)
        ),
        "portal:map": month_route("/ban-do/?parent=legacy.332&level=commune&period=2024-08"),
        "portal:methodology": (
            "/phuong-phap/?period=2024-08",
            lambda s: {
                "never": (404, [], []),
                "published": (200, ["Công bố — Huyện Tiên Lữ"], [vn(CORRECTED)]),
                "pending": (200, ["Công bố — Huyện Tiên Lữ"], [vn(CORRECTED)]),
                # A withdrawn month's log keeps the events, not the figures.
                "unpublished": (200, ["Gỡ công bố", "Số liệu xã Thủ Sỹ cần kiểm tra lại"], [vn(FIRST)]),
                "republished": (200, ["Công bố lại", vn(FIRST), vn(CORRECTED)], []),
            }[s],
        ),
        "portal:feed": always("/du-lieu-mo/cac-ky-cong-bo.atom", feed_aug, feed_no),
        "portal:embed-unit": month_route("/nhung/don-vi/legacy/12367/?period=2024-08"),
        "portal:embed-children": month_route("/nhung/xep-hang/legacy/332/?period=2024-08"),
        "dispatches:public-list": always(
            "/cong-van/cong-khai/", {s: [pdf] for s in VISIBLE}, {s: [pdf] for s in STATES if s not in VISIBLE}
        ),
        "dispatches:public-pdf": (pdf, lambda s: (200, ["%PDF"], []) if s in VISIBLE else (404, [], [])),
        "portal:search": always("/tim-kiem/?q=thu%20sy", {s: ["Xã Thủ Sỹ"] for s in STATES}),
        "portal:open-data": always("/du-lieu-mo/"),
        "portal:openapi": always("/du-lieu-mo/openapi.json", {s: ["rank_source"] for s in STATES}),
        "portal:health": always("/healthz"),
    }


# Public routes that show no figures of a month (a language switch redirects; the bands' colours are CSS).
NOT_DATA = {"portal:language", "portal:band-styles"}


def test_the_matrix_covers_every_public_route_of_the_url_conf(units):
    """A new public route must join the matrix (or say why it shows no figures)."""
    names = set()
    for namespace in ("portal", "api"):
        for pattern in get_resolver().namespace_dict[namespace][1].url_patterns:
            if isinstance(pattern, URLPattern):
                names.add(f"{namespace}:{pattern.name}")
    names |= {"dispatches:public-list", "dispatches:public-pdf"}
    covered = set(routes(units, "never")) | NOT_DATA
    assert names - covered == set()


@pytest.mark.parametrize("state", STATES)
def test_every_public_route_shows_each_caller_exactly_the_published_record(client, units, world, state):
    set_state(state, units)
    table = routes(units, state)
    failures = []
    for caller in CALLERS:
        client.logout()
        if world[caller] is not None:
            client.force_login(world[caller])
        for name, (url, expect) in table.items():
            status, contains, absent = expect(state)
            response = client.get(url)
            text = text_of(response) if response.status_code == 200 else ""
            problems = []
            if response.status_code != status:
                problems.append(f"status {response.status_code} ≠ {status}")
            problems += [f"lacks {c!r}" for c in contains if c not in text]
            problems += [f"shows {a!r}" for a in absent if a in text]
            if problems:
                failures.append(f"{state} × {caller} × {name} ({url}): {'; '.join(problems)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("state", STATES)
def test_the_desk_shows_the_scope_what_is_pending_and_nobody_else_anything(client, units, world, state):
    set_state(state, units)
    answers = {}
    for caller in CALLERS:
        client.logout()
        if world[caller] is not None:
            client.force_login(world[caller])
        response = client.get("/cong-bo/")
        if response.status_code != 200:
            answers[caller] = response.status_code
            continue
        august_rows = [e for e in response.context["entries"] if e["period"].key == "2024-08"]
        answers[caller] = [(e["scope"].name, bool(e["pending"])) for e in august_rows]
    scope_row = [("Huyện Tiên Lữ", state == "pending")]
    assert answers == {"anonymous": 302, "staff_scope": scope_row, "staff_other": [], "leader": scope_row}


def test_an_unpublished_province_total_never_reaches_the_nationwide_table_or_the_api(client, units):
    """The review of main: an unpublished Hưng Yên total for 12/2024 appeared at rank 1 nationwide."""
    december = period_get(year=2024, month=12)
    correct(unit=units["hung_yen"], points="70.10", period=december, scope=units["hung_yen"])
    publication_publish(period=december, scope=units["ha_noi"])
    page = client.get("/xep-hang/?parent=all&level=province&period=2024-12").content.decode()
    assert "Thành phố Hà Nội" in page and "62,28" in page
    assert "70,1" not in page
    body = client.get("/api/v1/rankings/", {"period": "2024-12"}).json()
    hung_yen = next(r for r in body["results"] if r["unit_name"] == "Tỉnh Hưng Yên")
    assert hung_yen["total"] is None and hung_yen["rank"] is None
    year = json.loads(client.get("/api/v1/rankings/", {"period": "2024"}).content)
    assert all(r["total"] != 70.1 for r in year["results"])
