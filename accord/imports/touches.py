"""Loading touches: the hot path, built to run close to the speed of a raw bulk load.

Touches are immutable events keyed by ``external_id``, so a batch needs no update: parse the
cells with as little Python as possible, resolve leads and campaigns with one IN query per key,
and append the rows by COPY (PostgreSQL) or executemany (SQLite), skipping those whose external
id is already stored. A row without an external id gets one derived from its content, so
re-importing the same file still adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.bulk import copy_rows, insert_rows
from accord.campaigns.models import Campaign, Touch
from accord.funnel.models import Lead
from accord.imports.base import (
    Column,
    ImportResult,
    Rejection,
    is_sqlite,
    raw_lookup,
    table_shape,
)
from accord.imports.csvfile import Row
from accord.imports.fields import FUTURE_SLACK, DateReader
from accord.teams.models import User

KNOWN = ("external_id", "lead_id", "kind", "channel", "campaign_id", "content", "at")


class _Cached:
    """A parser whose answers are remembered: a file holds few distinct kinds and channels."""

    def __init__(self, parse: Callable[[str], Any], values: dict[str, str | None] | None) -> None:
        self.parse = parse
        self.values = values
        self.cache: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, raw: str) -> tuple[str | None, str | None]:
        """(value, None) or (None, reason)."""
        hit = self.cache.get(raw)
        if hit is None:
            text: str | None = raw
            if self.values is not None:
                text = self.values.get(raw.lower(), raw)
            if not text:
                hit = ("", None)
            else:
                try:
                    hit = (self.parse(text), None)
                except ValueError as exc:
                    hit = (None, str(exc))
            if len(self.cache) < 10_000:
                self.cache[raw] = hit
        return hit


class TouchLoader:
    def __init__(
        self,
        *,
        columns: Sequence[Column],
        empties: frozenset[str],
        width: int,
        by: User | None,
        result: ImportResult,
        date_reader: DateReader | None = None,
    ) -> None:
        self.result = result
        self.empties = empties
        self.width = width
        self.by_field = {c.target.field: c for c in columns if c.target.kind == "field"}
        self.reader = date_reader or DateReader()
        shape = table_shape(Touch)
        extra = [a for a in shape.attnames if a not in KNOWN]
        column_of = dict(zip(shape.attnames, shape.columns, strict=True))
        self.table = shape.table
        self.columns = [column_of[a] for a in (*KNOWN, *extra)]
        self.extra = tuple(shape.defaults[a] for a in extra)
        self.sqlite = is_sqlite()
        kind = self.by_field.get("kind")
        channel = self.by_field.get("channel")
        self.kind = _Cached(kind.parse, kind.values) if kind else None
        self.channel = _Cached(channel.parse, channel.values) if channel else None
        # Leads of the current batch's touches (the engine reads and clears them per batch).
        self.lead_ids: set[int] = set()

    def _index(self, field: str) -> int | None:
        column = self.by_field.get(field)
        return column.index if column else None

    def _header(self, field: str) -> str:
        column = self.by_field.get(field)
        return column.header if column else field

    def load(self, rows: list[Row]) -> None:
        rejected = self.result.rejected
        empties = self.empties
        width = self.width
        i_ext = self._index("external_id")
        i_lead = self._index("lead")
        i_kind = self._index("kind")
        i_channel = self._index("channel")
        i_campaign = self._index("campaign")
        i_content = self._index("content")
        i_at = self._index("at")
        lead_col = self.by_field.get("lead")
        lead_by = lead_col.target.by if lead_col else "external_id"
        campaign_col = self.by_field.get("campaign")
        campaign_by = campaign_col.target.by if campaign_col else "external_id"
        h_lead, h_kind, h_at = self._header("lead"), self._header("kind"), self._header("at")
        h_channel, h_content = self._header("channel"), self._header("content")
        h_campaign = self._header("campaign")
        kind_of, channel_of = self.kind, self.channel
        kind_cache = kind_of.cache if kind_of is not None else {}
        channel_cache = channel_of.cache if channel_of is not None else {}
        zone = self.reader.zone
        fromiso = datetime.fromisoformat
        latest = timezone.now() + FUTURE_SLACK
        # Times without a zone are the organisation's; when that is UTC (the default) they are
        # checked and stored without building an aware datetime for every row.
        naive_utc = zone.key == "UTC"
        latest_naive = latest.astimezone(UTC).replace(tzinfo=None)
        sqlite = self.sqlite
        lower = lead_by == "email"

        parsed: list[tuple[Any, ...]] = []
        for row in rows:
            values = row.values
            number = row.number
            if len(values) > width and any(v.strip() for v in values[width:]):
                rejected.append(
                    Rejection(
                        number,
                        "",
                        "",
                        f"the row has {len(values)} values but the header has {width} columns",
                    )
                )
                continue
            lead = values[i_lead].strip() if i_lead is not None else ""
            if lead in empties:
                rejected.append(Rejection(number, h_lead, "", "a touch needs its lead"))
                continue
            if lower:
                lead = lead.lower()
            raw_kind = values[i_kind].strip() if i_kind is not None else ""
            if raw_kind in empties or kind_of is None:
                rejected.append(Rejection(number, h_kind, "", "a touch needs a kind"))
                continue
            kind, reason = kind_cache.get(raw_kind) or kind_of(raw_kind)
            if reason is not None or not kind:
                rejected.append(
                    Rejection(number, h_kind, raw_kind, reason or "a touch needs a kind")
                )
                continue
            channel = ""
            if i_channel is not None and channel_of is not None:
                raw = values[i_channel].strip()
                if raw not in empties:
                    parsed_channel, reason = channel_cache.get(raw) or channel_of(raw)
                    if reason is not None:
                        rejected.append(Rejection(number, h_channel, raw, reason))
                        continue
                    channel = parsed_channel or ""
            raw_at = values[i_at].strip() if i_at is not None else ""
            if raw_at in empties:
                rejected.append(Rejection(number, h_at, "", "a touch needs a time"))
                continue
            try:
                at = fromiso(raw_at)
            except ValueError:
                try:
                    at = self.reader.to_datetime(raw_at)
                except ValueError as exc:
                    rejected.append(Rejection(number, h_at, raw_at, str(exc)))
                    continue
            if at.tzinfo is None and naive_utc:
                if at > latest_naive:
                    rejected.append(Rejection(number, h_at, raw_at, f"{raw_at} is in the future"))
                    continue
                stored: Any = str(at) if sqlite else at.replace(tzinfo=UTC)
            else:
                if at.tzinfo is None:
                    at = at.replace(tzinfo=zone)
                if at > latest:
                    rejected.append(Rejection(number, h_at, raw_at, f"{raw_at} is in the future"))
                    continue
                if not sqlite:
                    stored = at
                elif at.tzinfo is UTC:
                    stored = str(at)[:-6]  # "… 10:00:00+00:00" less its offset
                else:
                    stored = str(at.astimezone(UTC).replace(tzinfo=None))
            content = values[i_content].strip() if i_content is not None else ""
            if content in empties:
                content = ""
            elif len(content) > 200:
                rejected.append(
                    Rejection(number, h_content, content[:50], "is longer than 200 characters")
                )
                continue
            campaign = values[i_campaign].strip() if i_campaign is not None else ""
            if campaign in empties:
                campaign = ""
            ext = values[i_ext].strip() if i_ext is not None else ""
            if ext in empties:
                # Derived from the row's content, so the same row imported twice is one touch.
                key = f"{lead}\x1f{kind}\x1f{raw_at}\x1f{campaign}\x1f{content}"
                ext = "h:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
            elif len(ext) > 100:
                rejected.append(
                    Rejection(
                        number,
                        self._header("external_id"),
                        ext[:50],
                        "is longer than 100 characters",
                    )
                )
                continue
            parsed.append((number, ext, lead, kind, channel, campaign, content, stored))
        if parsed:
            self._write(parsed, lead_by, campaign_by, h_lead, h_campaign)

    def _ids(self, model: Any, by: str, keys: set[str]) -> dict[str, tuple[Any, ...]]:
        """Key → (id, channel) of the leads or campaigns the batch names."""
        if by == "id":
            wanted: list[Any] = [int(k) for k in keys if k.isdigit()]
        else:
            wanted = list(keys)
        columns = ["id", "channel"] if model is Campaign else ["id"]
        rows = raw_lookup(model._meta.db_table, by, wanted, columns)
        return {str(row[0]): row[1:] for row in rows}

    def _write(
        self,
        parsed: list[tuple[Any, ...]],
        lead_by: str,
        campaign_by: str,
        h_lead: str,
        h_campaign: str,
    ) -> None:
        rejected = self.result.rejected
        leads = self._ids(Lead, lead_by, {p[2] for p in parsed})
        campaign_keys = {p[5] for p in parsed if p[5]}
        campaigns = self._ids(Campaign, campaign_by, campaign_keys) if campaign_keys else {}
        seen: set[str] = set()
        extra = self.extra
        out: list[tuple[Any, ...]] = []
        unchanged = 0
        lead_label = {"external_id": "external id"}.get(lead_by, lead_by)
        campaign_label = {"external_id": "external id"}.get(campaign_by, campaign_by)
        for number, ext, lead, kind, channel, campaign, content, at in parsed:
            hit = leads.get(lead)
            if hit is None:
                rejected.append(
                    Rejection(number, h_lead, lead, f"no lead with {lead_label} {lead!r}")
                )
                continue
            campaign_id = None
            if campaign:
                found = campaigns.get(campaign)
                if found is None:
                    rejected.append(
                        Rejection(
                            number,
                            h_campaign,
                            campaign,
                            f"no campaign with {campaign_label} {campaign!r}",
                        )
                    )
                    continue
                campaign_id = found[0]
                channel = channel or found[1]
            if ext in seen:
                unchanged += 1  # the same touch twice in one batch
                continue
            seen.add(ext)
            out.append((ext, hit[0], kind, channel, campaign_id, content, at, *extra))
        created = self._insert(out)
        self.lead_ids.update(row[1] for row in out)
        self.result.created += created
        self.result.unchanged += unchanged + len(out) - created

    def _insert(self, rows: list[tuple[Any, ...]]) -> int:
        """Append the touches not stored yet; the number appended.

        Touches already stored (an import run again, or resumed after a crash) are skipped by
        the unique external id. SQLite's INSERT OR IGNORE does that at the speed of a plain
        insert. On PostgreSQL a plain COPY is tried first, since a fresh file has no such rows;
        when one clashes, the batch goes through COPY into a staging table and INSERT … ON
        CONFLICT DO NOTHING instead.
        """
        if not rows:
            return 0
        if self.sqlite:
            return insert_rows(self.table, self.columns, rows, conflict=("external_id",))
        try:
            with transaction.atomic():
                return copy_rows(self.table, self.columns, rows)
        except (IntegrityError, psycopg.errors.UniqueViolation):
            return insert_rows(self.table, self.columns, rows, conflict=("external_id",))
