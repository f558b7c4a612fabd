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
