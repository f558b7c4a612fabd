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
