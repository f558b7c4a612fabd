"""Data that many tests start from, built by the real services once per test process and put back
with COPY for the tests after.

The portal tests start from the demo district with a year of rankings, published or not. Built
through the services (`rankings_compute`, `publication_publish`), that takes 8 to 10 seconds, and
about 90 tests ask for it. So the first test that asks builds it, and its fixture keeps what the
build changed, row by row, as the database holds it inside that test's transaction: the rows it
removed (by key) and the rows it added. A later test gets the same change back (a DELETE and a COPY
per table) in its own transaction, and rolls it back like any other data.

A change is put back only onto the state it was taken from: every table must read exactly as it did
before the build (a fingerprint of its whole content). A transactional test that flushed and reloaded
the units, or a test that asked for other data first, gets a new build instead. PostgreSQL only;
elsewhere every test builds.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class _Change:
    """What a build did to one table: the keys (as text) of the rows it removed or rewrote, and the
    rows it added or rewrote, as COPY text."""

    key: str
    sequences: list[dict]  # the table's sequences, as the introspection names them
    removed: list[str]
    added: bytes


@dataclass(frozen=True)
class _Copy:
    before: dict[str, str]  # every table's fingerprint before the build
    after: dict[str, str]  # and after it
    changes: dict[str, _Change]  # by table


_copies: dict[str, _Copy] = {}


def shared_data(name: str, build: Callable[[], None]) -> None:
    """Bring the database to the state `build` leaves it in: by the change saved under `name` when
    the database is as it was before that build, else by running `build` (and saving its change)."""
    if connection.vendor != "postgresql":
        build()
        return
    before = _fingerprints()
    saved = _copies.get(name)
    if saved is not None and saved.after == before:  # already there (a fixture that builds on another)
        return
    if saved is not None and saved.before == before:
        _restore(saved.changes)
        return
    rows_before = {table: _dump(table) for table in before}
    build()
    after = _fingerprints()
    changes = {
        table: _change(table, rows_before.get(table, b"")) for table in after if before.get(table) != after[table]
    }
    _copies[name] = _Copy(before, after, changes)


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor, include_views=False))


def _fingerprints() -> dict[str, str]:
    """An md5 of each table's rows in a fixed order: equal prints, equal content (ids included)."""
    prints = {}
    with connection.cursor() as cursor:
        for table in _tables():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {quoted} t")
            count, digest = cursor.fetchone()
            prints[table] = f"{count}:{digest}"
    return prints


def _dump(table: str) -> bytes:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:
        return b"".join(bytes(block) for block in copy)


def _key_position(table: str) -> tuple[str, int]:
    """The primary key's column and its place among the columns COPY writes."""
    with connection.cursor() as cursor:
        key = connection.introspection.get_primary_key_column(cursor, table)
        columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
    return key, columns.index(key)


def _change(table: str, rows_before: bytes) -> _Change:
    """The rows the build removed or rewrote (their keys) and those it added or rewrote."""
    old, new = set(rows_before.splitlines()), set(_dump(table).splitlines())
    key, position = _key_position(table)  # COPY text escapes tabs and newlines inside values
    removed = [line.split(b"\t")[position].decode() for line in old - new]
    with connection.cursor() as cursor:
        sequences = connection.introspection.get_sequences(cursor, table)
    return _Change(key, sequences, removed, b"".join(line + b"\n" for line in new - old))


def _restore(changes: dict[str, _Change]) -> None:
    """Remove and add each table's rows as the build did, then move each sequence past the ids added.

    As a superuser (the test databases here), without the foreign-key triggers, as pg_restore's
    --disable-triggers does: the rows were consistent when copied and the tables they refer to are
    as they were then, and checking their 10,000 keys again would cost each test some 1.5 s."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW is_superuser")
        trusted = cursor.fetchone()[0] == "on"
        if trusted:
            cursor.execute("SET session_replication_role = replica")
        try:
            for table, change in changes.items():
                _apply(cursor, table, change)
        finally:
            if trusted:
                cursor.execute("SET session_replication_role = DEFAULT")


def _apply(cursor, table: str, change: _Change) -> None:
    quoted = connection.ops.quote_name(table)
    if change.removed:
        key = connection.ops.quote_name(change.key)
        cursor.execute(f"DELETE FROM {quoted} WHERE {key}::text = ANY(%s)", [change.removed])
    if change.added:
        with cursor.cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
            copy.write(change.added)
    for sequence in change.sequences:
        column, name = (connection.ops.quote_name(sequence[k]) for k in ("column", "name"))
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), max({column})) FROM {quoted} "
            f"HAVING max({column}) >= (SELECT last_value FROM {name})",
            [table, sequence["column"]],
        )
