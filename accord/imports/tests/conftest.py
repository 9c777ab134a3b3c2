"""Shared set-up for the import tests: uploads in a scratch folder, fixture files, small CSVs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def write_csv(tmp_path: Path) -> Any:
    """Write rows (the first is the header) to a CSV file and return its path."""

    def write(
        rows: list[list[Any]],
        name: str = "file.csv",
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
    ) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding=encoding) as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)
        return path

    return write
