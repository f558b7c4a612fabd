"""Text as it enters the portal: invisible controls removed (one rule for forms, imports and the
unit loader), and Vietnamese unit names normalised so that people's spellings meet the official ones."""

import re
import unicodedata

# Characters that change how text is shown without being seen: bidirectional embeddings and
# overrides (U+202A–U+202E: "Xã \u202eỹS ủhT" prints as "Xã Thủ Sỹ" reversed), isolates
# (U+2066–U+2069), direction marks (U+200E, U+200F, U+061C) and zero-width characters (U+200B–U+200D,
# U+2060, U+FEFF) that make two names look alike and differ. Vietnamese needs none of them.
INVISIBLE_CONTROLS = dict.fromkeys(
    [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF]
)

_INVISIBLE_RE = re.compile("[" + "".join(chr(point) for point in INVISIBLE_CONTROLS) + "]")


def clean_text(value):
    """Text without invisible direction and zero-width controls; anything that is not text unchanged.

    Text that has none is returned as it came, of the same type (a parsed formula stays a formula).
    """
    # A search first: nearly all text has none, and a search is five times cheaper than a rewrite
    # (a national file is 100,000 cells).
    if not isinstance(value, str) or not _INVISIBLE_RE.search(value):
        return value
    cleaned = _INVISIBLE_RE.sub("", value)
    return cleaned if type(value) is str else type(value)(cleaned)


# Words people put before a unit's name that say nothing about which unit it is.
_PREFIXES = (
    "uy ban nhan dan",
    "ubnd",
    "thanh pho truc thuoc trung uong",
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "tinh",
    "quan",
    "huyen",
    "phuong",
    "xa",
    "tp",
    "tt",
    "tx",
    "p",
    "q",
    "h",
)
_PREFIX_RE = re.compile(r"^(?:(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")\b\.?\s*)+")


# How the name of a department (sở, ban, ngành) under a province begins, folded: "Sở Tư pháp",
# "Ban Quản lý các khu công nghiệp", "Văn phòng UBND tỉnh", "Công an tỉnh", "Bảo hiểm xã hội tỉnh".
DEPARTMENT_WORDS = (
    "so",
    "ban",
    "van phong",
    "thanh tra",
    "cong an",
    "bao hiem xa hoi",
    "kho bac",
    "cuc thue",
    "cuc hai quan",
    "chi cuc",
    "trung tam",
)


def department_kind(text: str) -> str:
    """The kind of a department named as printed ("Sở Tư pháp" → "Sở"), or "" when the name is not one."""
    words = text.split()
    folded = fold(text).split()
    for word in sorted(DEPARTMENT_WORDS, key=lambda w: -len(w.split())):
        size = len(word.split())
        if folded[:size] == word.split() and len(folded) > size:
            return " ".join(words[:size])
    return ""


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Thụy  Lôi" → "thuy loi"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = re.sub(r"[^\w]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def name_key(text: str) -> str:
    """The key a unit name is matched on: folded, without "UBND" and level words.

    "UBND TT Vương" → "vuong"; "Phường 3" keeps its number: "3".
    """
    folded = fold(text)
    stripped = _PREFIX_RE.sub("", folded).strip()
    return stripped or folded
