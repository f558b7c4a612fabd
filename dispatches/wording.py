"""The words of a dispatch written from its data snapshot, in the register of the published dispatches."""

import datetime
from decimal import Decimal

from indicators.formatting import column_decimals, format_number
from indicators.models import IndicatorRole
from rankings.ranks import two_digits
from units.collation import name_key
from units.models import Level

from .snapshot import PAKN_ROLES, CountRow, DispatchData, Figure, Line, UpstreamRef

PORTAL_ADDRESS = "https://quantri.dichvucong.gov.vn/"
DECISION_766 = (
    "Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ về phê duyệt Bộ chỉ số chỉ đạo, "
    "điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính (TTHC), "
    "dịch vụ công theo thời gian thực trên môi trường điện tử;"
)
# Below these a subordinate unit is named in the requirements (the references name communes at 82,71% and 92,54%
# progress while the others stand at 99–100%); with none below, the two lowest totals are named.
LOW_TOTAL = Decimal("80")
LOW_PROGRESS_RATE = Decimal("95")
WEAK_GROUP_RATIO = Decimal("0.9")


def D(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def date_text(day: datetime.date) -> str:
    """ "05/9/2024": the day in two digits, the month as is, as the dispatches date their bases."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def rank_words(data: DispatchData) -> str:
    """The rank clause of the results ("xếp hạng thứ 13/30 huyện/thị xã/thành phố"), or "" when none is quoted.

    The one place the rank sentence is written. Which rank may be quoted is the rank rule's
    (rankings.ranks.is_complete, applied when the snapshot is built): the snapshot holds no rank of an
    incomplete group or of a group of one ("01/01"), so the sentence is left out.
    """
    if data.rank is None:
        return ""
    return f"xếp hạng thứ {two_digits(data.rank.rank, data.rank.of)} {data.peer_word}"


def as_of_text(moment: datetime.datetime | None) -> str:
    """ "12h00 ngày 05/9/2024" from the snapshot's data-as-of time (portal time zone)."""
    if not moment:
        return ""
    from django.utils import timezone

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.hour}h{moment.minute:02d} ngày {moment.day:02d}/{moment.month}/{moment.year}"


def change_words(change, unit: str = " điểm") -> str:
    """ "tăng 0,31 điểm", "giảm 0,2 điểm", "bằng điểm"."""
    value = D(change)
    if value is None:
        return ""
    if value == 0:
        return "bằng điểm" if unit.strip() == "điểm" else "không đổi"
    word = "tăng" if value > 0 else "giảm"
    return f"{word} {format_number(abs(value))}{unit}"


def unit_words(data: DispatchData) -> dict:
    kind = data.unit.kind.lower()
    return {
        "kind": kind,  # "huyện"
        "named": f"{kind} {data.unit.short_name}",  # "huyện Tiên Lữ"
        "ubnd": f"UBND {kind}",  # "UBND huyện"
        "subs": data.subordinate_word,  # "xã, thị trấn"
    }


def default_subject(data: DispatchData) -> str:
    return (
        "Công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, "
        f"cung cấp dịch vụ công tháng {data.period.text}"
    )


def default_recipients(data: DispatchData) -> str:
    """Who a dispatch is sent to, by the issuing unit's level: a province's departments are "sở, ban, ngành",
    a district's "phòng, ban, ngành", and a commune, which has no subordinate units, writes to its own staff."""
    w = unit_words(data)
    if data.unit.level == Level.PROVINCE:
        return f"Các sở, ban, ngành thuộc UBND {w['kind']};\nUBND các {w['subs']}."
    if data.unit.level == Level.COMMUNE:
        return f"Các công chức chuyên môn thuộc {w['ubnd']};\nBộ phận Một cửa {w['ubnd']}."
    if data.unit.level == Level.DEPARTMENT:
        return f"Các phòng, đơn vị thuộc {data.unit.name}."
    return f"Các phòng, ban, ngành thuộc {w['ubnd']};\nUBND các {w['subs']}."


def upstream_basis(ref: UpstreamRef) -> str:
    """ "Căn cứ Công văn số 303/VPUB-PVHCC&KSTT ngày 05/9/2024 của Văn phòng UBND tỉnh Hưng Yên về việc …;" """
    subject = ref.subject.strip().rstrip(".;")
    return f"Căn cứ {ref.kind} số {ref.number} ngày {date_text(ref.date)} của {ref.issuer} về việc {subject};"


def default_legal_bases(data: DispatchData, profile_bases: str) -> str:
    """The profile's fixed bases (Decision 766 when none), then the month's upstream documents."""
    lines = [line for line in (profile_bases or DECISION_766).splitlines() if line.strip()]
    lines += [upstream_basis(ref) for ref in data.upstream if upstream_basis(ref) not in lines]
    return "\n".join(lines)


def value_text(line: Line) -> str:
    """A criterion's figure as the dispatches print it: "95,93%", "3 hồ sơ, đạt 0,08%", "30.204 bản"."""
    figure = line.figure
    parts = []
    if figure.count is not None:
        parts.append(f"{format_number(figure.count)} {line.count_unit}".strip())
    if figure.rate is not None:
        parts.append(f"đạt {format_number(figure.rate)}%" if parts else f"{format_number(figure.rate)}%")
    if figure.points is not None and not parts:
        parts.append(f"{format_number(figure.points)} điểm")
    return ", ".join(parts)


def appendix_value_text(line: Line) -> str:
    """The appendix form of a criterion's figure (Hà Nội's Phụ lục 1): "1.029.961 hồ sơ (35,01%)", "242.300 (70,87%)"."""
    figure = line.figure
    if figure.count is not None and figure.rate is not None:
        count = f"{format_number(figure.count)} {line.count_unit}".strip()
        return f"{count} ({format_number(figure.rate)}%)"
    return value_text(line)


def group_text(group: Line, decimals: int | None = None) -> str:
    """ "9,6/10 điểm; đạt tỷ lệ 82,41%"; `decimals` fixes the points' precision (a column of the appendix)."""
    points, rate = group.figure.points, group.figure.rate
    parts = []
    if points is not None:
        parts.append(f"{format_number(points, decimals)}/{format_number(group.max_points)} điểm")
    if rate is not None:
        parts.append(f"đạt tỷ lệ {format_number(rate)}%")
    return "; ".join(parts)


def _total_sentence(data: DispatchData, number: int) -> str:
    w = unit_words(data)
    total = data.total
    sentence = f"{number}. Tổng hợp các nhóm chỉ số của {w['named']} đạt {format_number(total.points)}/100 điểm"
    if data.total_change is not None:
        sentence += f" ({change_words(data.total_change)} so với tháng {data.previous_period.text})"
    elif total.change_text:
        change = total.change_text[:1].lower() + total.change_text[1:]
        sentence += f" ({change} so với tháng {data.previous_period.text})"
    if rank_words(data):
        sentence += f"; {rank_words(data)}"
    if data.band:
        sentence += f"; xếp loại {data.band}"
    return sentence + (". Trong đó:" if data.groups else ".")


def results_lines(data: DispatchData) -> list[dict]:
    """The results section: (text, style) lines; style is "para", "item" (-) or "sub" (+).

    Its points are numbered as they come: a unit without a total of its own starts at "1." with its groups
    or its subordinate units, never at "2.".
    """
    w = unit_words(data)
    lines = [
        {
            "style": "para",
            "text": (
                f"Căn cứ kết quả đồng bộ công khai trên Cổng Dịch vụ công quốc gia tại địa chỉ {PORTAL_ADDRESS}, "
                f"{w['ubnd']} công bố kết quả đánh giá Bộ Chỉ số phục vụ người dân, doanh nghiệp trong thực hiện "
                f"TTHC, cung cấp dịch vụ công tháng {data.period.text} của {w['kind']} như sau:"
            ),
        }
    ]
    number = 0
    if data.total and data.total.points is not None:
        number += 1
        lines.append({"style": "para", "text": _total_sentence(data, number)})
    elif data.groups:
        number += 1
        lines.append({"style": "para", "text": f"{number}. Các nhóm chỉ số của {w['named']}:"})
    criteria_in_body = len(data.criteria) <= 6
    for group in data.groups:
        lines.append({"style": "item", "text": f"- Chỉ số {group.name}: {group_text(group)}."})
        if criteria_in_body:
            for row in data.criteria:
                if row.parent == group.code and value_text(row):
                    lines.append({"style": "sub", "text": f"+ {row.name}: {value_text(row)}."})
        if group.role == IndicatorRole.DIGITISATION and data.copies_electronic is not None:
            copies = format_number(data.copies_electronic)
            lines.append({"style": "sub", "text": f"+ Kết quả cấp bản sao điện tử: {copies} bản."})
    if data.criteria and not criteria_in_body:
        lines.append({"style": "item", "text": "- Các chỉ số thành phần: chi tiết tại phụ lục kèm theo."})
    if data.subordinates or data.departments or data.overdue or data.pakn:
        number += 1
        lines.append(
            {
                "style": "para",
                "text": f"{number}. Kết quả cụ thể của một số nhóm, tiêu chí của các {_addressed_units(data)} "
                "(có phụ lục chi tiết kèm theo).",
            }
        )
    return lines


def _addressed_units(data: DispatchData) -> str:
    """ "xã, thị trấn"; a province with departments: "sở, ban, ngành và các huyện, thị xã"."""
    if data.departments:
        return f"sở, ban, ngành và các {data.subordinate_word}"
    return data.subordinate_word


def as_of_note(data: DispatchData) -> str:
    when = as_of_text(data.data_as_of)
    if not when:
        return ""
    note = f"Số liệu được tính tại thời điểm {when}. Số liệu có thể thay đổi theo thời gian."
    if data.overdue:
        note += (
            " Đối với số liệu về hồ sơ quá hạn được tính lũy kế, không phân định về giới hạn thời gian lấy số liệu "
            "như đối với các tiêu chí khác."
        )
    return note


def _ratio(group: Line) -> Decimal | None:
    points, top, rate = group.figure.points, group.max_points, group.figure.rate
    if points is not None and top:
        return points / top
    if rate is not None:
        return rate / 100
    return None


def weakest_groups(data: DispatchData) -> list[Line]:
    """Up to three groups below 90% of their maximum, weakest first; the single weakest when all are above."""
    scored = sorted((g for g in data.groups if _ratio(g) is not None), key=lambda g: (_ratio(g), g.code))
    weak = [g for g in scored if _ratio(g) < WEAK_GROUP_RATIO][:3]
    if not weak and scored and _ratio(scored[0]) < 1:
        weak = scored[:1]
    return weak


def low_units(data: DispatchData) -> list:
    """Subordinate units below the threshold total (lowest first), or the two lowest when none is below."""
    ranked = sorted((u for u in data.subordinates if u.total is not None), key=lambda u: u.total)
    below = [u for u in ranked if u.total < LOW_TOTAL]
    if below:
        return below[:5]
    return ranked[:2] if len(ranked) >= 4 else []


def low_progress_units(data: DispatchData) -> list:
    rows = [u for u in data.subordinates if u.progress_rate is not None and u.progress_rate < LOW_PROGRESS_RATE]
    return sorted(rows, key=lambda u: u.progress_rate)


def _name_counts(rows: list[CountRow], role: str, suffix: str = "") -> str:
    listed = sorted((r for r in rows if r.get(role)), key=lambda r: (-r.get(role), name_key(r.unit.name)))
    return ", ".join(f"{r.unit.short_name}: {format_number(r.get(role))}{suffix}" for r in listed)


def _lower_first(text: str) -> str:
    """ "Các phòng…" → "các phòng…" inside a sentence; names ("UBND…", "Chủ tịch…") keep their capital."""
    return "c" + text[1:] if text.startswith("Các ") else text


def _requirement_low_units(data: DispatchData) -> str:
    w = unit_words(data)
    low, progress = low_units(data), low_progress_units(data)
    if not low and not progress:
        return ""
    parts = []
    if low:
        names = ", ".join(f"{u.unit.short_name}: {format_number(u.total)} điểm" for u in low)
        parts.append(f"Điểm tổng hợp của một số {w['subs']} còn thấp so với các đơn vị còn lại như {names}.")
    if progress:
        names = ", ".join(f"{u.unit.short_name}: {format_number(u.progress_rate)}%" for u in progress)
        parts.append(
            "Chỉ số tiến độ giải quyết hồ sơ (đo lường trên Cổng Dịch vụ công quốc gia) một số đơn vị còn thấp "
            f"so với các đơn vị còn lại như {names}."
        )
    return (
        " ".join(parts) + " Đề nghị các đơn vị nghiên cứu, phân tích, tìm hiểu nguyên nhân và tìm biện pháp "
        "khắc phục trong những tháng tiếp theo."
    )


def _requirement_overdue(data: DispatchData) -> list[str]:
    items = []
    if data.overdue:
        listed = ", ".join(
            f"{r.unit.short_name}: {format_number(r.get(IndicatorRole.OVERDUE_TOTAL) or 0)} hồ sơ"
            for r in data.overdue[:8]
        )
        items.append(
            f"Một số đơn vị còn hồ sơ quá hạn đang xử lý ({listed}). Yêu cầu khẩn trương rà soát, xác định nguyên "
            "nhân, xử lý dứt điểm các hồ sơ đang quá hạn; thực hiện việc xin lỗi tổ chức, cá nhân theo quy định "
            "(chi tiết tại phụ lục kèm theo)."
        )
    if data.pakn:
        listed = ", ".join(f"{r.unit.short_name}: {format_number(r.sum(PAKN_ROLES))}" for r in data.pakn[:8])
        items.append(
            f"Một số đơn vị còn phản ánh, kiến nghị quá hạn ({listed}). Yêu cầu tiếp nhận, xử lý ngay các phản ánh, "
            "kiến nghị của người dân, doanh nghiệp đúng thời hạn quy định."
        )
    return items


def _requirement_digitise(data: DispatchData) -> str:
    if not data.digitise:
        return ""
    w = unit_words(data)
    inputs = _name_counts(data.digitise, IndicatorRole.DIGITISE_MISSING_INPUTS)
    results = _name_counts(data.digitise, IndicatorRole.DIGITISE_MISSING_RESULTS, " hồ sơ")
    sentence = f"Một số {w['subs'].split(',')[0]} vẫn còn tồn tại hồ sơ thủ tục hành chính chưa số hóa"
    clauses = []
    if inputs:
        clauses.append(f" thành phần hồ sơ ({inputs})")
    if results:
        clauses.append(f" còn hồ sơ chưa số hóa kết quả như {results}" if inputs else f" kết quả như {results}")
    return (
        sentence
        + ",".join(clauses)
        + f". Yêu cầu các {w['subs']} trên địa bàn {w['kind']} tiếp tục đẩy mạnh thực hiện số hóa hồ sơ, kết quả "
        f"giải quyết TTHC, nhất là đối với UBND {w['subs']} có tỷ lệ số hóa thấp và đang có xu hướng chững, giảm."
    )


def default_requirements(data: DispatchData, recipients_text: str) -> str:
    """The requirements pre-filled from the data; staff edit them before the leader reviews."""
    w = unit_words(data)
    addressees = "; ".join(
        _lower_first(line.strip().lstrip("-").strip().rstrip(";."))
        for line in recipients_text.splitlines()
        if line.strip()
    )
    lines = [
        f"Căn cứ kết quả nêu trên, {w['ubnd']} yêu cầu {addressees or 'các cơ quan, đơn vị'} "
        "thực hiện một số nội dung sau:"
    ]
    weak = weakest_groups(data)
    weak_text = "; ".join(f"Chỉ số {g.name}: {group_text(g)}" for g in weak)
    items = [
        "Tiếp tục đẩy mạnh các giải pháp cải cách và nâng cao hiệu quả giải quyết TTHC, cung cấp dịch vụ công trực "
        "tuyến, thanh toán trực tuyến, số hóa hồ sơ; triển khai thực hiện nghiêm các nhiệm vụ để nâng cao điểm số "
        "cũng như tỷ lệ các nhóm chỉ số đang ở mức thấp"
        + (f" ({weak_text})" if weak else "")
        + ", duy trì và phát huy các chỉ số đang ở mức tốt."
    ]
    items += [text for text in (_requirement_low_units(data),) if text]
    items += _requirement_overdue(data)
    items += [text for text in (_requirement_digitise(data),) if text]
    items.append(f"Giao Văn phòng HĐND và UBND {w['kind']} công khai kết quả trên Cổng Thông tin điện tử {w['kind']}.")
    lines += [f"{n}. {text}" for n, text in enumerate(items, start=1)]
    return "\n".join(lines)


def closing(data: DispatchData) -> str:
    w = unit_words(data)
    return (
        "Trên đây là kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch "
        f"vụ công tháng {data.period.text} trên địa bàn {w['kind']}./."
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _change_of(figure: Figure, computed: Decimal | None, unit: str) -> str:
    """The change as published ("Tăng 7,28%", "Bằng điểm") where the source wrote one, else in our words."""
    if any(ch.isalpha() for ch in figure.change_text):
        return figure.change_text
    change = figure.change if figure.change is not None else computed
    return change_words(change, unit) if change is not None else figure.change_text


def summary_rows(data: DispatchData) -> list[dict]:
    """Appendix 1: the total, each group and its criteria with the change against last month."""
    rows = []
    if data.total:
        rows.append(
            {
                "no": "1",
                "name": "Tổng hợp",
                "value": f"{format_number(data.total.points)} điểm" if data.total.points is not None else "",
                "change": _capital(_change_of(data.total, data.total_change, " điểm")),
                "level": "total",
            }
        )
    # The groups' points share the column's published precision: "6,0/10" beside "10,4/18", as Hà Nội prints.
    decimals = column_decimals([g.figure.points for g in data.groups])
    for n, group in enumerate(data.groups, start=2 if data.total else 1):
        rows.append(
            {
                "no": str(n),
                "name": group.name,
                "value": group_text(group, decimals).replace("đạt tỷ lệ ", ""),
                "change": _capital(_change_of(group.figure, group.change_points, " điểm")),
                "level": "group",
            }
        )
        for m, row in enumerate((c for c in data.criteria if c.parent == group.code), start=1):
            rows.append(
                {
                    "no": f"{n}.{m}",
                    "name": row.name,
                    "value": appendix_value_text(row),
                    "change": _capital(_change_of(row.figure, row.change_rate, "%")),
                    "level": "criterion",
                }
            )
    return rows
