"""Numbers as people write them, read according to what the column measures.

Points and rates: one separator is the decimal mark ("88,03" and "62.28" are both 88.03-like).
Counts: dots (or commas) group thousands ("242.300", "1.029.961"); a fraction is an error.
Count and rate together: "242.300 (70,87%)". Anything that could mean two numbers is refused.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

POINTS, RATE, COUNT, COUNT_RATE, CHANGE = "points", "rate", "count", "count_rate", "change"


class NumberError(ValueError):
    """The cell does not hold a number this column accepts; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Parsed:
    points: Decimal | None = None
    rate: Decimal | None = None
    count: int | None = None
    change_text: str = ""


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


def _from_number(value: int | float, measure: str) -> Parsed:
    if isinstance(value, bool):
        raise NumberError(_("“%(text)s” không phải là số.") % {"text": value})
    if measure in (COUNT, COUNT_RATE):
        if isinstance(value, float) and not value.is_integer():
            raise NumberError(
                _(
                    "%(value)s không phải số nguyên: cột này là số lượng (có thể dấu chấm phân cách hàng nghìn "
                    "đã bị hiểu nhầm là dấu thập phân; hãy định dạng ô là văn bản)."
                )
                % {"value": str(value).replace(".", ",")}
            )
        return Parsed(count=int(value))
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if measure == RATE:
        return Parsed(rate=number)
    if measure == CHANGE:
        from indicators.formatting import format_number

        return Parsed(change_text=format_number(round(number, 2)))
    return Parsed(points=number)


_PLAIN_DECIMAL = re.compile(r"\d{1,3}(?:[.,]\d+)?")
_PLAIN_RATE = re.compile(r"(\d{1,3}(?:[.,]\d+)?) ?%?")
_PLAIN_COUNT = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+")


def parse_cell(value, measure: str) -> Parsed | None:
    """The figure a cell holds for a column measuring `measure`; None when the cell is empty or "-"."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return _from_number(value, measure)
    text = str(value).strip()
    # Fast paths for the plain forms that make up nearly every cell of a national file.
    if measure == POINTS and _PLAIN_DECIMAL.fullmatch(text):
        return Parsed(points=Decimal(text.replace(",", ".")))
    if measure == RATE:
        match = _PLAIN_RATE.fullmatch(text)
        if match:
            return Parsed(rate=Decimal(match.group(1).replace(",", ".")))
    if measure == COUNT and _PLAIN_COUNT.fullmatch(text):
        return Parsed(count=int(text.replace(".", "")))
    if text in ("", "-", "–", "x", "X"):
        return None
    if measure == CHANGE:
        if len(text) > 60:
            raise NumberError(_("“%(text)s” quá dài cho cột thay đổi so với tháng trước.") % {"text": text[:40]})
        return Parsed(change_text=text)
    if measure == COUNT_RATE:
        match = _COUNT_RATE.match(text)
        if match:
            rate = _decimal(match.group("rate"), what=RATE)
            return Parsed(count=_count(match.group("count")), rate=rate)
        if text.endswith("%"):
            return Parsed(rate=_decimal(text[:-1], what=RATE))
        return Parsed(count=_count(_UNIT_WORDS.sub("", text).strip()))
    if measure == COUNT:
        return Parsed(count=_count(_UNIT_WORDS.sub("", text).strip()))
    if measure == RATE:
        return Parsed(rate=_decimal(text.removesuffix("%").strip(), what=RATE))
    # Points, possibly written "10,4/18 điểm" as the dispatches do.
    text = _UNIT_WORDS.sub("", text).strip()
    if "/" in text:
        text = text.split("/", 1)[0].strip()
    if text.endswith("%"):
        raise NumberError(_("“%(text)s” là tỷ lệ, nhưng cột này là điểm.") % {"text": value})
    return Parsed(points=_decimal(text, what=POINTS))
