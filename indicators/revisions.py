"""Revisions of a month's figures: compare two of them, and revert the month to an earlier one.

Reverting is a new revision that copies the old one's figures, so history only ever grows and
the revert itself can be compared and undone like any import.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record
from units.collation import name_key

from .models import MEASURES, CurrentRevision, ImportRevision, Indicator, ScoreRecord
from .services import Value, revision_apply


@dataclass(frozen=True)
class FigureDiff:
    """One figure that differs between two revisions (None on a side where it is absent)."""

    unit_id: int
    unit_name: str
    indicator: Indicator
    before: dict | None
    after: dict | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def _figures(revision: ImportRevision) -> dict[tuple[int, int], dict]:
    return {
        (r["unit_id"], r["indicator_id"]): r
        for r in ScoreRecord.objects.filter(revision=revision).values(
            "unit_id", "unit__name", "indicator_id", *MEASURES
        )
    }


def revision_compare(*, old: ImportRevision, new: ImportRevision) -> list[FigureDiff]:
    """Every figure added, removed or changed from `old` to `new`, by unit name then indicator order."""
    a, b = _figures(old), _figures(new)
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={k[1] for k in a | b})}
    diffs = []
    for key in a.keys() | b.keys():
        before, after = a.get(key), b.get(key)
        if before and after and all(before[m] == after[m] for m in MEASURES):
            continue
        clean = lambda r: {m: r[m] for m in MEASURES} if r else None  # noqa: E731
        name = (after or before)["unit__name"]
        diffs.append(FigureDiff(key[0], name, indicators[key[1]], clean(before), clean(after)))
    return sorted(diffs, key=lambda d: (name_key(d.unit_name), d.indicator.order))


@transaction.atomic
def revision_revert(*, revision: ImportRevision, user=None) -> ImportRevision:
    """Make `revision`'s figures current again, as a new revision of the same month and scope."""
    records = list(ScoreRecord.objects.filter(revision=revision))
    values = [
        Value(unit_id=r.unit_id, indicator_id=r.indicator_id, **{m: getattr(r, m) for m in MEASURES}) for r in records
    ]
    later = list(
        ImportRevision.objects.filter(period=revision.period, scope=revision.scope, number__gt=revision.number)
    )
    new = revision_apply(
        period=revision.period,
        scope=revision.scope,
        values=values,
        file_name=revision.file_name,
        file_sha256=revision.file_sha256,
        data_as_of=revision.data_as_of,
        user=user,
        source=f"Hoàn tác về lần nhập số {revision.number} ({timezone.localtime():%H:%M %d/%m/%Y})",
        is_demo=revision.is_demo,
        audit_action=None,  # recorded below as a revert, not an import
    )
    audit_record(
        user=user,
        action="revert",
        unit=revision.scope,
        period=revision.period,
        summary=f"Hoàn tác tháng {revision.period} của {revision.scope} về lần nhập số {revision.number}",
        before={"revisions": [r.number for r in later]},
        after={"revision": new.number},
    )
    new.reverted_to = revision
    new.save(update_fields=["reverted_to"])
    # Units that only later revisions brought have no figures in the revision reverted to.
    kept_units = {r.unit_id for r in records}
    CurrentRevision.objects.filter(revision__in=later).exclude(unit_id__in=kept_units).delete()
    ImportRevision.objects.filter(pk__in=[r.pk for r in later]).update(state=ImportRevision.State.REVERTED)
    return new
