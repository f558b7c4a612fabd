"""Numbers as people write them, read according to what the column measures.

Points and rates: one separator is the decimal mark ("88,03" and "62.28" are both 88.03-like).
Counts: dots (or commas) group thousands ("242.300", "1.029.961"); a fraction is an error.
Count and rate together: "242.300 (70,87%)". Anything that could mean two numbers is refused.
Published ranks and changes as the national portal prints them: "13/30", "Tăng 0.92", "-3,40",
"Giảm 2 bậc"; the change is read in the measure of the indicator it belongs to ("Tăng 6.566" of a
count is 6566, of points it would be ambiguous).
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

POINTS, RATE, COUNT, COUNT_RATE, CHANGE = "points", "rate", "count", "count_rate", "change"
RANK, RANK_OF, RANK_CHANGE = "rank", "rank_of", "rank_change"


class NumberError(ValueError):
    """The cell does not hold a number this column accepts; the message says why, in Vietnamese."""


# The measures one cell gave, by name (names of indicators.models.MEASURES), only those it gave: the
# same shape as a row's figures in the preview, so a cell's result is stored as it is. A plain dict:
# one is built per cell of a national file (100.000 of them).
Parsed = dict[str, Decimal | int | str]


def _measures(**given) -> Parsed:
    """The measures given, without those that are None."""
    return {name: value for name, value in given.items() if value is not None}


_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_UNIT_WORDS = re.compile(r"(điểm|diem|hồ sơ|ho so|tthc|lượt|luot|bản|ban|pakn|đơn vị|don vi)\.?$", re.IGNORECASE)
_COUNT_RATE = re.compile(r"^(?P<count>[\d.,\s]+?)\s*(?:[a-zA-ZÀ-ỹ ]*)\s*\((?P<rate>[\d.,\s]+)\s*%\s*\)$")


def _decimal(text: str, *, what: str) -> Decimal:
    """A decimal with at most one separator (comma or dot), which is the decimal mark."""
    cleaned = _SPACES.sub("", text)
    if cleaned.count(",") + cleaned.count(".") > 1:
        what = _("tỷ lệ") if what == RATE else _("điểm")
        raise NumberError(
            _("“%(text)s” không rõ là số nào: %(what)s chỉ được có một dấu thập phân.") % {"text": text, "what": what}
        )
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise NumberError(_("“%(text)s” không phải là số.") % {"text": text}) from None
    if not value.is_finite():
        raise NumberError(_("“%(text)s” không phải là số.") % {"text": text})
    return value


def _count(text: str) -> int:
    cleaned = _SPACES.sub("", text)
    negative = cleaned.startswith("-")
    digits = cleaned.lstrip("-+")
    if re.fullmatch(r"\d+", digits):
        value = int(digits)
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", digits) or re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
        value = int(digits.replace(".", "").replace(",", ""))
    elif re.fullmatch(r"\d+[.,]\d+", digits):
        raise NumberError(
            _(
                "“%(text)s” không phải số nguyên: cột này là số lượng (dấu chấm chỉ để phân cách hàng nghìn, ví dụ 11.212)."
            )
            % {"text": text}
        )
    else:
        raise NumberError(_("“%(text)s” không phải là số lượng hợp lệ.") % {"text": text})
    return -value if negative else value


def _whole(value: int | float, what: str) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise NumberError(_("%(value)s không phải số nguyên (%(what)s).") % {"value": value, "what": what})
    return int(value)


def _from_number(value: int | float, measure: str, of: str) -> Parsed:
    if isinstance(value, bool):
        raise NumberError(_("“%(text)s” không phải là số.") % {"text": value})
    if measure == RANK:
        return _rank(_whole(value, _("hạng")), None, str(value))
    if measure == RANK_OF:
        return _measures(rank_of=_positive(_whole(value, _("số đơn vị được xếp hạng")), str(value)))
    if measure == RANK_CHANGE:
        return _measures(rank_change=_whole(value, _("thay đổi hạng")))
    if measure in (COUNT, COUNT_RATE):
        if isinstance(value, float) and not value.is_integer():
            raise NumberError(
                _(
                    "%(value)s không phải số nguyên: cột này là số lượng (có thể dấu chấm phân cách hàng nghìn "
                    "đã bị hiểu nhầm là dấu thập phân; hãy định dạng ô là văn bản)."
                )
                % {"value": str(value).replace(".", ",")}
            )
        return {"count": int(value)}
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if measure == RATE:
        return {"rate": number}
    if measure == CHANGE:
        from indicators.formatting import format_number

        if of in (COUNT,):
            number = Decimal(_whole(value, _("thay đổi của số lượng")))
        return _measures(change_text=format_number(number), change=number)
    return {"points": number}


def _positive(value: int, text: str) -> int:
    if value < 1:
        raise NumberError(_("“%(text)s” không phải là hạng hợp lệ (hạng bắt đầu từ 1).") % {"text": text})
    return value


def _rank(rank: int, of: int | None, text: str) -> Parsed:
    _positive(rank, text)
    if of is not None and _positive(of, text) < rank:
        raise NumberError(_("“%(text)s”: hạng lớn hơn số đơn vị được xếp hạng.") % {"text": text})
    return _measures(rank=rank, rank_of=of)


_RANK = re.compile(
    r"^(?:(?:xếp\s*)?hạng|thứ\s*hạng|thứ|hạng\s*thứ)?\s*(?P<rank>\d+)\s*(?:/\s*(?P<of>\d+))?$", re.IGNORECASE
)
_UP = re.compile(r"^(tăng|lên|↑|\+)", re.IGNORECASE)
_DOWN = re.compile(r"^(giảm|xuống|↓|-|−|–)", re.IGNORECASE)
_SAME = re.compile(r"^(bằng|không đổi|giữ nguyên|không thay đổi|=)", re.IGNORECASE)
_CHANGE_UNITS = re.compile(
    r"(điểm|diem|%|hồ sơ|ho so|tthc|lượt|luot|bản|pakn|bậc|bac|hạng|hang|so với.*)$", re.IGNORECASE
)


def _signed_text(text: str) -> tuple[int, str] | None:
    """ "Tăng 0,92 điểm" → (1, "0,92"); "-3,40" → (-1, "3,40"); "Bằng điểm" → (0, ""); else None."""
    text = _SPACES.sub(" ", text).strip()
    if _SAME.match(text):
        return 0, ""
    sign = 1
    if match := _UP.match(text):
        text = text[match.end() :]
    elif match := _DOWN.match(text):
        sign, text = -1, text[match.end() :]
    text = _CHANGE_UNITS.sub("", text.strip()).strip()
    text = _CHANGE_UNITS.sub("", text).strip()  # "0,31 điểm %" and the like
    return (sign, text) if re.fullmatch(r"[\d.,]+", text) else None


def parse_change(text: str, of: str) -> Decimal | None:
    """The published change of a figure measured in `of`; None when the text holds no number."""
    signed = _signed_text(text)
    if signed is None:
        return None
    sign, digits = signed
    if sign == 0:
        return Decimal(0)
    if of == COUNT:
        return Decimal(sign * _count(digits))
    return sign * _decimal(digits, what=POINTS if of == POINTS else RATE)


def _parse_rank_change(text: str) -> int:
    signed = _signed_text(text)
    if signed is None:
        raise NumberError(_("“%(text)s” không phải là thay đổi hạng (ví dụ “Tăng 3 bậc”, “-2”).") % {"text": text})
    sign, digits = signed
    if sign == 0:
        return 0
    if not digits.isdigit():
        raise NumberError(_("“%(text)s”: thay đổi hạng phải là số nguyên.") % {"text": text})
    return sign * int(digits)


_PLAIN_DECIMAL = re.compile(r"\d{1,3}(?:[.,]\d+)?")
_PLAIN_RATE = re.compile(r"(\d{1,3}(?:[.,]\d+)?) ?%?")
_PLAIN_COUNT = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+")
_PLAIN_COUNT_RATE = re.compile(r"(\d+|\d{1,3}(?:\.\d{3})+) \((\d{1,3}(?:[.,]\d+)?)%\)")  # "242.300 (70,87%)"


# Over the complexity bound (C901) on purpose: the hot path of a national import (100.000 cells): one flat function
# per cell is measured in benchmarks/import_scores.py.
def parse_cell(value, measure: str, of: str = POINTS) -> Parsed | None:  # noqa: C901
    """The figure a cell holds for a column measuring `measure`; None when the cell is empty or "-".

    `of` is the primary measure of the indicator a change column belongs to.
    """
    if value is None:
        return None
    if isinstance(value, int | float):
        return _from_number(value, measure, of)
    text = str(value).strip()
    # Fast paths for the plain forms that make up nearly every cell of a national file.
    if measure == POINTS and _PLAIN_DECIMAL.fullmatch(text):
        return {"points": Decimal(text.replace(",", "."))}
    if measure == RATE:
        match = _PLAIN_RATE.fullmatch(text)
        if match:
            return {"rate": Decimal(match.group(1).replace(",", "."))}
    if measure == COUNT and _PLAIN_COUNT.fullmatch(text):
        return {"count": int(text.replace(".", ""))}
    if measure == COUNT_RATE and (match := _PLAIN_COUNT_RATE.fullmatch(text)):
        return {"count": int(match.group(1).replace(".", "")), "rate": Decimal(match.group(2).replace(",", "."))}
    if text in ("", "-", "–", "x", "X"):
        return None
    if measure == CHANGE:
        if len(text) > 60:
            raise NumberError(_("“%(text)s” quá dài cho cột thay đổi so với tháng trước.") % {"text": text[:40]})
        return _measures(change_text=text, change=parse_change(text, of))
    if measure == RANK:
        match = _RANK.match(_SPACES.sub(" ", text))
        if match is None:
            raise NumberError(_("“%(text)s” không phải là hạng (ví dụ 13 hoặc 13/30).") % {"text": text})
        return _rank(int(match["rank"]), int(match["of"]) if match["of"] else None, text)
    if measure == RANK_OF:
        return _measures(rank_of=_positive(_count(_UNIT_WORDS.sub("", text).strip()), text))
    if measure == RANK_CHANGE:
        return _measures(rank_change=_parse_rank_change(text))
    if measure == COUNT_RATE:
        match = _COUNT_RATE.match(text)
        if match:
            rate = _decimal(match.group("rate"), what=RATE)
            return _measures(count=_count(match.group("count")), rate=rate)
        if text.endswith("%"):
            return _measures(rate=_decimal(text[:-1], what=RATE))
        return _measures(count=_count(_UNIT_WORDS.sub("", text).strip()))
    if measure == COUNT:
        return _measures(count=_count(_UNIT_WORDS.sub("", text).strip()))
    if measure == RATE:
        return _measures(rate=_decimal(text.removesuffix("%").strip(), what=RATE))
    # Points, possibly written "10,4/18 điểm" as the dispatches do.
    text = _UNIT_WORDS.sub("", text).strip()
    if "/" in text:
        text = text.split("/", 1)[0].strip()
    if text.endswith("%"):
        raise NumberError(_("“%(text)s” là tỷ lệ, nhưng cột này là điểm.") % {"text": value})
    return _measures(points=_decimal(text, what=POINTS))
