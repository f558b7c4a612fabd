"""Numbers written the Vietnamese way: decimal comma, thousands dot ("88,03", "30.204")."""

from decimal import ROUND_HALF_UP, Decimal


def format_number(value, decimals: int | None = None, *, signed: bool = False) -> str:
    """88.03 → "88,03"; 30204 → "30.204"; decimals=None keeps the value's own precision (trailing zeros dropped)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ("+" if signed and number > 0 else "")
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = ".".join(groups)
    if fraction:
        result += "," + fraction
    return sign + result


def column_decimals(values) -> int:
    """The precision a column of figures was published with: the most decimals any of them carries once the
    storage's trailing zeros are dropped ("6,96" and "6,6" → 2, so the column prints "6,96" and "6,60")."""
    places = [-Decimal(str(v)).normalize().as_tuple().exponent for v in values if v is not None and v != ""]
    return max([p for p in places if p > 0], default=0)
