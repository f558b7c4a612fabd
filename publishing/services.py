"""Writes of publication: a leader publishes, republishes or withdraws a month for a scope.

Publishing takes a snapshot: for every unit of the scope's subtree with figures in the month, the
revision those figures came from. The public copy of the figures (`PublicScore`) is rebuilt from
the snapshots of the publications that cover each unit (the latest one wins), and the public
rankings are computed from that copy, in the same transaction: a reader sees the month as it was
published before or as it is published now, never a mix, and never a figure no leader published.
Later imports and reverts change only the working figures; they are pending until a leader
republishes (`pending_change`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from indicators.formatting import format_number
from indicators.models import MEASURES, ImportRevision, IndicatorKind, Period, Score, ScoreRecord
from rankings.models import RankingResult
from rankings.services import rankings_compute, spans_affected_by, unit_places
from units.collation import by_name, name_key
from units.models import AdministrativeUnit
from units.selectors import subtree_ids

from .models import Publication, PublicationEvent, PublicScore, PublishedUnit


class NothingToPublish(ValueError):
    """The month has no figures for the scope; the message says so in Vietnamese."""


@transaction.atomic
def publication_publish(*, period: Period, scope: AdministrativeUnit, user=None) -> Publication:
    """Make the month's current figures of `scope` and its subtree public (again, after a correction:
    version + 1), with the rankings computed from them; records what changed for the corrections log."""
    publication, _created = Publication.objects.select_for_update().get_or_create(period=period, scope=scope)
    unit_ids = subtree_ids(scope)
    snapshot = dict(
        Score.objects.filter(period=period, unit_id__in=unit_ids).values_list("unit_id", "revision_id").distinct()
    )
    if not snapshot:
        raise NothingToPublish(
            _("Tháng %(period)s chưa có số liệu của %(scope)s hoặc đơn vị trực thuộc; chưa có gì để công bố.")
            % {"period": period, "scope": scope.name}
        )
    before = public_view(period=period, unit_ids=unit_ids)
    action = PublicationEvent.Action.REPUBLISH if publication.version else PublicationEvent.Action.PUBLISH
    PublishedUnit.objects.filter(publication=publication).delete()
    PublishedUnit.objects.bulk_create(
        [PublishedUnit(publication=publication, unit_id=u, revision_id=r) for u, r in snapshot.items()],
        batch_size=5000,
    )
    now = timezone.now()
    publication.is_published = True
    publication.first_published_at = publication.first_published_at or now
    publication.published_at = now
    publication.published_by = user if user is not None and user.is_authenticated else None
    publication.version += 1
    publication.unpublish_reason = ""
    publication.save()
    _public_refresh(period=period, unit_ids=unit_ids)
    changes = view_changes(before, public_view(period=period, unit_ids=unit_ids))
    revisions = _revisions_summary(set(snapshot.values()))
    PublicationEvent.objects.create(
        publication=publication,
        action=action,
        version=publication.version,
        by=publication.published_by,
        revisions=revisions,
        changes=changes,
    )
    audit_record(
        user=user,
        action="publish",
        unit=scope,
        period=period,
        summary=_(
            "%(what)s kết quả tháng %(period)s của %(scope)s (lần %(version)s): %(units)s đơn vị, %(changes)s thay đổi"
        )
        % {
            "what": action.label,
            "period": period,
            "scope": scope.name,
            "version": publication.version,
            "units": len(snapshot),
            "changes": len(changes),
        },
        before={"version": publication.version - 1},
        after={"version": publication.version, "revisions": [r["id"] for r in revisions]},
    )
    return publication


@transaction.atomic
def publication_unpublish(*, period: Period, scope: AdministrativeUnit, user, reason: str) -> Publication:
    """Withdraw a month's results for `scope` from the public; the reason is required and recorded.

    Units that a wider publication still covers keep its figures; the others leave the public record.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError(_("Cần ghi lý do gỡ công bố."))
    publication = Publication.objects.select_for_update().get(period=period, scope=scope, is_published=True)
    unit_ids = subtree_ids(scope)
    before = public_view(period=period, unit_ids=unit_ids)
    publication.is_published = False
    publication.unpublish_reason = reason
    publication.save()
    _public_refresh(period=period, unit_ids=unit_ids)
    changes = view_changes(before, public_view(period=period, unit_ids=unit_ids))
    PublicationEvent.objects.create(
        publication=publication,
        action=PublicationEvent.Action.UNPUBLISH,
        version=publication.version,
        by=user if user is not None and user.is_authenticated else None,
        reason=reason,
        changes=changes,
    )
    audit_record(
        user=user,
        action="unpublish",
        unit=scope,
        period=period,
        summary=_("Gỡ công bố kết quả tháng %(period)s của %(scope)s: %(reason)s")
        % {"period": period, "scope": scope.name, "reason": reason},
        before={"version": publication.version, "is_published": True},
        after={"is_published": False},
    )
    return publication


def _public_refresh(*, period: Period, unit_ids: list[int]) -> None:
    """Rebuild the public figures of the units, then the public rankings that read them."""
    places = unit_places()  # read once for the figures and every ranking they change
    _rebuild_public_scores(period=period, unit_ids=unit_ids, places=places.place)
    for span in spans_affected_by(period=period, public=True):
        rankings_compute(period_key=span.key, public=True, places=places)


def _rebuild_public_scores(*, period: Period, unit_ids: list[int], places: dict) -> None:
    """Each unit's public figures: those of the latest active publication covering it (the unit's own
    or an ancestor's) whose snapshot holds the unit; none when no such publication exists."""
    PublicScore.objects.filter(period=period, unit_id__in=unit_ids).delete()
    active = list(Publication.objects.filter(period=period, is_published=True).order_by("-published_at", "-pk"))
    if not active:
        return
    held: dict[int, dict[int, int]] = defaultdict(dict)  # unit → publication → revision
    for publication_id, unit_id, revision_id in PublishedUnit.objects.filter(
        publication__in=active, unit_id__in=unit_ids
    ).values_list("publication_id", "unit_id", "revision_id"):
        held[unit_id][publication_id] = revision_id
    chosen: dict[tuple[int, int], list[int]] = defaultdict(list)  # (publication, revision) → units
    for unit_id, by_publication in held.items():
        covering = _with_ancestors(unit_id, places)
        for publication in active:
            if publication.scope_id in covering and publication.pk in by_publication:
                chosen[(publication.pk, by_publication[publication.pk])].append(unit_id)
                break
    table = connection.ops.quote_name(PublicScore._meta.db_table)
    records = connection.ops.quote_name(ScoreRecord._meta.db_table)
    columns = ", ".join(MEASURES)
    with connection.cursor() as cursor:
        for (publication_id, revision_id), units in chosen.items():
            for start in range(0, len(units), 2000):
                chunk = units[start : start + 2000]
                cursor.execute(
                    f"INSERT INTO {table} (unit_id, period_id, indicator_id, revision_id, publication_id, {columns}) "
                    f"SELECT unit_id, %s, indicator_id, revision_id, %s, {columns} FROM {records} "
                    f"WHERE revision_id = %s AND unit_id IN ({', '.join(['%s'] * len(chunk))})",
                    [period.pk, publication_id, revision_id, *chunk],
                )


def _with_ancestors(unit_id: int, places: dict) -> set[int]:
    chain, current = set(), unit_id
    while current is not None and current not in chain:
        chain.add(current)
        current = places[current][1] if current in places else None
    return chain


def _revisions_summary(revision_ids: set[int]) -> list[dict]:
    rows = (
        ImportRevision.objects.filter(pk__in=revision_ids)
        .select_related("scope")
        .order_by(by_name("scope__name"), "number")
    )
    return [
        {
            "id": r.pk,
            "scope": r.scope.name,
            "number": r.number,
            "data_as_of": r.data_as_of.isoformat(),
            "file_name": r.file_name,
            "source": r.source,
            "is_demo": r.is_demo,
        }
        for r in rows
    ]


# --- what the public sees of some units, and how two such views differ ---------------------------------


@dataclass
class UnitView:
    """One unit's public state in a month: total, group points, its peer rank."""

    name: str
    total: Decimal | None = None
    groups: dict[str, Decimal | None] = field(default_factory=dict)
    rank: str = ""


def public_view(*, period: Period, unit_ids: list[int]) -> dict[int, UnitView]:
    """The public figures and ranks of the units in the month (those with any)."""
    views: dict[int, UnitView] = {}
    names = dict(AdministrativeUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    for unit_id, kind, code, points in PublicScore.objects.filter(
        period=period, unit_id__in=unit_ids, indicator__kind__in=[IndicatorKind.TOTAL, IndicatorKind.GROUP]
    ).values_list("unit_id", "indicator__kind", "indicator__code", "points"):
        view = views.setdefault(unit_id, UnitView(name=names.get(unit_id, "")))
        if kind == IndicatorKind.TOTAL:
            view.total = points
        else:
            view.groups[code] = points
    for unit_id, rank, rank_of in RankingResult.objects.filter(
        public=True,
        period_key=period.key,
        scope=RankingResult.Scope.PEER,
        unit_id__in=list(views),
        rank__isnull=False,
    ).values_list("unit_id", "rank", "rank_of"):
        views[unit_id].rank = f"{rank}/{rank_of}"
    return views


def view_changes(before: dict[int, UnitView], after: dict[int, UnitView]) -> list[dict]:
    """Every unit whose public total, groups or rank differ between two views (JSON-ready)."""
    changes = []
    # In Vietnamese order of the units' names, as every list the public and staff read.
    for unit_id in sorted(before.keys() | after.keys(), key=lambda uid: name_key((after.get(uid) or before[uid]).name)):
        old, new = before.get(unit_id), after.get(unit_id)
        name = (new or old).name
        fields = []
        if (old and old.total) != (new and new.total):
            fields.append(("total", old and old.total, new and new.total))
        for code in sorted((old.groups if old else {}).keys() | (new.groups if new else {}).keys()):
            a, b = (old.groups.get(code) if old else None), (new.groups.get(code) if new else None)
            if a != b:
                fields.append((code, a, b))
        if (old.rank if old else "") != (new.rank if new else ""):
            fields.append(("rank", old.rank if old else "", new.rank if new else ""))
        for what, a, b in fields:
            changes.append(
                {
                    "unit_id": unit_id,
                    "unit": name,
                    "field": what,
                    "before": None if a in (None, "") else str(a),
                    "after": None if b in (None, "") else str(b),
                }
            )
    return changes


# --- pending changes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """How the working figures of a published scope differ from its snapshot."""

    units_changed: int
    units_added: int
    units_removed: int
    latest_import: datetime.datetime | None

    def __bool__(self) -> bool:
        return bool(self.units_changed or self.units_added or self.units_removed)


def pending_change(*, publication: Publication) -> Pending:
    """Whether imports or reverts since the publication changed the scope's figures (they wait for a
    leader to republish); nothing is pending for a month that is not published."""
    return pending_changes(publications=[publication])[publication.pk]


def pending_changes(*, publications: list[Publication]) -> dict[int, Pending]:
    """`pending_change` for many publications at once: a few queries, whatever their number (the desk)."""
    none = Pending(0, 0, 0, None)
    active = [p for p in publications if p.is_published]
    result = {p.pk: none for p in publications}
    if not active:
        return result
    subtrees: dict[int, set[int]] = {}
    for scope_id in {p.scope_id for p in active}:
        subtrees[scope_id] = set(subtree_ids(AdministrativeUnit(pk=scope_id)))
    all_units = set().union(*subtrees.values())
    current: dict[int, dict[int, int]] = defaultdict(dict)  # period → unit → revision
    for period_id, unit_id, revision_id in (
        Score.objects.filter(period_id__in={p.period_id for p in active}, unit_id__in=all_units)
        .values_list("period_id", "unit_id", "revision_id")
        .distinct()
    ):
        current[period_id][unit_id] = revision_id
    published: dict[int, dict[int, int]] = defaultdict(dict)
    for publication_id, unit_id, revision_id in PublishedUnit.objects.filter(publication__in=active).values_list(
        "publication_id", "unit_id", "revision_id"
    ):
        published[publication_id][unit_id] = revision_id
    revision_times = dict(
        ImportRevision.objects.filter(period_id__in={p.period_id for p in active}).values_list("pk", "created_at")
    )
    for p in active:
        units = subtrees[p.scope_id]
        now = {u: r for u, r in current[p.period_id].items() if u in units}
        then = published[p.pk]
        changed = sum(1 for u, r in now.items() if u in then and then[u] != r)
        latest = max((revision_times[r] for r in now.values() if r in revision_times), default=None)
        result[p.pk] = Pending(changed, len(now.keys() - then.keys()), len(then.keys() - now.keys()), latest)
    return result


def pending_change_note(*, revision: ImportRevision, user=None) -> bool:
    """After a revision is applied: if a publication already covers the month for the revision's scope,
    record in the audit trail that the public keeps the published figures until a leader republishes."""
    from indicators.selectors import unit_ancestor_ids

    covering = (
        Publication.objects.filter(
            period=revision.period, is_published=True, scope_id__in=unit_ancestor_ids(revision.scope)
        )
        .select_related("scope")
        .first()
    )
    if covering is None:
        return False
    audit_record(
        user=user,
        action="pending_change",
        unit=revision.scope,
        period=revision.period,
        summary=_(
            "Thay đổi chưa công bố: %(revision)s sửa số liệu tháng %(period)s đã công bố cho %(scope)s; "
            "người dân vẫn thấy bản đã công bố cho đến khi lãnh đạo công bố lại."
        )
        % {"revision": revision, "period": revision.period, "scope": covering.scope.name},
        after={"revision": revision.pk, "publication": covering.pk, "version": covering.version},
    )
    return True


# --- the leader's review: the month exactly as it will appear, before anything is published -----------


@dataclass
class Review:
    """What publishing would make public, computed by publishing inside a savepoint that is rolled back."""

    publication: Publication | None  # as it stands now (None: never published)
    own: RankingResult | None  # the scope's own result as it will appear
    levels: dict[str, list[RankingResult]]  # the scope's units by level, as they will appear
    changes: list[dict]  # what differs from the public record now
    revisions: list[dict]
    data_as_of: datetime.datetime | None
    is_demo: bool
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def publication_review(*, period: Period, scope: AdministrativeUnit, user=None) -> Review:
    """The month as it will appear once published, and how it differs from what is public now.

    It runs the real publication (snapshot, public figures, public rankings) in a savepoint and rolls
    it back, so the preview cannot drift from what the button does.
    """
    current = Publication.objects.filter(period=period, scope=scope).first()
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            publication = publication_publish(period=period, scope=scope, user=user)
        except NothingToPublish as exc:
            transaction.savepoint_rollback(savepoint)
            return Review(current, None, {}, [], [], None, False, error=str(exc))
        event = publication.events.order_by("-pk").first()
        results = list(
            RankingResult.objects.filter(public=True, period_key=period.key, scope=RankingResult.Scope.PEER)
            .filter(Q(parent=scope) | Q(unit=scope))
            .select_related("unit", "band")
        )
        from publishing.selectors import public_data_as_of  # the gate reads what the savepoint holds

        as_of, is_demo = public_data_as_of(unit_ids=subtree_ids(scope), months=[(period.year, period.month)])
        transaction.savepoint_rollback(savepoint)
    own = next((r for r in results if r.unit_id == scope.pk), None)
    levels: dict[str, list[RankingResult]] = defaultdict(list)
    for r in sorted(results, key=lambda r: (r.rank is None, r.rank or 0, name_key(r.unit.name))):
        if r.unit_id != scope.pk:
            levels[r.level].append(r)
    review = Review(current, own, dict(levels), event.changes, event.revisions, as_of, is_demo)
    review.warnings = _review_warnings(scope=scope, review=review)
    return review


def _review_warnings(*, scope: AdministrativeUnit, review: Review) -> list[str]:
    warnings = []
    if review.own is None or review.own.total is None:
        warnings.append(
            _(
                "Tệp chưa có số liệu của chính %(scope)s (chỉ có các đơn vị trực thuộc): trang của %(scope)s "
                "sẽ không có điểm tổng hợp của tháng này."
            )
            % {"scope": scope.name}
        )
    for rows in review.levels.values():
        ranked = rows[0] if rows else None
        if ranked and ranked.ranked_count < ranked.peer_count:
            warnings.append(
                _(
                    "Mới có số liệu của %(ranked)s trong %(peers)s đơn vị: hạng tính từ số liệu sẽ ghi rõ “trong "
                    "%(ranked)s đơn vị có số liệu”; công văn không in hạng tính được."
                )
                % {"ranked": ranked.ranked_count, "peers": ranked.peer_count}
            )
        for r in rows:
            computed = (r.details or {}).get("computed_rank")
            if computed:
                warnings.append(
                    _("%(unit)s: hạng theo công bố là %(rank)s/%(of)s, tính từ số liệu là %(c)s/%(c_of)s.")
                    % {"unit": r.unit.name, "rank": r.rank, "of": r.rank_of, "c": computed[0], "c_of": computed[1]}
                )
            computed_change = (r.details or {}).get("computed_change")
            if computed_change is not None:
                warnings.append(
                    _(
                        "%(unit)s: thay đổi theo công bố là %(published)s điểm, tính từ tháng trước là %(computed)s điểm."
                    )
                    % {
                        "unit": r.unit.name,
                        "published": format_number(r.total_change, signed=True),
                        "computed": format_number(Decimal(computed_change), signed=True),
                    }
                )
    if review.is_demo:
        warnings.append(_("Có dữ liệu minh họa trong số liệu sẽ công bố."))
    return warnings
