"""The national public-service portal as a source of the import pipeline.

Its public pages load the 766 results as JSON: `POST {NATIONAL_PORTAL_URL}` with a form field
`params` holding a JSON object (service, year, month, province id, page…). This module asks
politely (timeouts, retries with back-off on 5xx and timeouts only, one request at a time per
host, a User-Agent naming the portal and its operator), checks the answer's shape, and turns its
rows into the same staged table an uploaded file gives, so that mapping, unit resolution, preview
and apply are the file's. What each answer key means and which parameters each level needs are
data (`NationalSource`), and every answer is kept with the batch (and so with its revision).
"""

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from indicators.models import Period
from units.models import AdministrativeUnit, Level
from units.names import fold, name_key

from .mapping import UNIT, UNIT_CODE
from .models import ImportBatch, NationalSource, NationalWatch, PortalUnitLink
from .parsing import Table
from .resolve import UnitResolver
from .validate import Issue

# An answer larger than this is not a month of results (a national month is about 1 MB of JSON).
MAX_ANSWER_BYTES = 20 * 1024 * 1024
MAX_PAGES = 40


class NationalPortalError(Exception):
    """The portal could not be asked, or answered in a shape we do not know; the message is Vietnamese."""


@dataclass
class Exchange:
    """One request and its answer, kept for audit."""

    params: dict
    status: int
    body: str
    seconds: float


@dataclass
class Fetched:
    """What a fetch brought: the rows of every page and the exchanges that brought them."""

    source: NationalSource
    rows: list[dict]
    exchanges: list[Exchange] = field(default_factory=list)
    fetched_at: object = None

    def record(self) -> bytes:
        """The exchanges as JSON: kept as the batch's file, so a revision shows what the portal said."""
        return json.dumps(
            {
                "fetched_at": self.fetched_at.isoformat(),
                "url": portal_url(),
                "exchanges": [e.__dict__ for e in self.exchanges],
            },
            ensure_ascii=False,
            indent=1,
        ).encode()


def portal_url() -> str:
    return settings.NATIONAL_PORTAL_URL


def source_for(*, level: str) -> NationalSource:
    try:
        return NationalSource.objects.get(level=level)
    except NationalSource.DoesNotExist:
        raise NationalPortalError(
            _("Chưa cấu hình nguồn Cổng DVCQG cho cấp “%(level)s” (quản trị → Nguồn Cổng DVCQG).") % {"level": level}
        ) from None


def default_level(scope: AdministrativeUnit) -> str:
    """The level a scope usually asks for: a province its districts, a district its communes."""
    return NationalSource.Level.COMMUNES if scope.level == Level.DISTRICT else NationalSource.Level.DISTRICTS


def _portal_id(unit: AdministrativeUnit | None, *, what: str) -> str:
    link = PortalUnitLink.objects.filter(unit=unit).first() if unit is not None else None
    if link is None:
        raise NationalPortalError(
            _(
                "Chưa biết mã của %(unit)s trên Cổng DVCQG (%(what)s); quản trị viên nhập mã ở mục "
                "“Liên kết đơn vị với Cổng DVCQG”."
            )
            % {"unit": unit.name if unit else "?", "what": what}
        )
    return link.portal_id


def _province_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    while unit is not None and unit.level != Level.PROVINCE:
        unit = unit.parent
    return unit


def request_params(*, source: NationalSource, period: Period, scope: AdministrativeUnit) -> dict:
    """The source's parameters with the month and the portal's ids of the scope filled in."""
    params = {"service": source.service}
    for key, value in (source.params or {}).items():
        if value == "{tinh}":
            value = _portal_id(_province_of(scope), what=_("mã tỉnh"))
        elif value == "{don_vi}":
            value = _portal_id(scope, what=_("mã phạm vi"))
        params[key] = value
    params.update({"p_nam": period.year, "p_thang": period.month, "p_quy": 0, "p_6thang": 0})
    return params


def _host_slot_key(url: str) -> str:
    return "national-portal-host:" + (urllib.parse.urlsplit(url).hostname or "")


class _HostSlot:
    """One request at a time per host, across processes (the cache is Redis when deployed)."""

    def __init__(self, url: str, *, hold: float):
        self.key, self.hold, self.token = _host_slot_key(url), hold, uuid.uuid4().hex

    def __enter__(self):
        deadline = time.monotonic() + self.hold
        ttl = max(int(self.hold), 1)
        unreachable = 0
        while not cache.add(self.key, self.token, timeout=ttl):
            # The slot looked free yet could not be taken: another waiter may just have won it, or the cache
            # is down. Only when that keeps happening is it the cache, and then do not wait on it.
            unreachable = unreachable + 1 if cache.get(self.key) is None else 0
            if unreachable >= 20:
                break
            if time.monotonic() > deadline:
                break  # a holder that died leaves the slot to expire; do not wait for ever
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


def _post_once(url: str, params: dict, timeout: float) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"params": json.dumps(params, ensure_ascii=False)}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            "X-Requested-With": "XMLHttpRequest",
            "Accept": "application/json, text/javascript, */*; q=0.01",
            "User-Agent": settings.NATIONAL_PORTAL_USER_AGENT,
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read(MAX_ANSWER_BYTES + 1)


def _is_timeout(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, TimeoutError | socket.timeout)


def post(url: str, params: dict) -> Exchange:
    """POST one request; retries with back-off on 5xx answers and timeouts, and only on those."""
    timeout = settings.NATIONAL_PORTAL_TIMEOUT
    retries, backoff = settings.NATIONAL_PORTAL_RETRIES, settings.NATIONAL_PORTAL_BACKOFF
    for attempt in range(retries + 1):
        started = time.monotonic()
        try:
            with _HostSlot(url, hold=timeout + 5):
                status, body = _post_once(url, params, timeout)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 and attempt < retries:
                time.sleep(backoff * 2**attempt)
                continue
            raise NationalPortalError(
                _("Cổng DVCQG trả lời lỗi HTTP %(code)s (sau %(n)s lần thử); không có gì được ghi.")
                % {"code": exc.code, "n": attempt + 1}
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            if _is_timeout(exc) and attempt < retries:
                time.sleep(backoff * 2**attempt)
                continue
            if _is_timeout(exc):
                raise NationalPortalError(
                    _("Cổng DVCQG không trả lời trong %(seconds)s giây (sau %(n)s lần thử); không có gì được ghi.")
                    % {"seconds": timeout, "n": attempt + 1}
                ) from None
            raise NationalPortalError(
                _("Không kết nối được Cổng DVCQG (%(error)s); không có gì được ghi.")
                % {"error": getattr(exc, "reason", exc)}
            ) from None
        if len(body) > MAX_ANSWER_BYTES:
            raise NationalPortalError(_("Câu trả lời của Cổng DVCQG lớn bất thường (hơn 20 MB); không đọc."))
        return Exchange(
            params=params,
            status=status,
            body=body.decode("utf-8", "replace"),
            seconds=round(time.monotonic() - started, 3),
        )
    raise AssertionError("unreachable")  # the loop returns or raises


def answer_rows(text: str) -> list[dict]:
    """The rows of one answer: a JSON list, or a list wrapped as {"data": [...]}; anything else is named."""
    head = text.lstrip()[:60].replace("\n", " ")
    if head.startswith("<"):
        raise NationalPortalError(
            _(
                "Cổng DVCQG trả về một trang HTML thay vì dữ liệu JSON (bắt đầu bằng “%(head)s”): có thể Cổng đang "
                "bảo trì hoặc đã đổi địa chỉ; không có gì được ghi."
            )
            % {"head": head}
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NationalPortalError(
            _("Câu trả lời của Cổng DVCQG không phải JSON hợp lệ (%(error)s; bắt đầu bằng “%(head)s”).")
            % {"error": exc, "head": head}
        ) from None
    if isinstance(data, dict):
        if isinstance(data.get("data"), list):
            data = data["data"]
        else:
            raise NationalPortalError(
                _(
                    "Câu trả lời của Cổng DVCQG là một đối tượng với các khóa %(keys)s, không phải danh sách dòng "
                    "(cũng không có khóa “data” chứa danh sách); không có gì được ghi."
                )
                % {"keys": ", ".join(f"“{k}”" for k in list(data)[:10]) or _("(không có)")}
            )
    if not isinstance(data, list):
        raise NationalPortalError(
            _("Câu trả lời của Cổng DVCQG là %(kind)s, không phải danh sách dòng; không có gì được ghi.")
            % {"kind": type(data).__name__}
        )
    for number, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise NationalPortalError(
                _("Dòng %(n)s trong câu trả lời của Cổng DVCQG không phải một đối tượng JSON (%(value)s).")
                % {"n": number, "value": str(row)[:40]}
            )
    return data


def fetch(*, source: NationalSource, period: Period, scope: AdministrativeUnit, url: str | None = None) -> Fetched:
    """Every page of the month for the scope; raises NationalPortalError naming what differed."""
    url = url or portal_url()
    params = request_params(source=source, period=period, scope=scope)
    fetched = Fetched(source=source, rows=[], fetched_at=timezone.now())
    seen: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        exchange = post(url, {**params, "pageIndex": page, "pageSize": source.page_size})
        fetched.exchanges.append(exchange)
        rows = answer_rows(exchange.body)
        new = [r for r in rows if str(r.get(source.id_key)) not in seen]
        seen.update(str(r.get(source.id_key)) for r in new)
        fetched.rows += new
        if len(rows) < source.page_size or not new:
            break  # the last page, or a portal that ignores paging and sends the same rows again
    if not fetched.rows:
        raise NationalPortalError(
            _(
                "Cổng DVCQG không có số liệu cho %(scope)s tháng %(period)s (danh sách rỗng): có thể Cổng chưa "
                "công bố tháng này; không có gì được ghi."
            )
            % {"scope": scope.name, "period": period}
        )
    _check_keys(fetched)
    return fetched


def _check_keys(fetched: Fetched) -> None:
    source = fetched.source
    needed = [source.id_key, *source.field_map]
    for number, row in enumerate(fetched.rows, start=1):
        missing = [k for k in needed if k not in row]
        if missing:
            raise NationalPortalError(
                _(
                    "Câu trả lời của Cổng DVCQG thiếu khóa %(missing)s (dòng %(n)s; các khóa có: %(keys)s). Cổng có "
                    "thể đã đổi tên khóa: sửa “ghép khóa” của nguồn “%(source)s”; không có gì được ghi."
                )
                % {
                    "missing": ", ".join(f"“{k}”" for k in missing),
                    "n": number,
                    "keys": ", ".join(list(row)[:20]),
                    "source": source,
                }
            )


def _keeps(row_name: str, scope: AdministrativeUnit, linked: AdministrativeUnit | None) -> bool:
    """For the province level: the one row that is the scope (the answer lists every province)."""
    if linked is not None:
        return linked.pk == scope.pk
    key = name_key(row_name)
    return bool(key) and (key == scope.match_key or fold(row_name) in (scope.search_name, fold(scope.short_name)))


def staged_table(*, fetched: Fetched, scope: AdministrativeUnit, period: Period) -> tuple[Table, dict, dict]:
    """The rows as the table a file gives, the batch's mapping, and each table row's portal id.

    A row's unit code is the unit the portal id is linked to, else the portal's own code where it
    is one of the scope's units, else empty (the name is resolved, as for a file).
    """
    source = fetched.source
    keys = list(source.field_map)
    unit_key = next((k for k, t in source.field_map.items() if t == UNIT), None)
    code_key = next((k for k, t in source.field_map.items() if t == UNIT_CODE), None)
    links = {
        link.portal_id: link.unit
        for link in PortalUnitLink.objects.filter(
            portal_id__in=[str(r.get(source.id_key)) for r in fetched.rows]
        ).select_related("unit")
    }
    resolver = UnitResolver(scope=scope, period=period)
    headers = [source.id_key, *keys] if code_key else [source.id_key, *keys, "MA_DON_VI"]
    code_column = headers.index(code_key or "MA_DON_VI")
    rows, portal_ids = [], {}
    for number, answer in enumerate(fetched.rows, start=1):
        portal_id = str(answer.get(source.id_key))
        linked = links.get(portal_id)
        name = str(answer.get(unit_key) or "") if unit_key else ""
        if source.level == NationalSource.Level.PROVINCE and not _keeps(name, scope, linked):
            continue
        cells = [portal_id, *(answer.get(k) for k in keys)]
        if not code_key:
            cells.append(None)
        code = str(cells[code_column] or "").strip()
        if linked is not None:
            code = linked.code
        elif code and code != scope.code and len(resolver.by_code.get(code, [])) != 1:
            code = ""  # the portal's own agency code, not an official one: resolve by name
        cells[code_column] = code or None
        rows.append((number, [None if v == "" else v for v in cells]))
        portal_ids[str(number)] = portal_id
    if not rows:
        raise NationalPortalError(
            _("Câu trả lời của Cổng DVCQG không có dòng nào của %(scope)s; không có gì được ghi.")
            % {"scope": scope.name}
        )
    mapping = {source.id_key: "", **source.field_map, **({} if code_key else {"MA_DON_VI": UNIT_CODE})}
    table = Table(
        sheet=_("Cổng DVCQG"),
        header_row=0,
        headers=headers,
        rows=rows,
        title=[f"{source.service} {period.key}"],
        sheets=[_("Cổng DVCQG")],
        file_format="json",
    )
    return table, mapping, portal_ids


def source_text(fetched: Fetched) -> str:
    """The revision's source: the service, the parameters and the time of the fetch."""
    params = {k: v for k, v in fetched.exchanges[0].params.items() if k not in ("service", "pageIndex")}
    return _("Cổng DVCQG: %(service)s %(params)s, lấy lúc %(when)s") % {
        "service": fetched.source.service,
        "params": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        "when": timezone.localtime(fetched.fetched_at).strftime("%H:%M %d/%m/%Y"),
    }


def national_batch_create(
    *, period: Period, scope: AdministrativeUnit, user, level: str | None = None, url: str | None = None
) -> ImportBatch:
    """Fetch the month and keep it as a batch staged like an upload (mapped by the source's field map).

    Raises ImportRejected with the portal problem; nothing is kept then.
    """
    from .services import ImportRejected, batch_create

    try:
        source = source_for(level=level or default_level(scope))
        fetched = fetch(source=source, period=period, scope=scope, url=url)
        table, mapping, portal_ids = staged_table(fetched=fetched, scope=scope, period=period)
    except NationalPortalError as exc:
        raise ImportRejected([Issue(str(exc))]) from None
    batch = batch_create(
        data=fetched.record(),
        file_name=f"cong-dvcqg-{source.level}-{scope.code}-{period.key}.json",
        period=period,
        scope=scope,
        data_as_of=fetched.fetched_at,
        user=user,
        table=table,
        source=source_text(fetched),
        mapping=mapping,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        staged={**batch.staged, "portal_ids": portal_ids}, state=ImportBatch.State.MAPPED
    )
    batch.refresh_from_db()
    return batch


def links_remember(*, portal_ids: dict[str, str], preview, user) -> int:
    """After an apply, remember which unit each fetched portal id turned out to be (by name or choice);
    `portal_ids` maps a table row number to the portal id of that row."""
    known_units = set(
        PortalUnitLink.objects.filter(portal_id__in=portal_ids.values()).values_list("portal_id", flat=True)
    )
    created = 0
    for row in preview.rows:
        portal_id = portal_ids.get(str(row.row))
        unit = row.unit
        if not portal_id or unit is None or portal_id in known_units:
            continue
        _link, made = PortalUnitLink.objects.get_or_create(
            unit=unit, defaults={"portal_id": portal_id, "confirmed_by": user}
        )
        created += made
        known_units.add(portal_id)
    return created


def fetch_days() -> set[int]:
    """The days of the month the job runs ("1-10", "1,2,15-20"); a bad value fails loudly."""
    days: set[int] = set()
    for part in settings.NATIONAL_PORTAL_FETCH_DAYS.split(","):
        first, _sep, last = part.strip().partition("-")
        days.update(range(int(first), int(last or first) + 1))
    return days


def national_watch_set(*, scope: AdministrativeUnit, user, active: bool) -> NationalWatch:
    """Ask for (or stop asking for) `scope`'s month to be fetched on the days the portal publishes;
    audited. The level is the scope's usual one (`default_level`)."""
    from accounts.permissions import require
    from accounts.services import audit_record

    require(user, "import", scope)
    with transaction.atomic():
        watch, created = NationalWatch.objects.select_for_update().get_or_create(
            scope=scope, level=default_level(scope), defaults={"active": active, "requested_by": user}
        )
        before = None if created else watch.active
        if before != active:
            watch.active, watch.requested_by = active, user
            watch.save(update_fields=["active", "requested_by"])
            days = settings.NATIONAL_PORTAL_FETCH_DAYS
            audit_record(
                user=user,
                action=AuditEvent.Action.NATIONAL_WATCH,
                unit=scope,
                summary=(
                    _("Bật tự động lấy số liệu từ Cổng DVCQG (ngày %(days)s hằng tháng) cho %(scope)s")
                    if active
                    else _("Tắt tự động lấy số liệu từ Cổng DVCQG cho %(scope)s")
                )
                % {"days": days, "scope": scope.name},
                before={"active": before},
                after={"active": active, "level": watch.level},
            )
    return watch


def national_fetch_due(*, today=None) -> int:
    """For each scope that asked for it, on the publishing days: fetch last month into a batch ready
    to preview (once a day), and tell the scope's staff. Nothing is applied: a person applies."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from indicators.services import period_get

    from .services import ImportRejected

    today = today or timezone.localdate()
    if today.day not in fetch_days():
        return 0
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    period = period_get(year=year, month=month)
    prepared = 0
    for watch in NationalWatch.objects.filter(active=True).select_related("scope", "requested_by"):
        name = f"cong-dvcqg-{watch.level}-{watch.scope.code}-{period.key}.json"
        since = timezone.now() - timezone.timedelta(hours=20)
        if ImportBatch.objects.filter(scope=watch.scope, file_name=name, created_at__gte=since).exists():
            continue
        try:
            batch = national_batch_create(period=period, scope=watch.scope, user=watch.requested_by, level=watch.level)
        except ImportRejected as exc:
            subject = _("Chưa lấy được số liệu tháng %(period)s của %(scope)s từ Cổng DVCQG")
            body = "\n".join(str(i) for i in exc.issues)
        else:
            prepared += 1
            subject = _("Số liệu tháng %(period)s của %(scope)s từ Cổng DVCQG đã sẵn sàng để xem trước")
            body = _(
                "Xem trước và ghi tại /nhap-lieu/%(pk)s/xem-truoc/ (chưa có gì được ghi; lãnh đạo công bố sau)."
            ) % {"pk": batch.pk}
        staff = (
            get_user_model()
            .objects.filter(
                unit_assignments__unit=watch.scope, unit_assignments__role__in=("staff", "leader"), is_active=True
            )
            .exclude(email="")
        )
        emails = sorted({u.email for u in staff})
        if emails:
            send_mail(subject % {"period": period, "scope": watch.scope.name}, body, None, emails)
    return prepared
