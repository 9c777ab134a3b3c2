"""Keyset (cursor) pagination shared by list pages and the API.

A page costs one query whatever its size or position: rows are ordered by a sort field and the
primary key, and the cursor carries the last row's values. No COUNT over a million rows.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q

from accord.errors import AccordError

M = TypeVar("M", bound=models.Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None
    sort: str


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_encode(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError
        return [_decode(v) for v in values]
    except (ValueError, TypeError) as exc:
        raise AccordError(
            "invalid cursor", fields={"cursor": ["not a cursor from this list"]}
        ) from exc


def paginate(queryset: models.QuerySet[M], *, sort: str, cursor: str | None, limit: int) -> Page[M]:
    """One page of ``queryset`` ordered by ``sort`` (a field, ``-`` for descending) then pk.

    Rows whose sort value is NULL are skipped by the keyset comparison, so sort fields must not be
    nullable (callers choose from a list of safe sort keys).
    """
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    direction = "-" if descending else ""
    qs = queryset.order_by(f"{direction}{field}", f"{direction}pk")
    if cursor:
        last_value, last_pk = decode_cursor(cursor)
        op = "lt" if descending else "gt"
        qs = qs.filter(
            Q(**{f"{field}__{op}": last_value}) | Q(**{field: last_value, f"pk__{op}": last_pk})
        )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = last
        for part in field.split("__"):
            value = getattr(value, part)
        next_cursor = encode_cursor([value, last.pk])
    return Page(items=rows, next_cursor=next_cursor, sort=sort)
