"""The CSV import: one file of one kind of record, batch by batch, idempotent.

``import_file`` is the one entry point; the ``accord import`` command, the wizard's task and the
wizard's preview all call it. Each batch (``settings.ACCORD_IMPORT_BATCH`` rows) is one
transaction, so a crash leaves whole batches only, and re-running the file completes it without
duplicates: every record is matched on its keys before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import psycopg
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from accord.agreement.tasks import accounts_refresh_later, leads_refresh_later
from accord.errors import AccordError, Conflict
from accord.funnel.models import PipelineStage, PropertyDefinition, PropertyType
from accord.funnel.properties import coerce, infer_type
from accord.funnel.services import property_define
from accord.imports.base import (
    Column,
    ImportResult,
    Progress,
    Rejection,
    empties_of,
    is_sqlite,
)
from accord.imports.csvfile import CsvSource, Row
from accord.imports.fields import (
    ENTITIES,
    FIELDS,
    PROPERTY_ENTITY,
    STAGE_DATE_FIELDS,
    DateReader,
    FieldSpec,
    not_in_future,
    parse_domain,
    parse_email,
)
from accord.imports.mapping import Mapping, Plan, Target, parse_mapping, plan_columns
from accord.imports.records import LOADERS, AccountLoader, LeadLoader
from accord.imports.touches import TouchLoader
from accord.teams.models import User

SAMPLE_ROWS = 1000
BULK_CACHE_SIZE = -64 * 1024  # KiB, as SQLite counts a negative cache_size
BULK_CHECKPOINT_PAGES = 100_000
BATCH_ATTEMPTS = 3


class Loader(Protocol):
    def load(self, rows: list[Row]) -> None: ...


def _link_parser(by: str) -> Callable[[str], Any]:
    if by == "email":
        return parse_email
    if by == "domain":
        return parse_domain
    if by == "id":

        def parse_id(text: str) -> int:
            if not text.isdigit():
                raise ValueError(f"{text!r} is not an id")
            return int(text)

        return parse_id
    return str


def _deal_stage_parser() -> Callable[[str], tuple[str, Any]]:
    stages = {name.lower(): pk for pk, name in PipelineStage.objects.values_list("pk", "name")}
    names = ", ".join(PipelineStage.objects.values_list("name", flat=True))
    closed = {
        "won": "won",
        "closed won": "won",
        "closedwon": "won",
        "lost": "lost",
        "closed lost": "lost",
        "closedlost": "lost",
        "open": "open",
    }

    def parse(text: str) -> tuple[str, Any]:
        key = text.strip().lower()
        if key in closed:
            return ("status", closed[key])
        if key in stages:
            return ("pipeline", stages[key])
        raise ValueError(f"unknown pipeline stage {text!r}; stages are {names}, won and lost")

    return parse


def _column_values(sample: list[Row], index: int, empties: frozenset[str]) -> list[str]:
    out = []
    for row in sample:
        value = row.values[index].strip() if index < len(row.values) else ""
        if value not in empties:
            out.append(value)
    return out


def _infer(samples: list[str]) -> str:
    """The property type of a column: the narrowest that fits every sample value, or one that
    fits four in five (and at least five) of them, so a stray word in a number column is a
    rejected row rather than a text property."""
    type_ = infer_type(samples)
    if type_ != PropertyType.TEXT or len(samples) < 5:
        return type_
    for candidate in (PropertyType.NUMBER, PropertyType.DATE, PropertyType.BOOLEAN):
        fits = 0
        for value in samples:
            try:
                coerce(candidate, value)
            except ValueError:
                continue
            fits += 1
        if fits >= 5 and fits >= 0.8 * len(samples):
            return candidate
    return PropertyType.TEXT


@dataclass
class Compiled:
    plan: Plan
    columns: list[Column]
    empties: frozenset[str]
    new_properties: list[tuple[str, str, str]]  # key, label, type
    date_reader: DateReader


def compile_plan(plan: Plan, sample: list[Row]) -> Compiled:
    """Each mapped column with the parser that turns its cells into values.

    Custom property types come from their declaration, or are inferred from the sample; date
    columns learn from the sample whether they write day or month first.
    """
    entity = plan.entity
    empties = empties_of(plan.empty_values)
    prop_entity = PROPERTY_ENTITY.get(entity)
    declared = (
        {d.key: d.type for d in PropertyDefinition.objects.filter(entity=prop_entity)}
        if prop_entity
        else {}
    )
    columns: list[Column] = []
    new_properties: list[tuple[str, str, str]] = []
    readers: list[DateReader] = []
    for index, (header, target) in enumerate(zip(plan.headers, plan.targets, strict=True)):
        if target.kind == "ignore":
            continue
        values = target.value_map
        samples = _column_values(sample, index, empties)
        if target.kind == "property":
            type_ = declared.get(target.key)
            if type_ is None:
                if values is not None:
                    samples = [values.get(s.lower(), s) or "" for s in samples]
                type_ = _infer(samples)
                new_properties.append((target.key, header, type_))
                declared[target.key] = type_

            def parse_prop(text: str, type_: str = type_) -> Any:
                try:
                    return coerce(type_, text)
                except ValueError as exc:
                    raise ValueError(f"{exc} (custom property is {type_})") from exc

            columns.append(Column(index, header, target, None, parse_prop, values))
            continue
        spec: FieldSpec = FIELDS[entity][target.field]
        parse: Callable[[str], Any]
        if spec.kind == "link":
            parse = _link_parser(target.by)
        elif spec.kind in ("datetime", "stage_date"):
            reader = DateReader(DateReader.order_of(samples))
            readers.append(reader)
            if spec.kind == "stage_date" or target.field == "created_at":

                def parse(text: str, reader: DateReader = reader) -> Any:
                    return not_in_future(reader.to_datetime(text))

            else:
                parse = reader.to_datetime
        elif spec.kind == "date":
            reader = DateReader(DateReader.order_of(samples))
            parse = reader.to_date
        elif spec.kind == "deal_stage":
            parse = _deal_stage_parser()
        else:
            assert spec.parse is not None
            parse = spec.parse
        columns.append(Column(index, header, target, spec, parse, values))
    date_reader = readers[0] if readers else DateReader()
    return Compiled(plan, columns, empties, new_properties, date_reader)


def _plan(
    source: CsvSource,
    entity: str,
    mapping: Mapping | dict[str, Any] | None,
    preset: str | None,
) -> Plan:
    if entity not in ENTITIES:
        raise AccordError(
            f"unknown record type {entity!r}; use one of {', '.join(ENTITIES)}",
            fields={"entity": ["unknown"]},
        )
    if isinstance(mapping, dict):
        mapping = parse_mapping(mapping, entity)
    return plan_columns(source.headers, entity, mapping=mapping, preset=preset or None)


def _declare(compiled: Compiled, entity: str, by: User | None, result: ImportResult) -> None:
    prop_entity = PROPERTY_ENTITY.get(entity)
    if not prop_entity:
        return
    for key, label, type_ in compiled.new_properties:
        try:
            property_define(entity=prop_entity, label=label, type=type_, by=by, key=key)
        except Conflict:
            continue  # declared meanwhile by another import: its type is the one that holds
        result.properties.append(key)


def _loader(
    entity: str, compiled: Compiled, width: int, by: User | None, result: ImportResult
) -> Loader:
    if entity == "touches":
        return TouchLoader(
            columns=compiled.columns,
            empties=compiled.empties,
            width=width,
            by=by,
            result=result,
            date_reader=compiled.date_reader,
        )
    return LOADERS[entity](
        columns=compiled.columns, empties=compiled.empties, width=width, by=by, result=result
    )


@contextmanager
def _bulk_session() -> Iterator[None]:
    """Tune this database session for a bulk load, and put it back afterwards.

    SQLite: a 64 MiB page cache (the default 2 MiB makes every index insert of a large table a
    read), and checkpoints of the write-ahead log every ~400 MB instead of every 4 MB: each
    batch dirties pages all over the touch table's indexes, and checkpointing after every batch
    or two writes the same pages to the database again and again. Durability is unchanged: each
    batch is still its own committed transaction.
    """
    if not is_sqlite():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        checkpoint = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size")
        cache = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA wal_autocheckpoint = {max(checkpoint, BULK_CHECKPOINT_PAGES)}")
        cursor.execute(f"PRAGMA cache_size = {BULK_CACHE_SIZE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")
            cursor.execute(f"PRAGMA cache_size = {cache}")
            if not connection.in_atomic_block:
                # Copy the log into the database and shrink it back (it grew to hundreds of MB).
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _batch_transaction() -> None:
    """On PostgreSQL, a batch's commit does not wait for the disk.

    A crash of the database server may lose the last batches reported as committed (never part
    of one: the server stays consistent); importing the file again restores them, since the
    import is idempotent. Everything else in Accord keeps synchronous commits.
    """
    if not is_sqlite():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _written_clear(loader: Loader) -> None:
    if isinstance(loader, TouchLoader):
        loader.lead_ids.clear()
    elif isinstance(loader, AccountLoader | LeadLoader):
        loader.written_ids.clear()


def _refresh_later(loader: Loader) -> None:
    """Once the batch commits, one background task re-matches, re-scores and qualifies the
    leads it concerns (the agreement's hook): the import itself does no per-lead work."""
    if isinstance(loader, TouchLoader):
        leads_refresh_later(loader.lead_ids)
    elif isinstance(loader, LeadLoader):
        leads_refresh_later(loader.written_ids)
    elif isinstance(loader, AccountLoader):
        accounts_refresh_later(loader.written_ids)


def _load_batch(loader: Loader, batch: list[Row], result: ImportResult) -> None:
    """Load one batch in one transaction.

    Another writer (a second import of the same file, the bulk API) may store one of the batch's
    records between our lookup and our insert; the batch then fails on a unique key as a whole,
    and is loaded again, finding that record stored.
    """
    for attempt in range(BATCH_ATTEMPTS):
        counts = (result.created, result.updated, result.unchanged, len(result.rejected))
        try:
            with transaction.atomic():
                _batch_transaction()
                _written_clear(loader)
                loader.load(batch)
                _refresh_later(loader)
            return
        except (IntegrityError, psycopg.errors.IntegrityError) as exc:
            result.created, result.updated, result.unchanged = counts[:3]
            del result.rejected[counts[3] :]
            if attempt == BATCH_ATTEMPTS - 1:
                raise AccordError(
                    f"rows {batch[0].number} to {batch[-1].number} clash with records another "
                    "import is writing at the same time; run the import again once it is done"
                ) from exc


def import_file(
    *,
    entity: str,
    path: str | Path,
    by: User | None,
    mapping: Mapping | dict[str, Any] | None = None,
    preset: str | None = None,
    dry_run: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    limit: int | None = None,
    batch_size: int | None = None,
) -> ImportResult:
    """Import ``path`` as ``entity`` records and say what happened to every row.

    Raises AccordError for a file or mapping that cannot be used at all (no such file, a bad
    mapping, an unknown preset); a bad row never stops the import, it is reported in
    ``result.rejected``. With ``dry_run`` everything is done and then rolled back.
    """
    source = CsvSource(path)
    plan = _plan(source, entity, mapping, preset)
    result = ImportResult(
        entity=entity,
        dry_run=dry_run,
        encoding=source.encoding,
        delimiter=source.delimiter,
        notices=list(plan.notices),
    )
    size = batch_size or settings.ACCORD_IMPORT_BATCH
    sample = source.sample(SAMPLE_ROWS)
    with _bulk_session(), transaction.atomic() if dry_run else nullcontext():
        compiled = compile_plan(plan, sample)
        _declare(compiled, entity, by, result)
        loader = _loader(entity, compiled, len(source.headers), by, result)
        for batch in source.batches(size, limit=limit):
            _load_batch(loader, batch, result)
            result.rows += len(batch)
            if on_progress is not None:
                fraction = min(source.position / source.size, 1.0) if source.size else 1.0
                on_progress(Progress(result.rows, fraction, result))
        if dry_run:
            transaction.set_rollback(True)
    accounts_created = getattr(loader, "accounts_created", 0)
    if accounts_created:
        result.notices.append(f"{accounts_created:,} accounts were created from company names")
    result.rejected.sort(key=lambda r: r.row)
    return result


# --- the wizard's preview ----------------------------------------------------------------------


@dataclass
class PreviewCell:
    header: str
    target: str
    raw: str
    value: str
    error: str = ""


@dataclass
class PreviewRow:
    number: int
    cells: list[PreviewCell]
    rejection: Rejection | None = None


@dataclass
class Preview:
    plan: Plan
    rows: list[PreviewRow]
    result: ImportResult


def _display(value: Any) -> str:
    if isinstance(value, tuple):  # a deal stage: ("status", "won") or ("pipeline", id)
        return str(value[1])
    if hasattr(value, "isoformat"):
        return str(value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def preview_file(
    *,
    entity: str,
    path: str | Path,
    by: User | None,
    mapping: Mapping | dict[str, Any] | None = None,
    preset: str | None = None,
    rows: int = 20,
) -> Preview:
    """The first ``rows`` rows as the import reads them, and what a run would do with them.

    The verdicts come from a dry run of those rows, so the preview rejects exactly what the import
    will reject (a link to a lead that does not exist included). Nothing is written.
    """
    source = CsvSource(path)
    plan = _plan(source, entity, mapping, preset)
    compiled = compile_plan(plan, source.sample(SAMPLE_ROWS))
    result = import_file(
        entity=entity, path=path, by=by, mapping=plan.as_mapping(), dry_run=True, limit=rows
    )
    rejections = {r.row: r for r in result.rejected}
    out = []
    by_index = {c.index: c for c in compiled.columns}
    for row in source.rows(limit=rows):
        cells = []
        rejection = rejections.get(row.number)
        for index, (header, target) in enumerate(zip(plan.headers, plan.targets, strict=True)):
            if target.kind == "ignore":
                continue
            raw = row.values[index].strip() if index < len(row.values) else ""
            cell = PreviewCell(header, target.describe(entity), raw, "")
            column = by_index.get(index)
            if column is not None and raw not in compiled.empties:
                text = (column.values.get(raw.lower(), raw) if column.values else raw) or ""
                try:
                    cell.value = _display(column.parse(text)) if text else ""
                except ValueError as exc:
                    cell.error = str(exc)
            if rejection is not None and rejection.column == header and not cell.error:
                cell.error = rejection.reason
            cells.append(cell)
        out.append(PreviewRow(row.number, cells, rejection))
    return Preview(plan, out, result)


def targets_for(entity: str) -> list[tuple[str, str]]:
    """Every target a column can take for ``entity``, as (mapping value, label) pairs for the UI."""
    options: list[tuple[str, str]] = []
    for spec in FIELDS[entity].values():
        if spec.kind == "link":
            for by in spec.by:
                options.append(
                    (f"{spec.name}:{by}", Target("field", spec.name, by).describe(entity))
                )
        else:
            options.append((spec.name, spec.label))
    return options


__all__ = [
    "STAGE_DATE_FIELDS",
    "ImportResult",
    "Preview",
    "Progress",
    "Rejection",
    "import_file",
    "preview_file",
    "targets_for",
]
