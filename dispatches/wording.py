"""The words of a dispatch written from its data snapshot, in the register of the published dispatches."""

import datetime
from decimal import Decimal

from indicators.formatting import format_number

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


def month_text(period: dict) -> str:
    return f"{period['month']}/{period['year']}"


def rank_text(rank: int, of: int) -> str:
    """ "01/10", "13/30": the two-digit form the dispatches print."""
    return f"{rank:02d}/{of:02d}"


def as_of_text(iso: str | None) -> str:
    """ "12h00 ngày 05/9/2024" from the snapshot's data-as-of time (portal time zone)."""
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso)
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


def unit_words(data: dict) -> dict:
    kind = data["unit"]["kind"].lower()
    return {
        "kind": kind,  # "huyện"
        "named": f"{kind} {data['unit']['short_name']}",  # "huyện Tiên Lữ"
        "ubnd": f"UBND {kind}",  # "UBND huyện"
        "subs": data["unit"]["subordinate_word"],  # "xã, thị trấn"
    }


def default_subject(data: dict) -> str:
    return (
        "Công bố kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, "
        f"cung cấp dịch vụ công tháng {month_text(data['period'])}"
    )


def default_recipients(data: dict) -> str:
    w = unit_words(data)
    return f"Các phòng, ban, ngành thuộc {w['ubnd']};\nUBND các {w['subs']}."


def value_text(row: dict) -> str:
    """A criterion's figure as the dispatches print it: "95,93%", "3 hồ sơ, đạt 0,08%", "30.204 bản"."""
    count, rate, points = row.get("count"), D(row.get("rate")), D(row.get("points"))
    count_unit = row.get("count_unit") or ""
    parts = []
    if count is not None:
        parts.append(f"{format_number(count)} {count_unit}".strip())
    if rate is not None:
        parts.append(f"đạt {format_number(rate)}%" if parts else f"{format_number(rate)}%")
    if points is not None and not parts:
        parts.append(f"{format_number(points)} điểm")
    return ", ".join(parts)


def group_text(group: dict) -> str:
    points, rate, top = D(group["points"]), D(group["rate"]), D(group["max_points"])
    parts = []
    if points is not None:
        parts.append(f"{format_number(points)}/{format_number(top)} điểm")
    if rate is not None:
        parts.append(f"đạt tỷ lệ {format_number(rate)}%")
    return "; ".join(parts)


def results_lines(data: dict) -> list[dict]:
    """The results section: (text, style) lines; style is "para", "item" (-) or "sub" (+)."""
    w = unit_words(data)
    month = month_text(data["period"])
    lines = [
        {
            "style": "para",
            "text": (
                f"Căn cứ kết quả đồng bộ công khai trên Cổng Dịch vụ công quốc gia tại địa chỉ {PORTAL_ADDRESS}, "
                f"{w['ubnd']} công bố kết quả đánh giá Bộ Chỉ số phục vụ người dân, doanh nghiệp trong thực hiện "
                f"TTHC, cung cấp dịch vụ công tháng {month} của {w['kind']} như sau:"
            ),
        }
    ]
    total = data.get("total")
    if total and total.get("points") is not None:
        sentence = f"1. Tổng hợp các nhóm chỉ số của {w['named']} đạt {format_number(D(total['points']))}/100 điểm"
        previous = data.get("previous_period")
        previous_month = month_text(previous) if previous else "trước"
        if total.get("change") is not None:
            sentence += f" ({change_words(total['change'])} so với tháng {previous_month})"
        elif total.get("change_text"):
            sentence += f" ({total['change_text'][:1].lower()}{total['change_text'][1:]} so với tháng {previous_month})"
        rank = data.get("rank")
        if rank:
            sentence += f"; xếp hạng thứ {rank_text(rank['rank'], rank['of'])} {data['unit']['peer_word']}"
        if data.get("band"):
            sentence += f"; xếp loại {data['band']}"
        sentence += ". Trong đó:" if data["groups"] else "."
        lines.append({"style": "para", "text": sentence})
    criteria_in_body = len(data["criteria"]) <= 6
    for group in data["groups"]:
        lines.append({"style": "item", "text": f"- Chỉ số {group['name']}: {group_text(group)}."})
        if criteria_in_body:
            for row in data["criteria"]:
                if row["parent"] == group["code"] and value_text(row):
                    lines.append({"style": "sub", "text": f"+ {row['name']}: {value_text(row)}."})
        copies = data["operational"].get("copies.electronic")
        if group["code"] == "6" and copies and copies.get("count") is not None:
            lines.append(
                {"style": "sub", "text": f"+ Kết quả cấp bản sao điện tử: {format_number(copies['count'])} bản."}
            )
    if not criteria_in_body:
        lines.append({"style": "item", "text": "- Các chỉ số thành phần: chi tiết tại phụ lục kèm theo."})
    if data["subordinates"] or data["overdue"] or data["pakn"]:
        lines.append(
            {
                "style": "para",
                "text": f"2. Kết quả cụ thể của một số nhóm, tiêu chí của các {w['subs']} (có phụ lục chi tiết kèm theo).",
            }
        )
    return lines


def as_of_note(data: dict) -> str:
    when = as_of_text(data.get("data_as_of"))
    if not when:
        return ""
    note = f"Số liệu được tính tại thời điểm {when}. Số liệu có thể thay đổi theo thời gian."
    if data["overdue"]:
        note += (
            " Đối với số liệu về hồ sơ quá hạn được tính lũy kế, không phân định về giới hạn thời gian lấy số liệu "
            "như đối với các tiêu chí khác."
        )
    return note


def _ratio(group: dict) -> Decimal | None:
    points, top, rate = D(group["points"]), D(group["max_points"]), D(group["rate"])
    if points is not None and top:
        return points / top
    if rate is not None:
        return rate / 100
    return None


def weakest_groups(data: dict) -> list[dict]:
    """Up to three groups below 90% of their maximum, weakest first; the single weakest when all are above."""
    scored = sorted((g for g in data["groups"] if _ratio(g) is not None), key=lambda g: (_ratio(g), g["code"]))
    weak = [g for g in scored if _ratio(g) < WEAK_GROUP_RATIO][:3]
    if not weak and scored and _ratio(scored[0]) < 1:
        weak = scored[:1]
    return weak


def low_units(data: dict) -> list[dict]:
    """Subordinate units below the threshold total (lowest first), or the two lowest when none is below."""
    ranked = sorted((s for s in data["subordinates"] if s["total"] is not None), key=lambda s: D(s["total"]))
    below = [s for s in ranked if D(s["total"]) < LOW_TOTAL]
    if below:
        return below[:5]
    return ranked[:2] if len(ranked) >= 4 else []


def low_progress_units(data: dict) -> list[dict]:
    rows = [s for s in data["subordinates"] if D(s.get("rates", {}).get("2")) is not None]
    return sorted((s for s in rows if D(s["rates"]["2"]) < LOW_PROGRESS_RATE), key=lambda s: D(s["rates"]["2"]))


def _name_counts(rows: list[dict], code: str, suffix: str = "") -> str:
    listed = sorted((r for r in rows if r.get(code)), key=lambda r: (-r[code], r["name"]))
    return ", ".join(f"{r['short_name']}: {format_number(r[code])}{suffix}" for r in listed)


def _lower_first(text: str) -> str:
    """ "Các phòng…" → "các phòng…" inside a sentence; names ("UBND…", "Chủ tịch…") keep their capital."""
    return "c" + text[1:] if text.startswith("Các ") else text


def default_requirements(data: dict, recipients_text: str) -> str:
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
    items = []
    weak = weakest_groups(data)
    weak_text = "; ".join(f"Chỉ số {g['name']}: {group_text(g)}" for g in weak)
    items.append(
        "Tiếp tục đẩy mạnh các giải pháp cải cách và nâng cao hiệu quả giải quyết TTHC, cung cấp dịch vụ công trực "
        "tuyến, thanh toán trực tuyến, số hóa hồ sơ; triển khai thực hiện nghiêm các nhiệm vụ để nâng cao điểm số "
        "cũng như tỷ lệ các nhóm chỉ số đang ở mức thấp"
        + (f" ({weak_text})" if weak else "")
        + ", duy trì và phát huy các chỉ số đang ở mức tốt."
    )
    low = low_units(data)
    progress = low_progress_units(data)
    if low or progress:
        parts = []
        if low:
            names = ", ".join(f"{s['short_name']}: {format_number(D(s['total']))} điểm" for s in low)
            parts.append(f"Điểm tổng hợp của một số {w['subs']} còn thấp so với các đơn vị còn lại như {names}.")
        if progress:
            names = ", ".join(f"{s['short_name']}: {format_number(D(s['rates']['2']))}%" for s in progress)
            parts.append(
                "Chỉ số tiến độ giải quyết hồ sơ (đo lường trên Cổng Dịch vụ công quốc gia) một số đơn vị còn thấp "
                f"so với các đơn vị còn lại như {names}."
            )
        items.append(
            " ".join(parts) + " Đề nghị các đơn vị nghiên cứu, phân tích, tìm hiểu nguyên nhân và tìm biện pháp "
            "khắc phục trong những tháng tiếp theo."
        )
    if data["overdue"]:
        listed = ", ".join(
            f"{r['short_name']}: {format_number(r.get('overdue.total') or 0)} hồ sơ" for r in data["overdue"][:8]
        )
        items.append(
            f"Một số đơn vị còn hồ sơ quá hạn đang xử lý ({listed}). Yêu cầu khẩn trương rà soát, xác định nguyên "
            "nhân, xử lý dứt điểm các hồ sơ đang quá hạn; thực hiện việc xin lỗi tổ chức, cá nhân theo quy định "
            "(chi tiết tại phụ lục kèm theo)."
        )
    if data["pakn"]:
        listed = ", ".join(
            f"{r['short_name']}: {format_number((r.get('pakn.not_received') or 0) + (r.get('pakn.late') or 0))}"
            for r in data["pakn"][:8]
        )
        items.append(
            f"Một số đơn vị còn phản ánh, kiến nghị quá hạn ({listed}). Yêu cầu tiếp nhận, xử lý ngay các phản ánh, "
            "kiến nghị của người dân, doanh nghiệp đúng thời hạn quy định."
        )
    if data["digitise"]:
        inputs = _name_counts(data["digitise"], "digitise.missing_inputs")
        results = _name_counts(data["digitise"], "digitise.missing_results", " hồ sơ")
        sentence = f"Một số {w['subs'].split(',')[0]} vẫn còn tồn tại hồ sơ thủ tục hành chính chưa số hóa"
        clauses = []
        if inputs:
            clauses.append(f" thành phần hồ sơ ({inputs})")
        if results:
            clauses.append(f" còn hồ sơ chưa số hóa kết quả như {results}" if inputs else f" kết quả như {results}")
        items.append(
            sentence
            + ",".join(clauses)
            + f". Yêu cầu các {w['subs']} trên địa bàn {w['kind']} tiếp tục đẩy mạnh thực hiện số hóa hồ sơ, kết quả "
            f"giải quyết TTHC, nhất là đối với UBND {w['subs']} có tỷ lệ số hóa thấp và đang có xu hướng chững, giảm."
        )
    items.append(f"Giao Văn phòng HĐND và UBND {w['kind']} công khai kết quả trên Cổng Thông tin điện tử {w['kind']}.")
    lines += [f"{n}. {text}" for n, text in enumerate(items, start=1)]
    return "\n".join(lines)


def closing(data: dict) -> str:
    w = unit_words(data)
    return (
        "Trên đây là kết quả đánh giá Bộ chỉ số phục vụ người dân, doanh nghiệp trong thực hiện TTHC, cung cấp dịch "
        f"vụ công tháng {month_text(data['period'])} trên địa bàn {w['kind']}./."
    )


def summary_rows(data: dict) -> list[dict]:
    """Appendix 1: the total, each group and its criteria with the change against last month."""
    rows = []
    total = data.get("total")
    if total:
        change = change_words(total.get("change")) if total.get("change") is not None else total.get("change_text", "")
        rows.append(
            {
                "no": "1",
                "name": "Tổng hợp",
                "value": f"{format_number(D(total['points']))} điểm" if total.get("points") else "",
                "change": change[:1].upper() + change[1:],
                "level": "total",
            }
        )
    for n, group in enumerate(data["groups"], start=2 if total else 1):
        change = (
            change_words(group["change_points"]) if group.get("change_points") is not None else group["change_text"]
        )
        rows.append(
            {
                "no": str(n),
                "name": group["name"],
                "value": group_text(group).replace("đạt tỷ lệ ", ""),
                "change": change[:1].upper() + change[1:],
                "level": "group",
            }
        )
        for m, row in enumerate((c for c in data["criteria"] if c["parent"] == group["code"]), start=1):
            change = change_words(row["change_rate"], "%") if row.get("change_rate") is not None else row["change_text"]
            value = value_text(row)
            if row.get("count") is not None and row.get("rate") is not None:
                # The appendix form of the references: "242.300 (70,87%)".
                value = f"{format_number(row['count'])} ({format_number(D(row['rate']))}%)"
            rows.append(
                {
                    "no": f"{n}.{m}",
                    "name": row["name"],
                    "value": value,
                    "change": change[:1].upper() + change[1:],
                    "level": "criterion",
                }
            )
    return rows
