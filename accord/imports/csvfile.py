"""Reading a CSV export as it comes: its encoding and dialect detected, its rows streamed.

A file of a million rows is never held in memory: rows are read one at a time and handed out in
batches. Row numbers are those a spreadsheet shows, the header being row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from accord.errors import AccordError

# Exports put long free text in single cells; the csv module's default cap (128 KiB) is too low.
csv.field_size_limit(16 * 1024 * 1024)

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
SCAN_CHUNK = 1024 * 1024


def _is_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8 (a fast C-level pass, about 1 GB/s)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(SCAN_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a byte order mark), UTF-16 with a mark, else Latin-1."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8" if _is_utf8(path) else "latin-1"


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's lines into the most, equally many, fields."""
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut short
    lines = [line for line in lines if line.strip()][:50]
    if not lines:
        return ","
    best, best_score = ",", (False, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        # A consistent width across the lines beats a wider but ragged split.
        consistent = all(w == widths[0] for w in widths)
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a binary file, for progress reporting while streaming."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.bytes_read += n or 0
        return int(n or 0)

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass(slots=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: list[str]


class CsvSource:
    """An open CSV file: its detected encoding and delimiter, its headers, and its rows."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise AccordError(f"no such file: {self.path}")
        self.size = self.path.stat().st_size
        if self.size == 0:
            raise AccordError(f"{self.path.name} is empty")
        self.encoding = detect_encoding(self.path)
        with self.path.open("rb") as handle:
            sample = handle.read(SNIFF_BYTES)
        text = sample.decode(self.encoding, errors="ignore")
        self.delimiter = detect_delimiter(text)
        self.bytes_read = 0
        self._counter: _CountingReader | None = None
        self.headers = self._read_headers()

    def _open(self) -> tuple[_CountingReader, Iterator[list[str]]]:
        counter = _CountingReader(self.path.open("rb"))
        text = io.TextIOWrapper(
            io.BufferedReader(counter, buffer_size=256 * 1024), encoding=self.encoding, newline=""
        )
        return counter, csv.reader(text, delimiter=self.delimiter)

    def _read_headers(self) -> list[str]:
        counter, reader = self._open()
        try:
            first = next(reader, None)
        except csv.Error as exc:
            raise AccordError(f"{self.path.name} is not a readable CSV file: {exc}") from exc
        finally:
            counter.close()
        if first is None or not any(cell.strip() for cell in first):
            raise AccordError(f"{self.path.name} has no header row")
        headers = [
            cell.strip().lstrip("\ufeff") or f"Column {i + 1}" for i, cell in enumerate(first)
        ]
        seen: dict[str, int] = {}
        for header in headers:
            if header.lower() in seen:
                raise AccordError(
                    f"{self.path.name} has two columns named {header!r}; rename one and try again"
                )
            seen[header.lower()] = 1
        return headers

    def rows(self, limit: int | None = None) -> Iterator[Row]:
        """The data rows, streamed; blank lines are skipped but keep their row numbers."""
        counter, reader = self._open()
        self._counter = counter
        width = len(self.headers)
        try:
            next(reader, None)
            number = 1
            for values in reader:
                number += 1
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                if len(values) < width:
                    values.extend([""] * (width - len(values)))
                yield Row(number, values)
                if limit is not None and number - 1 >= limit:
                    return
        except csv.Error as exc:
            raise AccordError(
                f"row {number + 1} of {self.path.name} cannot be read: {exc}"
            ) from exc
        finally:
            self.bytes_read = counter.bytes_read
            counter.close()
            self._counter = None

    def batches(self, size: int, limit: int | None = None) -> Iterator[list[Row]]:
        batch: list[Row] = []
        for row in self.rows(limit=limit):
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    @property
    def position(self) -> int:
        """Bytes read so far by the current pass over the rows (ahead by at most one buffer)."""
        return self._counter.bytes_read if self._counter is not None else self.bytes_read

    def sample(self, rows: int = 1000) -> list[Row]:
        return list(self.rows(limit=rows))
