"""Normalising Vietnamese unit names so that people's spellings meet the official ones."""

import re
import unicodedata

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
