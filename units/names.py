"""The one owner of how unit names are compared: folding, level words and their abbreviations.

Unit lookup (`units.selectors.unit_lookup`), the import's resolver and the units it creates
(`imports.resolve`), the loader and the search all read names through these functions, so "TT Vương",
"UBND thị trấn Vương" and "Thị trấn Vương" mean the same unit everywhere.

- `fold`: lower case, no diacritics (đ → d), one space between words;
- `LEVEL_WORDS`: the words that say a unit's level ("Xã", "Phường", "Thị trấn" …) with the
  abbreviations people write for them ("P.", "TT", "TX" …);
- `AUTHORITY_WORDS`: "UBND", "Ủy ban nhân dân", which name the unit's people's committee, not another unit;
- `name_key`: the key names are matched on: folded, without authority and level words;
- `split_level`: the level word a name begins with and the rest of the name as written;
- `spelled_out`: the folded name with its authority words dropped and a leading abbreviation written out;
- `department_kind`: the kind of a province's department ("Sở Tư pháp" → "Sở").
"""

import re
import unicodedata
from dataclasses import dataclass


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Thụy  Lôi" → "thuy loi"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = re.sub(r"[^\w]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class LevelWord:
    """A word that says a unit's level, as a unit's kind is written ("Thị trấn"), and its abbreviations."""

    label: str
    abbreviations: tuple[str, ...] = ()
    # Single letters dropped from a match key ("Q. 1", "H. Tiên Lữ") but not read as the level itself,
    # since a name may begin with one ("H'Bông" folds to "h bong").
    key_only: tuple[str, ...] = ()

    @property
    def folded(self) -> str:
        return fold(self.label)


LEVEL_WORDS = (
    LevelWord("Thành phố", ("tp",)),
    LevelWord("Thị trấn", ("tt",)),
    LevelWord("Thị xã", ("tx",)),
    LevelWord("Đặc khu"),
    LevelWord("Tỉnh"),
    LevelWord("Quận", key_only=("q",)),
    LevelWord("Huyện", key_only=("h",)),
    LevelWord("Phường", ("p",)),
    LevelWord("Xã"),
)

# Folded; they name a unit's people's committee ("UBND xã Hải Triều" is Xã Hải Triều).
AUTHORITY_WORDS = ("uy ban nhan dan", "ubnd")

# Words that describe a unit without telling it from another ("thành phố trực thuộc trung ương").
_DESCRIPTIONS = ("thanh pho truc thuoc trung uong",)

_BY_WORD = {w.folded: w for w in LEVEL_WORDS} | {a: w for w in LEVEL_WORDS for a in w.abbreviations}
# Longest first, so "thi tran" is tried before "thi" could be, and "thanh pho truc thuoc…" before "thanh pho".
_WORDS = sorted(_BY_WORD, key=lambda w: (-len(w.split()), -len(w)))
_KEY_ONLY = tuple(a for w in LEVEL_WORDS for a in w.key_only)
_NOISE = sorted((*AUTHORITY_WORDS, *_DESCRIPTIONS, *_BY_WORD, *_KEY_ONLY), key=lambda w: (-len(w.split()), -len(w)))
_NOISE_RE = re.compile(r"^(?:(?:" + "|".join(re.escape(w) for w in _NOISE) + r")\b\.?\s*)+")
_AUTHORITY_RE = re.compile(r"^(?:(?:" + "|".join(re.escape(w) for w in AUTHORITY_WORDS) + r")\s+)+")


def name_key(text: str) -> str:
    """The key a unit name is matched on: folded, without "UBND" and level words.

    "UBND TT Vương" → "vuong"; "Phường 3" keeps its number: "3".
    """
    folded = fold(text)
    stripped = _NOISE_RE.sub("", folded).strip()
    return stripped or folded


def _without_authority(text: str) -> tuple[str, list[str]]:
    """The folded name without leading authority words, and the words of the name as written after them."""
    words = text.split()
    folded = fold(text)
    while match := _AUTHORITY_RE.match(folded + " "):
        dropped = len(match[0].split())
        folded, words = " ".join(folded.split()[dropped:]), words[dropped:]
    return folded, words


def split_level(text: str) -> tuple[LevelWord | None, str]:
    """The level word a name begins with (after "UBND"), and the rest of the name as written.

    "UBND xã Hải Triều" → (Xã, "Hải Triều"); "TT. Vương" → (Thị trấn, "Vương"); "Hải Triều" → (None, "Hải Triều").
    """
    folded, words = _without_authority(text)
    for word in _WORDS:
        if folded.startswith(word + " "):
            rest = " ".join(words[len(word.split()) :]).lstrip(". ")
            return _BY_WORD[word], rest
    return None, " ".join(words)


def spelled_out(text: str) -> str:
    """The folded name without authority words and with a leading abbreviation written out: "UBND TT Vương" →
    "thi tran vuong". A unit's kind, folded, is then a prefix of it when the name says that level."""
    folded, _words = _without_authority(text)
    level, _rest = split_level(text)
    if level is None:
        return folded
    for abbreviation in level.abbreviations:
        if folded.startswith(abbreviation + " "):
            return level.folded + folded[len(abbreviation) :]
    return folded


def says_kind(text: str, kind: str) -> bool:
    """Whether the name, as typed, begins with the unit kind `kind` ("Thị trấn", "Phường"), abbreviated or not."""
    return bool(kind) and spelled_out(text).startswith(fold(kind) + " ")


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
