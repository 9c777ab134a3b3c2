"""What the import's parts share: results, rejections, compiled columns and set-based lookups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, models

from accord.bulk import db_datetime
from accord.imports.csvfile import Row
from accord.imports.fields import FieldSpec
from accord.imports.mapping import Target


@dataclass
class Rejection:
    """A row that was not imported: its number in the file (header = 1), the column at fault,
    the value found there, and why."""

    row: int
    column: str
    value: str
    reason: str

    def as_row(self) -> list[str]:
        return [str(self.row), self.column, self.value, self.reason]


REJECTION_HEADERS = ["row", "column", "value", "reason"]


@dataclass
class ImportResult:
    entity: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    rows: int = 0
    properties: list[str] = field(default_factory=list)  # custom properties declared
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = ""
    delimiter: str = ""

    def summary(self) -> str:
        return (
            f"created {self.created:,}, updated {self.updated:,}, "
            f"unchanged {self.unchanged:,}, rejected {len(self.rejected):,}"
        )


@dataclass
class Progress:
    """Reported after every batch: rows read so far and the share of the file behind us."""

    rows: int
    fraction: float
    result: ImportResult


@dataclass
class Column:
    """One mapped column of the file, ready to turn cells into values."""

    index: int
    header: str
    target: Target
    spec: FieldSpec | None
    parse: Callable[[str], Any]
    values: dict[str, str | None] | None = None

    @property
    def name(self) -> str:
        return self.target.key if self.target.kind == "property" else self.target.field


@dataclass
class Item:
    """A parsed row on its way to the database."""

    row: int
    fields: dict[str, Any]
    props: dict[str, Any]
    existing: dict[str, Any] | None = None
    id: int | None = None


class RowRejected(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def parse_row(
    row: Row, columns: Sequence[Column], empties: frozenset[str], width: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's field values and custom property values; RowRejected at the first bad cell."""
    values = row.values
    if len(values) > width and any(v.strip() for v in values[width:]):
        raise RowRejected(
            "", "", f"the row has {len(values)} values but the header has {width} columns"
        )
    fields: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for column in columns:
        raw = values[column.index].strip()
        if raw in empties:
            continue
        text: str | None = raw
        if column.values is not None:
            text = column.values.get(raw.lower(), raw)
            if not text:
                continue
        try:
            value = column.parse(text)  # type: ignore[arg-type]
        except ValueError as exc:
            raise RowRejected(column.header, raw, str(exc)) from exc
        if column.target.kind == "property":
            props[column.target.key] = value
        else:
            fields[column.target.field] = value
    return fields, props


def empties_of(values: Iterable[str]) -> frozenset[str]:
    """The empty markers in the cases exports write them, so a cell is checked without lower()."""
    out: set[str] = set()
    for value in values:
        value = value.strip()
        out |= {value, value.lower(), value.upper(), value.title(), value.capitalize()}
    return frozenset(out)


# --- the database ------------------------------------------------------------------------------


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def max_params() -> int:
    if is_sqlite():
        raw = connection.connection
        if raw is not None:
            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) - 10
        return 900
    return 30_000


def lookup(
    model: type[models.Model],
    field_name: str,
    values: Iterable[Any],
    columns: Sequence[str],
    *,
    extra: dict[str, Any] | None = None,
) -> dict[Any, dict[str, Any]]:
    """Rows of ``model`` whose ``field_name`` is among ``values``, keyed by that value.

    One IN query (split only past the engine's bound-parameter limit). Where several rows share a
    value the oldest wins.
    """
    wanted = list(dict.fromkeys(v for v in values if v is not None))
    found: dict[Any, dict[str, Any]] = {}
    if not wanted:
        return found
    size = max_params()
    names = list(dict.fromkeys([field_name, *columns]))
    for start in range(0, len(wanted), size):
        chunk = wanted[start : start + size]
        qs = model._default_manager.filter(**{f"{field_name}__in": chunk, **(extra or {})})
        for values_row in qs.order_by("-pk").values(*names):
            found[values_row[field_name]] = values_row
    return found


def raw_lookup(
    table: str, key: str, values: Sequence[Any], columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``key`` and ``columns`` of the rows of ``table`` whose ``key`` is among ``values``.

    Plain SQL for the hot paths: building a 5,000-value IN through the ORM costs more than
    running it. One query (``= ANY`` of an array on PostgreSQL; IN on SQLite, split only past its
    bound-parameter limit).
    """
    if not values:
        return []
    selected = ", ".join([key, *columns])
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if not is_sqlite():
            import psycopg

            # A server-side-binding cursor sends the array in binary (%b), without quoting each
            # element in Python as Django's client-side-binding cursors would.
            with psycopg.Cursor(connection.connection) as raw:
                raw.execute(f"SELECT {selected} FROM {table} WHERE {key} = ANY(%b)", [list(values)])
                return list(raw.fetchall())
        size = max_params()
        for start in range(0, len(values), size):
            chunk = values[start : start + size]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {selected} FROM {table} WHERE {key} IN ({marks})", chunk)
            out.extend(cursor.fetchall())
    return out


def db_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return db_datetime(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


@dataclass
class TableShape:
    """The columns of a model's table and the default of each, for rows written in bulk."""

    table: str
    attnames: list[str]
    columns: list[str]
    defaults: dict[str, Any]

    def row(self, values: dict[str, Any]) -> list[Any]:
        defaults = self.defaults
        return [db_value(values[a]) if a in values else defaults[a] for a in self.attnames]


def table_shape(model: type[models.Model]) -> TableShape:
    """Every column but the primary key, with the model's defaults, so bulk rows stay valid when
    a later version adds a field with a default."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: db_value(f.get_default()) for f in fields}
    return TableShape(
        table=model._meta.db_table,
        attnames=[f.attname for f in fields],
        columns=[str(f.column) for f in fields],
        defaults=defaults,
    )
