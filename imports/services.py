"""Writes of the import flow: upload a batch, preview it, apply it in one transaction, save presets.

The command line (`import_scores`) and the web flow call the same `import_preview` and
`import_commit`; nothing is written until the preview has no errors.
"""

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.bulkwork import cyclic_gc_paused
from indicators.models import ImportRevision, Period
from indicators.selectors import framework_for
from indicators.services import file_hash, indicators_by_code, revision_apply
from units.models import AdministrativeUnit, Tree, UnitAlias
from units.text import fold, name_key

from .mapping import preset_key
from .models import ImportBatch, MappingPreset
from .parsing import SpreadsheetError, max_upload_bytes, read_table
from .resolve import BY_CHOICE, BY_TYPO, new_unit_fields
from .selectors import can_import
from .validate import Issue, Preview, validate


class ImportRejected(Exception):
    """The file cannot be imported; `issues` says where and why (nothing was written)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues[:20]))


def import_preview(
    *,
    data: bytes,
    file_name: str,
    period: Period,
    scope: AdministrativeUnit,
    user=None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    choices: dict | None = None,
    create_missing: bool = False,
) -> Preview:
    """Parse, map, resolve and validate a file; writes nothing. Raises ImportRejected if it is no spreadsheet.

    `user=None` is the operator on the command line, who may import for any scope.
    """
    with cyclic_gc_paused():  # a national month is 100k parsed cells: see config.bulkwork
        try:
            table = read_table(data, file_name, sheet=sheet or None)
        except SpreadsheetError as exc:
            raise ImportRejected([Issue(str(exc))]) from None
        indicators = indicators_by_code(framework=framework_for(day=period.last_day))
        allowed = user is None or can_import(user=user, scope=scope)
        return validate(
            table=table,
            period=period,
            scope=scope,
            indicators=indicators,
            mapping=mapping,
            choices=choices,
            create_missing=create_missing,
            allowed=allowed,
        )


def scope_from_codes(*, data: bytes, file_name: str, period: Period, sheet: str | None = None) -> AdministrativeUnit:
    """The scope a file's unit codes imply (their common parent), for a command line without --scope.

    Raises ImportRejected with a Vietnamese message when the codes do not name one parent.
    """
    from .mapping import UNIT_CODE, suggest

    need = _("Cần --scope: đơn vị cấp trên của các đơn vị trong tệp (ví dụ --scope “Huyện Tiên Lữ”).")
    try:
        table = read_table(data, file_name, sheet=sheet)
    except SpreadsheetError as exc:
        raise ImportRejected([Issue(str(exc))]) from None
    indicators = indicators_by_code(framework=framework_for(day=period.last_day))
    column = next((i for i, h in enumerate(table.headers) if h and suggest(h, [], indicators) == UNIT_CODE), None)
    if column is None:
        raise ImportRejected([Issue(need + " " + _("Tệp không có cột mã đơn vị để tự xác định."))])
    codes = {str(c).strip().removesuffix(".0") for c in table.column(column) if c not in (None, "")}
    parents = set(
        AdministrativeUnit.objects.filter(code__in=codes)
        .valid_in_month(period.first_day, period.last_day)
        .values_list("parent_id", flat=True)
    )
    if len(parents) != 1 or None in parents:
        raise ImportRejected([Issue(need + " " + _("Các mã đơn vị trong tệp không cùng một đơn vị cấp trên."))])
    return AdministrativeUnit.objects.get(pk=parents.pop())


def _custom_code(scope: AdministrativeUnit, short_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(short_name)).strip("-").upper()[:20] or "DV"
    base = f"{scope.code}-{slug}"
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
    for row in preview.rows:
        res = row.resolution
        if res is not None and res.unit is not None and res.method in (BY_TYPO, BY_CHOICE):
            UnitAlias.objects.get_or_create(
                unit=res.unit, match_key=name_key(row.unit_text), defaults={"alias": row.unit_text[:200]}
            )
    return revision_apply(
        period=preview.period,
        scope=scope,
        values=preview.values(created),
        file_name=file_name[:255],
        file_sha256=file_sha256,
        data_as_of=data_as_of or timezone.now(),
        user=user,
        source=(_("Nhập từ tệp %(name)s") % {"name": file_name})[:300],
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
) -> ImportBatch:
    """Keep an uploaded file for the steps that follow; refuses oversize files and scopes the user may not import for."""
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
    return ImportBatch.objects.create(
        file_name=file_name[:255],
        file_data=data,
        file_sha256=file_hash(data),
        file_size=len(data),
        sheet=sheet,
        period=period,
        scope=scope,
        data_as_of=data_as_of,
        created_by=user,
    )


def batch_preview(*, batch: ImportBatch, user) -> Preview:
    return import_preview(
        data=bytes(batch.file_data),
        file_name=batch.file_name,
        period=batch.period,
        scope=batch.scope,
        user=user,
        mapping=batch.mapping or None,
        sheet=batch.sheet or None,
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


def import_apply(*, batch: ImportBatch, user) -> ImportRevision:
    """Re-check the batch as it stands and write it as one revision; records the outcome on the batch."""
    batch.state, batch.progress = ImportBatch.State.APPLYING, 10
    batch.save(update_fields=["state", "progress", "updated_at"])
    try:
        preview = batch_preview(batch=batch, user=user)
        batch.progress = 50
        batch.save(update_fields=["progress", "updated_at"])
        revision = import_commit(
            preview=preview,
            user=user,
            file_name=batch.file_name,
            file_sha256=batch.file_sha256,
            data_as_of=batch.data_as_of,
        )
    except ImportRejected as exc:
        batch.state, batch.progress = ImportBatch.State.FAILED, 100
        batch.errors = [i.as_dict() for i in exc.issues[:500]]
        batch.save(update_fields=["state", "progress", "errors", "updated_at"])
        raise
    batch.state, batch.progress, batch.revision, batch.errors = ImportBatch.State.APPLIED, 100, revision, []
    batch.summary = {**preview.counts(), "revision": revision.number}
    batch.save(update_fields=["state", "progress", "revision", "errors", "summary", "updated_at"])
    return revision


def preset_save(*, name: str, scope: AdministrativeUnit | None, mapping: dict[str, str], user) -> MappingPreset:
    """Save (or replace) a named mapping; headers are stored folded so next month's spelling still matches."""
    preset, _created = MappingPreset.objects.update_or_create(
        name=name.strip()[:100],
        scope=scope,
        defaults={"mapping": {preset_key(h): t for h, t in mapping.items()}, "created_by": user},
    )
    return preset
