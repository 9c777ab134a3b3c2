"""Set-based writes for the bulk paths (imports, bulk API): COPY on PostgreSQL, executemany in
one transaction on SQLite. Never per-row ORM saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
) -> int:
    """Insert ``rows`` into ``table``; rows clashing on the ``conflict`` columns are skipped.

    Returns the number of rows inserted. Call inside a transaction.
    """
    if not rows:
        return 0
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if is_postgres():
            # COPY into a temporary twin of the table, then one INSERT … SELECT: COPY's speed
            # with ON CONFLICT's idempotency.
            staging = f"_stage_{table}"
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            on_conflict = f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING" if conflict else ""
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging}{on_conflict}"
            )
            return int(cursor.rowcount)
        verb = "INSERT OR IGNORE" if conflict else "INSERT"
        placeholders = ", ".join(["%s"] * len(columns))
        before = connection.connection.total_changes
        cursor.executemany(f"{verb} INTO {table} ({cols}) VALUES ({placeholders})", rows)
        return int(connection.connection.total_changes - before)


def copy_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Append rows known to be new, by the fastest path each engine has."""
    if not rows:
        return 0
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if is_postgres():
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", rows)
        return len(rows)


def update_rows(table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Update ``columns`` of the rows whose ``key`` is each row's first value."""
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if is_postgres():
            staging = f"_upd_{table}"
            cols = ", ".join([key, *columns])
            # A typed, constraint-free twin holding only the columns being changed.
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            with cursor.cursor.copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{c} = s.{c}" for c in columns)
            cursor.execute(f"UPDATE {table} t SET {sets} FROM {staging} s WHERE t.{key} = s.{key}")
            return int(cursor.rowcount)
        sets = ", ".join(f"{c} = %s" for c in columns)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE {key} = %s",
            [(*row[1:], row[0]) for row in rows],
        )
        return len(rows)


def db_datetime(value: datetime | None) -> Any:
    """A datetime as the engine stores it: aware on PostgreSQL, naive UTC text on SQLite.

    Raw executemany on SQLite would store an aware value as ``…+00:00`` text, which the ORM's
    comparisons (naive UTC text) do not match.
    """
    if value is None or is_postgres():
        return value
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))
