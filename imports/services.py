"""Writes of the import flow: upload a batch, preview it, apply it in one transaction, save presets.

A file is read once (`stage`) into a table of typed cells; mapping, resolution and preview work
on that table, which a batch keeps (`ImportBatch.staged`). The command line (`import_scores`,
`fetch_national`) and the web flow call the same `import_preview` and `import_commit`; nothing
is written until the preview has no errors, and applying validates the staged rows again inside
its transaction.
"""

import datetime
import re

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import user_can
from accounts.services import audit_record
from config.bulkwork import cyclic_gc_paused
from config.enqueue import enqueue, send, stale_before
from indicators.models import ImportRevision, Period
from indicators.selectors import framework_for, indicators_by_role
from indicators.services import file_hash, indicators_by_code, revision_apply
from units.models import AdministrativeUnit, Tree, UnitAlias
from units.names import fold, name_key

from .mapping import preset_key
from .models import ImportBatch, MappingPreset, UnitAbsence
from .parsing import SpreadsheetError, Table, max_upload_bytes, read_table
from .resolve import BY_CHOICE, BY_TYPO, new_unit_fields
from .selectors import can_import
from .validate import Issue, Preview, validate


class ImportRejected(Exception):
    """The file cannot be imported; `issues` says where and why (nothing was written)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues[:20]))


def stage(*, data: bytes, file_name: str, sheet: str | None = None) -> Table:
    """Read a file once into its table (typed cells with their sheet and row); raises ImportRejected."""
    with cyclic_gc_paused():  # a national month is 100k parsed cells: see config.bulkwork
        try:
            return read_table(data, file_name, sheet=sheet or None)
        except SpreadsheetError as exc:
            raise ImportRejected([Issue(str(exc))]) from None


def import_preview(
    *,
    table: Table,
    period: Period,
    scope: AdministrativeUnit,
    user=None,
    mapping: dict[str, str] | None = None,
    choices: dict | None = None,
    create_missing: bool = False,
) -> Preview:
    """Map, resolve and validate a staged table; writes nothing.

    `user=None` is the operator on the command line, who may import for any scope.
    """
    with cyclic_gc_paused():
        framework = framework_for(day=period.last_day)
        allowed = user is None or can_import(user=user, scope=scope)
        return validate(
            table=table,
            period=period,
            scope=scope,
            indicators=indicators_by_code(framework=framework),
            roles=indicators_by_role(framework=framework),
            mapping=mapping,
            choices=choices,
            create_missing=create_missing,
            allowed=allowed,
        )


def scope_from_codes(*, table: Table, period: Period) -> AdministrativeUnit:
    """The scope a table's unit codes imply (their common parent), for a command line without --scope.

    Raises ImportRejected with a Vietnamese message when the codes do not name one parent.
    """
    from .mapping import UNIT_CODE, suggest

    need = _("Cần --scope: đơn vị cấp trên của các đơn vị trong tệp (ví dụ --scope “Huyện Tiên Lữ”).")
    indicators = indicators_by_code(framework=framework_for(day=period.last_day))
    column = next((i for i, h in enumerate(table.headers) if h and suggest(h, [], indicators) == UNIT_CODE), None)
    if column is None:
        raise ImportRejected([Issue(need + " " + _("Tệp không có cột mã đơn vị để tự xác định."))])
    codes = {str(c).strip().removesuffix(".0") for c in table.column(column) if c not in (None, "")}
    parents = set(
        AdministrativeUnit.objects.filter(code__in=codes).valid_in(period).values_list("parent_id", flat=True)
    )
    if len(parents) != 1 or None in parents:
        raise ImportRejected([Issue(need + " " + _("Các mã đơn vị trong tệp không cùng một đơn vị cấp trên."))])
    return AdministrativeUnit.objects.get(pk=parents.pop())


def _custom_code(scope: AdministrativeUnit, short_name: str) -> str:
    limit = AdministrativeUnit._meta.get_field("code").max_length
    slug = re.sub(r"[^a-z0-9]+", "-", fold(short_name)).strip("-").upper()[:20] or "DV"
    base = f"{scope.code}-{slug}"[: limit - 4]
    code, n = base, 1
    while AdministrativeUnit.objects.filter(tree=Tree.CUSTOM, code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def import_commit(
    *,
    preview: Preview,
    user=None,
    file_name: str,
    file_sha256: str,
    data_as_of: datetime.datetime | None = None,
    source: str = "",
) -> ImportRevision:
    """Write a clean preview: create the confirmed new units, remember confirmed names, apply one revision."""
    if not preview.can_apply:
        issues = preview.errors or [Issue(_("Tệp không có số liệu nào để nhập."))]
        raise ImportRejected(issues)
    scope = preview.scope
    siblings = list(AdministrativeUnit.objects.filter(parent=scope)[:100])
    created: dict[str, int] = {}
    for row in preview.to_create:
        fields = new_unit_fields(text=row.unit_text, scope=scope, siblings=siblings)
        unit = AdministrativeUnit.objects.create(
            tree=Tree.CUSTOM,
            code=_custom_code(scope, fields["short_name"]),
            parent=scope,
            latitude=scope.latitude,
            longitude=scope.longitude,
            **fields,
        )
        created[row.unit_text] = unit.pk
    key_limit = UnitAlias._meta.get_field("match_key").max_length
    for row in preview.rows:
        res = row.resolution
        if res is None or res.unit is None or res.method not in (BY_TYPO, BY_CHOICE):
            continue
        # A confirmed name is remembered when it fits; a longer one is matched by choice again next time.
        if len(key := name_key(row.unit_text)) <= key_limit:
            UnitAlias.objects.get_or_create(unit=res.unit, match_key=key, defaults={"alias": row.unit_text[:200]})
    with cyclic_gc_paused():  # the month's 100k figures, built and written: see config.bulkwork
        return revision_apply(
            period=preview.period,
            scope=scope,
            values=preview.values(created),
            file_name=file_name[:255],
            file_sha256=file_sha256,
            data_as_of=data_as_of or timezone.now(),
            user=user,
            source=(source or _("Nhập từ tệp %(name)s") % {"name": file_name})[:300],
        )


def batch_create(
    *,
    data: bytes,
    file_name: str,
    period: Period,
    scope: AdministrativeUnit,
    data_as_of: datetime.datetime,
    user,
    sheet: str = "",
    table: Table | None = None,
    source: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportBatch:
    """Keep an upload for the steps that follow, its rows read once (`table`, when the caller has
    already staged them: the national portal's answer). Refuses oversize and unreadable files and
    scopes the user may not import for; nothing is kept then."""
    if len(data) > max_upload_bytes():
        raise ImportRejected(
            [
                Issue(
                    _("Tệp “%(name)s” vượt giới hạn %(limit)s MB.")
                    % {"name": file_name, "limit": round(max_upload_bytes() / 1048576, 1)}
                )
            ]
        )
    if not can_import(user=user, scope=scope):
        raise ImportRejected([Issue(_("Bạn không được phân công nhập số liệu cho %(scope)s.") % {"scope": scope.name})])
    if table is None:
        table = stage(data=data, file_name=file_name, sheet=sheet)
    return ImportBatch.objects.create(
        file_name=file_name[:255],
        file_data=data,
        file_sha256=file_hash(data),
        file_size=len(data),
        sheet=sheet,
        staged=table.staged(),
        source=source[:300],
        mapping=mapping or {},
        period=period,
        scope=scope,
        data_as_of=data_as_of,
        created_by=user,
    )


def batch_table(*, batch: ImportBatch) -> Table:
    """The batch's staged rows (a batch staged before staging existed is read from its file once more)."""
    if batch.staged:
        return Table.from_staged(batch.staged)
    return stage(data=bytes(batch.file_data), file_name=batch.file_name, sheet=batch.sheet or None)


def batch_preview(*, batch: ImportBatch, user) -> Preview:
    return import_preview(
        table=batch_table(batch=batch),
        period=batch.period,
        scope=batch.scope,
        user=user,
        mapping=batch.mapping or None,
        choices=batch.unit_choices,
        create_missing=False,
    )


def batch_update(*, batch: ImportBatch, mapping: dict | None = None, choices: dict | None = None) -> ImportBatch:
    if mapping is not None:
        batch.mapping = mapping
        batch.state = ImportBatch.State.MAPPED
    if choices is not None:
        batch.unit_choices = {**batch.unit_choices, **choices}
    batch.save(update_fields=["mapping", "unit_choices", "state", "updated_at"])
    return batch


class BatchAlreadyApplied(Exception):
    """Someone (or another click) applied the batch first; `batch.revision` is what it wrote."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        super().__init__(str(batch))


def latest_revision_number(*, period: Period, scope: AdministrativeUnit) -> int:
    """The number of the scope's latest revision of the month (0 when none): what a preview compares against."""
    return ImportRevision.objects.filter(period=period, scope=scope).aggregate(n=Max("number"))["n"] or 0


def import_apply(
    *, batch: ImportBatch, user, expected_revision: int | None = None, confirm_new_units: bool = False
) -> ImportRevision:
    """Re-validate the staged rows and write them as one revision, in one transaction with the batch locked.

    `expected_revision` is the revision the person's preview was compared with: if a colleague has
    written another since, nothing is written and the person is asked to look again. Concurrent
    clicks wait for the lock and find the batch applied (BatchAlreadyApplied). Units to be created
    need `confirm_new_units` from a leader or an administrator of the scope. Any failure leaves
    the batch "failed" with a Vietnamese message, and it can be applied again.
    """
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().select_related("period", "scope").get(pk=batch.pk)
            if locked.state == ImportBatch.State.APPLIED:
                raise BatchAlreadyApplied(locked)
            current = latest_revision_number(period=locked.period, scope=locked.scope)
            if expected_revision is not None and current != expected_revision:
                raise ImportRejected([Issue(_stale_message(locked, expected_revision))])
            preview = batch_preview(batch=locked, user=user)
            if preview.to_create and not preview.errors:  # the file's own errors are told first
                _check_new_units(preview, user=user, confirmed=confirm_new_units)
            revision = import_commit(
                preview=preview,
                user=user,
                file_name=locked.file_name,
                file_sha256=locked.file_sha256,
                data_as_of=locked.data_as_of,
                source=locked.source,
            )
            if locked.staged.get("portal_ids"):
                from .national import links_remember

                links_remember(portal_ids=locked.staged["portal_ids"], preview=preview, user=user)
            locked.state, locked.progress, locked.revision, locked.errors = ImportBatch.State.APPLIED, 100, revision, []
            locked.summary = {**preview.counts(), "revision": revision.number}
            locked.save(update_fields=["state", "progress", "revision", "errors", "summary", "updated_at"])
    except ImportRejected as exc:
        _batch_failed(batch, exc.issues)
        raise
    except DatabaseError as exc:
        # What the preview should have caught and did not: the database refused a value. Nothing was
        # written (the transaction rolled back); the batch says why and can be applied again.
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        issues = [
            Issue(
                _(
                    "Không ghi được số liệu (cơ sở dữ liệu từ chối: %(error)s); không có gì được ghi. Sửa tệp hoặc lựa chọn rồi bấm Ghi lại."
                )
                % {"error": detail}
            )
        ]
        _batch_failed(batch, issues)
        raise ImportRejected(issues) from exc
    batch.refresh_from_db()
    return revision


def can_create_units(*, user, scope: AdministrativeUnit) -> bool:
    """Leaders and administrators of the scope (and the operator on the command line) may add units."""
    return user is None or user_can(user, "create_unit", scope)


def _check_new_units(preview: Preview, *, user, confirmed: bool) -> None:
    names = "; ".join(r.unit_text for r in preview.to_create)
    if not can_create_units(user=user, scope=preview.scope):
        raise ImportRejected(
            [
                Issue(
                    _(
                        "Tệp sẽ tạo %(n)s đơn vị mới (%(names)s): chỉ lãnh đạo hoặc quản trị viên của %(scope)s được "
                        "xác nhận; không có gì được ghi. Chọn đơn vị có sẵn, hoặc nhờ lãnh đạo xác nhận và ghi."
                    )
                    % {"n": len(preview.to_create), "names": names, "scope": preview.scope.name}
                )
            ]
        )
    if not confirmed:
        raise ImportRejected(
            [
                Issue(
                    _("Tệp sẽ tạo %(n)s đơn vị mới (%(names)s): đánh dấu ô xác nhận tạo đơn vị rồi bấm Ghi.")
                    % {"n": len(preview.to_create), "names": names}
                )
            ]
        )


def _stale_message(batch: ImportBatch, expected: int) -> str:
    latest = (
        ImportRevision.objects.filter(period=batch.period, scope=batch.scope)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )
    who = latest.created_by.get_username() if latest and latest.created_by else _("người khác")
    return _(
        "Trong lúc bạn xem trước (so với lần nhập số %(expected)s), %(who)s đã ghi lần nhập số %(number)s "
        "lúc %(when)s; không có gì được ghi. Hãy xem lại bản xem trước rồi mới ghi."
    ) % {
        "expected": expected,
        "who": who,
        "number": latest.number if latest else 0,
        "when": timezone.localtime(latest.created_at).strftime("%H:%M %d/%m/%Y") if latest else "",
    }


def _batch_failed(batch: ImportBatch, issues: list[Issue]) -> None:
    ImportBatch.objects.filter(pk=batch.pk).exclude(state=ImportBatch.State.APPLIED).update(
        state=ImportBatch.State.FAILED,
        progress=100,
        errors=[i.as_dict() for i in issues[:500]],
        updated_at=timezone.now(),
    )
    batch.refresh_from_db()


APPLY_TASK = "imports.apply"


def import_apply_enqueue(*, batch: ImportBatch, user, expected_revision: int | None, confirm_new_units: bool) -> bool:
    """Have a worker apply the batch once this transaction commits; the batch waits as "applying" at 0 %.

    What the apply needs is kept on the batch (`summary.queued`), so that `imports_requeue_stale` can send
    the same job again when a broker outage held it. False when the batch was applied meanwhile.
    """
    queued = {
        "user": user.pk if user is not None else None,
        "expected": expected_revision,
        "confirm": confirm_new_units,
    }
    waiting = ImportBatch.objects.filter(pk=batch.pk).exclude(state=ImportBatch.State.APPLIED)
    if not waiting.update(
        state=ImportBatch.State.APPLYING, progress=0, summary={"queued": queued}, updated_at=timezone.now()
    ):
        return False
    enqueue(APPLY_TASK, args=_apply_args(batch.pk, queued))
    return True


def _apply_args(batch_id: int, queued: dict) -> list:
    return [batch_id, queued.get("user"), queued.get("expected"), bool(queued.get("confirm"))]


def imports_requeue_stale(*, older_than: datetime.timedelta | None = None) -> int:
    """Send again the background imports still waiting, not started (0 %), after `older_than`.

    Safe to repeat: the task returns at once for a batch already applied. Returns how many were sent.
    """
    stale = ImportBatch.objects.filter(
        state=ImportBatch.State.APPLYING, progress=0, updated_at__lte=stale_before(older_than)
    ).order_by("pk")
    return sum(
        send(APPLY_TASK, args=_apply_args(pk, (summary or {}).get("queued") or {}))
        for pk, summary in stale.values_list("pk", "summary")
    )


def preset_save(*, name: str, scope: AdministrativeUnit | None, mapping: dict[str, str], user) -> MappingPreset:
    """Save (or replace) a named mapping; headers are stored folded so next month's spelling still matches."""
    preset, _created = MappingPreset.objects.update_or_create(
        name=name.strip()[:100],
        scope=scope,
        defaults={"mapping": {preset_key(h): t for h, t in mapping.items()}, "created_by": user},
    )
    return preset


NO_DATA, NOT_YET, NO_LONGER = "no_data", "not_yet", "no_longer"


class MissingUnitRefused(Exception):
    """A choice about a unit the file does not mention that cannot be recorded; the message says why."""


def can_correct_units(*, user, scope: AdministrativeUnit) -> bool:
    """Leaders and administrators of the scope may say a unit had no data, or did not exist then."""
    return user_can(user, "correct_units", scope)


def missing_unit_record(*, batch: ImportBatch, unit_id: int, choice: str, user) -> str:
    """Record what a leader says about a unit of the scope that the batch's file does not mention:
    `NO_DATA` ("không có số liệu tháng này", a `UnitAbsence`, audited; it stays a peer without a
    total), `NOT_YET` or `NO_LONGER` (it did not exist in the month: its validity dates are corrected
    through the unit service, audited, and its group's rankings queued again). Returns the message
    to show; raises MissingUnitRefused with the reason, writing nothing."""
    from units.services import ValidityRefused, unit_validity_correct

    if not can_correct_units(user=user, scope=batch.scope):
        raise MissingUnitRefused(
            _("Chỉ lãnh đạo hoặc quản trị viên của %(scope)s được ghi nhận đơn vị không có trong tệp.")
            % {"scope": batch.scope.name}
        )
    preview = batch_preview(batch=batch, user=user)
    unit = next((u for u in preview.missing if u.pk == unit_id), None)
    if unit is None:
        raise MissingUnitRefused(_("Đơn vị này không nằm trong danh sách đơn vị tệp không có."))
    period = batch.period
    if choice == NO_DATA:
        with transaction.atomic():
            _absence, created = UnitAbsence.objects.get_or_create(
                unit=unit, period=period, defaults={"recorded_by": user}
            )
            if created:
                audit_record(
                    user=user,
                    action="unit_absence",
                    summary=_("%(unit)s không có số liệu tháng %(period)s (ghi nhận khi nhập tệp %(file)s).")
                    % {"unit": unit.name, "period": period, "file": batch.file_name},
                    unit=unit,
                    period=period,
                )
        return _("Đã ghi nhận: %(unit)s không có số liệu tháng %(period)s.") % {"unit": unit.name, "period": period}
    if choice == NOT_YET:
        valid_from, valid_to = period.last_day + datetime.timedelta(days=1), unit.valid_to
        summary = _("%(unit)s chưa tồn tại trong tháng %(period)s: hiệu lực từ %(day)s.")
        day = valid_from
    elif choice == NO_LONGER:
        valid_from, valid_to = unit.valid_from, period.first_day - datetime.timedelta(days=1)
        summary = _("%(unit)s không còn tồn tại trong tháng %(period)s: hiệu lực đến %(day)s.")
        day = valid_to
    else:
        raise MissingUnitRefused(_("Chưa chọn cách ghi nhận."))
    text = summary % {"unit": unit.name, "period": period, "day": f"{day:%d/%m/%Y}"}
    try:
        unit_validity_correct(unit=unit, valid_from=valid_from, valid_to=valid_to, user=user, reason=text)
    except ValidityRefused as exc:
        raise MissingUnitRefused(str(exc)) from exc
    return _("Đã sửa thời gian hiệu lực: %(text)s") % {"text": text}
