"""Vietnamese alphabetical order (a ă â b c d đ e ê …, tones after letters), the one rule every list
sorted by name uses: ICU's Vietnamese collation, in the database where it can, in Python otherwise.

PostgreSQL ships ICU collations ("vi-x-icu"); SQLite gets the same ICU collator registered on each
connection (units.apps). Python lists (a dispatch appendix built in memory) sort with `name_key`.
"""

from functools import lru_cache

import icu
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

SQLITE_COLLATION = "vi_icu"
POSTGRESQL_COLLATION = "vi-x-icu"


@lru_cache(maxsize=1)
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("vi_VN"))


def name_key(text: str) -> bytes:
    """The sort key of a name in Vietnamese order (for `sorted(..., key=...)`)."""
    return _collator().getSortKey(text or "")


def compare(a: str, b: str) -> int:
    return _collator().compare(a or "", b or "")


def by_name(field: str = "name", *, descending: bool = False):
    """An `order_by` term for `field` in Vietnamese order (or its reverse), whatever the database."""
    collation = POSTGRESQL_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
    term = Collate(F(field), collation)
    return term.desc() if descending else term.asc()


def register_sqlite(sender=None, connection=None, **kwargs) -> None:
    """connection_created receiver: teach SQLite the Vietnamese collation."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, compare)
