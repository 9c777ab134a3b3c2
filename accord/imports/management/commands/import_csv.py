"""`accord import {accounts|leads|deals|campaigns|touches} FILE`: a CSV file into the record."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.errors import AccordError
from accord.imports.base import REJECTION_HEADERS, ImportResult, Progress
from accord.imports.engine import import_file
from accord.imports.fields import ENTITIES
from accord.imports.mapping import load_mapping
from accord.imports.presets import PRESETS

SHOWN_REJECTIONS = 10
BAR_WIDTH = 30


class ProgressBar:
    """A plain progress bar on a terminal; silent when the output is a file or a pipe."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.last = ""

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        filled = int(progress.fraction * BAR_WIDTH)
        line = (
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress.fraction:4.0%}  "
            f"{progress.rows:,} rows"
        )
        if line != self.last:
            self.stream.write(line)
            self.stream.flush()
            self.last = line

    def close(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import a CSV file of accounts, leads, deals, campaigns or touches. Idempotent: "
        "re-running a file changes nothing, and a file stopped half-way completes on a re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help=f"what the file holds: {', '.join(ENTITIES)}")
        parser.add_argument("file", help="the CSV file (comma, semicolon or tab separated)")
        parser.add_argument("--preset", help=f"the file is an export of: {', '.join(PRESETS)}")
        parser.add_argument("--mapping", help="a JSON mapping of columns to fields")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        parser.add_argument(
            "--errors", help="write the rejected rows, with the reason, to this CSV file"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        entity: str = opts["entity"]
        if entity not in ENTITIES:
            raise CommandError(f"unknown record type {entity!r}; use one of {', '.join(ENTITIES)}")
        preset = opts["preset"]
        if preset and preset not in PRESETS:
            raise CommandError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
        errors_path = Path(opts["errors"]) if opts["errors"] else None
        if errors_path is not None and not errors_path.parent.is_dir():
            raise CommandError(f"cannot write {errors_path}: no such folder")
        bar = ProgressBar(sys.stderr)
        try:
            mapping = load_mapping(opts["mapping"], entity) if opts["mapping"] else None
            result = import_file(
                entity=entity,
                path=opts["file"],
                by=None,
                mapping=mapping,
                preset=preset,
                dry_run=opts["dry_run"],
                on_progress=bar,
            )
        except AccordError as exc:
            raise CommandError(exc.message) from exc
        finally:
            bar.close()
        self.report(result, Path(opts["file"]).name, errors_path)

    def report(self, result: ImportResult, name: str, errors_path: Path | None) -> None:
        for notice in result.notices:
            self.stdout.write(f"note: {notice}")
        if result.properties:
            self.stdout.write("new custom properties: " + ", ".join(result.properties))
        prefix = "dry run, nothing written: " if result.dry_run else ""
        self.stdout.write(f"{prefix}{result.entity} from {name}: {result.summary()}")
        if not result.rejected:
            return
        if errors_path is not None:
            with errors_path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(REJECTION_HEADERS)
                writer.writerows(r.as_row() for r in result.rejected)
            self.stdout.write(f"rejected rows written to {errors_path}")
            return
        for rejection in result.rejected[:SHOWN_REJECTIONS]:
            column = f", column {rejection.column!r}" if rejection.column else ""
            self.stderr.write(f"row {rejection.row}{column}: {rejection.reason}")
        more = len(result.rejected) - SHOWN_REJECTIONS
        if more > 0:
            self.stderr.write(f"… and {more:,} more; use --errors FILE to get them all")
