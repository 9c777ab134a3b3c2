"""Paths and readers for the committed fixture files."""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str) -> Path:
    return FIXTURES / name


def read_fixture(name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    with fixture(name).open(newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))
