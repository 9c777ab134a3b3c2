"""The table the model learns from: one row per lead, read as of the lead's hand-off.

Columns, by name (the names ``--exclude`` takes):

- lead fields: ``title`` (as written), ``title_seniority`` and ``title_function`` (tokens read
  from the title), ``source``, ``email_type`` (company or free-mail address);
- account fields: ``account.industry``, ``account.employees``, ``account.segment``,
  ``account.country``, ``account.is_target``;
- custom properties: ``prop.KEY`` for the lead's, ``account.prop.KEY`` for its account's;
- touches before the hand-off: ``touches.total``, ``touches.kind.KIND``,
  ``touches.channel.CHANNEL``, ``touches.campaigns`` (distinct campaigns) and
  ``touches.days_since_first`` (days from the first touch to the hand-off).

Real exports write "nothing" in many ways, so every text is stripped and case-folded and the
placeholders below read as empty. Custom properties carry no history, so they are read as they
stand today; that is why the leakage checks look at them closely.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from accord.campaigns.models import Touch
from accord.funnel.models import Lead

NUMERIC = "numeric"
DATE = "date"
CATEGORICAL = "categorical"

CHUNK = 5_000

PLACEHOLDERS = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "unknown",
        "not set",
        "not provided",
        "not specified",
        "not available",
        "no value",
        "(no value)",
        "(blank)",
        "blank",
        "empty",
        "tbd",
        "#n/a",
        "0000-00-00",
        "00/00/0000",
        "0000-00-00 00:00:00",
    }
)
# Only dashes, dots, question marks…; or a picklist's prompt ("-- choose --", "Please select").
_NO_WORDS = re.compile(r"^[\W_]*$")
_PROMPT = re.compile(r"^[\W_]*(please )?(choose|select|pick)( one| a value| an option)?[\W_]*$")

FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "163.com",
    }
)

SENIORITY: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "c_level",
        re.compile(r"\b(ceo|cto|cfo|coo|cmo|cio|cro|chief|founder|co-founder|owner|president)\b"),
    ),
    ("vp", re.compile(r"\b(vp|svp|evp|vice president)\b")),
    ("director", re.compile(r"\bdirector\b")),
    ("head", re.compile(r"\bhead\b")),
    ("manager", re.compile(r"\b(manager|lead|supervisor)\b")),
    ("senior", re.compile(r"\b(senior|sr\.?|principal|staff)\b")),
    ("entry", re.compile(r"\b(intern|student|trainee|junior|jr\.?|assistant)\b")),
)
FUNCTION: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "marketing",
        re.compile(r"\b(marketing|growth|brand|demand|content|seo|communications|cmo)\b"),
    ),
    (
        "sales",
        re.compile(r"\b(sales|account executive|business development|bdr|sdr|revenue|cro)\b"),
    ),
    ("finance", re.compile(r"\b(finance|financial|cfo|accounting|accountant|controller)\b")),
    ("hr", re.compile(r"\b(hr|human resources|people|talent|recruiter|recruiting)\b")),
    ("product", re.compile(r"\bproduct\b")),
    (
        "engineering",
        re.compile(r"\b(engineer|engineering|developer|software|cto|architect|devops)\b"),
    ),
    ("it", re.compile(r"\b(it|information|systems|security|infrastructure|cio)\b")),
    ("operations", re.compile(r"\b(operations|ops|coo|logistics)\b")),
    ("executive", re.compile(r"\b(ceo|founder|co-founder|owner|president|managing director)\b")),
)

FIELD_KINDS: dict[str, str] = {
    "title": CATEGORICAL,
    "title_seniority": CATEGORICAL,
    "title_function": CATEGORICAL,
    "source": CATEGORICAL,
    "email_type": CATEGORICAL,
    "account.industry": CATEGORICAL,
    "account.employees": NUMERIC,
    "account.segment": CATEGORICAL,
    "account.country": CATEGORICAL,
    "account.is_target": CATEGORICAL,
}
LEAD_VALUES = (
    "id",
    "title",
    "source",
    "email",
    "properties",
    "account__industry",
    "account__employees",
    "account__segment",
    "account__country",
    "account__is_target",
    "account__properties",
)
TOUCH_DAYS = "touches.days_since_first"


# --- reading one cell ----------------------------------------------------------------------------


@lru_cache(maxsize=200_000, typed=True)
def _clean_scalar(value: str | int | float | bool) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return None
    text = " ".join(str(value).split()).casefold()
    if text in PLACEHOLDERS or _NO_WORDS.match(text) or _PROMPT.match(text):
        return None
    return text


def clean_value(value: Any) -> str | None:
    """The text of a cell, stripped and case-folded; None for anything that means empty.

    The same text comes back as the same object, so a column of 100,000 repeats of "software"
    holds one string.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str | int | float | bool):
        return _clean_scalar(value)
    return _clean_scalar(str(value))


def clean_column(values: pd.Series) -> pd.Series:
    """``clean_value`` over a column, with NaN for empty."""
    cleaned = values.map(clean_value, na_action="ignore")
    return cleaned.astype(object).where(cleaned.notna(), np.nan)


_NUMBER_NOISE = re.compile(r"[\s\u00a0$€£¥,']")


def to_numbers(values: pd.Series) -> pd.Series:
    """Numbers from a column that may hold them as text: "1,200", " 45 ", "$3,000", "12%".

    Anything else (words, placeholders, ranges such as "50-200") becomes NaN.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.map(clean_value, na_action="ignore").astype("string")
    text = text.str.replace(_NUMBER_NOISE, "", regex=True).str.removesuffix("%")
    return pd.to_numeric(text, errors="coerce").astype("float64")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def to_dates(values: pd.Series) -> pd.Series:
    text = values.map(clean_value, na_action="ignore").astype("string").str.slice(0, 10)
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce", utc=True)


def infer_kind(values: pd.Series) -> str:
    """Numeric when nine in ten filled cells read as numbers, date when they read as ISO dates,
    categorical otherwise."""
    filled = values.dropna()
    if filled.empty:
        return CATEGORICAL
    if to_numbers(filled).notna().mean() >= 0.9:
        return NUMERIC
    if filled.astype(str).str.match(_ISO_DATE).mean() >= 0.9:
        return DATE
    return CATEGORICAL


@lru_cache(maxsize=50_000)
def _title_tokens(title: str) -> tuple[str, str]:
    seniority = next((name for name, rx in SENIORITY if rx.search(title)), "individual")
    function = next((name for name, rx in FUNCTION if rx.search(title)), "other")
    return seniority, function


def _email_type(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return "free" if email.rsplit("@", 1)[1].lower() in FREE_MAIL else "company"


# --- the table -------------------------------------------------------------------------------


def _chunks(ids: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _lead_rows(ids: np.ndarray) -> pd.DataFrame:
    """Lead and account fields and custom properties of one chunk of leads, as cleaned text."""
    wanted = set(ids.tolist())
    records: list[dict[str, Any]] = []
    rows = Lead.objects.filter(id__gte=int(ids[0]), id__lte=int(ids[-1])).values_list(*LEAD_VALUES)
    for (
        lead_id,
        title,
        source,
        email,
        props,
        industry,
        employees,
        segment,
        country,
        target,
        a_props,
    ) in rows:
        if lead_id not in wanted:
            continue
        record: dict[str, Any] = {
            "lead_id": lead_id,
            "title": title,
            "source": source,
            "email_type": _email_type(email),
            "account.industry": industry,
            "account.employees": employees,
            "account.segment": segment,
            "account.country": country,
            "account.is_target": target,
        }
        for key, value in (props or {}).items():
            record[f"prop.{key}"] = value
        for key, value in (a_props or {}).items():
            record[f"account.prop.{key}"] = value
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return pd.DataFrame(index=pd.Index([], dtype="int64", name="lead_id"))
    frame = frame.set_index("lead_id")
    employees_col = pd.to_numeric(frame.pop("account.employees"), errors="coerce")
    frame = frame.apply(clean_column)
    frame["account.employees"] = employees_col.astype("float64")
    tokens = frame["title"].map(_title_tokens, na_action="ignore")
    frame["title_seniority"] = tokens.map(lambda t: t[0], na_action="ignore")
    frame["title_function"] = tokens.map(lambda t: t[1], na_action="ignore")
    return frame


def _touch_rows(ids: np.ndarray, cutoffs: pd.Series) -> pd.DataFrame:
    """Touch counts of one chunk of leads, counting only touches before each lead's cut-off."""
    rows = Touch.objects.filter(lead_id__gte=int(ids[0]), lead_id__lte=int(ids[-1])).values_list(
        "lead_id", "kind", "channel", "campaign_id", "at"
    )
    touches = pd.DataFrame.from_records(
        list(rows), columns=["lead_id", "kind", "channel", "campaign_id", "at"]
    )
    index = pd.Index(ids, name="lead_id")
    if touches.empty:
        return pd.DataFrame({"touches.total": 0.0}, index=index)
    touches["at"] = pd.to_datetime(touches["at"], utc=True)
    limit = touches["lead_id"].map(cutoffs)
    touches = touches.loc[limit.notna() & (touches["at"] < limit)]
    if touches.empty:
        return pd.DataFrame({"touches.total": 0.0}, index=index)
    by_lead = touches.groupby("lead_id")
    kinds = pd.crosstab(touches["lead_id"], touches["kind"]).add_prefix("touches.kind.")
    with_channel = touches.loc[touches["channel"] != ""]
    channels = pd.crosstab(with_channel["lead_id"], with_channel["channel"]).add_prefix(
        "touches.channel."
    )
    first = by_lead["at"].min()
    days = (cutoffs.reindex(first.index) - first).dt.total_seconds() / 86_400
    frame = pd.concat(
        [
            by_lead.size().rename("touches.total"),
            kinds,
            channels,
            by_lead["campaign_id"].nunique().rename("touches.campaigns"),
            days.rename(TOUCH_DAYS),
        ],
        axis=1,
    )
    frame = frame.reindex(index)
    counts = [c for c in frame.columns if c != TOUCH_DAYS]
    frame[counts] = frame[counts].fillna(0).astype("float64")
    return frame


def read_features(lead_ids: np.ndarray, cutoffs: pd.Series) -> pd.DataFrame:
    """The raw feature table of ``lead_ids`` (sorted), read as of ``cutoffs`` (lead id → time).

    Two queries per chunk of 5,000 leads (their fields, their touches), whatever the number of
    custom properties or touches. Columns hold cleaned text (NaN for empty) except the account's
    employees and the touch aggregates, which are numbers; ``typed`` gives the model's view.
    """
    parts = []
    for chunk in _chunks(np.sort(lead_ids)):
        leads = _lead_rows(chunk)
        touches = _touch_rows(chunk, cutoffs)
        parts.append(leads.join(touches, how="left"))
    if not parts:
        return pd.DataFrame(index=pd.Index([], dtype="int64", name="lead_id"))
    frame = pd.concat(parts, axis=0, sort=False)
    counts = [c for c in frame.columns if c.startswith("touches.") and c != TOUCH_DAYS]
    frame[counts] = frame[counts].fillna(0.0)
    return frame


def kind_of(column: str, values: pd.Series) -> str:
    if column in FIELD_KINDS:
        return FIELD_KINDS[column]
    if column.startswith("touches."):
        return NUMERIC
    return infer_kind(values)


@dataclass
class Selection:
    """The columns a model is fitted on, and why the others are not."""

    kinds: dict[str, str]
    excluded: list[str] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return list(self.kinds)


def _matches(name: str, key: str) -> bool:
    return name == key or name in (f"prop.{key}", f"account.prop.{key}")


def unknown_excludes(columns: Sequence[str], exclude: Sequence[str]) -> list[str]:
    return [key for key in exclude if not any(_matches(c, key) for c in columns)]


def select_columns(frame: pd.DataFrame, exclude: Sequence[str]) -> Selection:
    """Pick the columns worth learning from.

    Dropped, with the reason in the report: columns never filled in; columns filled in for fewer
    than max(10, 0.5 %) of the leads (too rare to learn from); columns with one value for every
    lead; text columns where most filled cells are different (identifiers, free text, emails).
    """
    selection = Selection(kinds={})
    rows = len(frame)
    least = max(10, math.ceil(0.005 * rows))
    for column in sorted(frame.columns, key=_column_order):
        if any(_matches(column, key) for key in exclude):
            selection.excluded.append(column)
            continue
        values = frame[column]
        filled = int(values.notna().sum())
        if filled == 0:
            selection.dropped.append({"feature": column, "reason": "never filled in"})
            continue
        if filled < least:
            selection.dropped.append(
                {"feature": column, "reason": f"filled in for only {filled} of {rows} leads"}
            )
            continue
        distinct = int(values.nunique(dropna=True))
        if distinct == 1 and filled == rows:
            selection.dropped.append({"feature": column, "reason": "the same for every lead"})
            continue
        kind = kind_of(column, values)
        if kind == CATEGORICAL and filled >= 20 and distinct > 0.5 * filled:
            selection.dropped.append(
                {
                    "feature": column,
                    "reason": f"{distinct} different values in {filled} leads: "
                    "an identifier or free text",
                }
            )
            continue
        selection.kinds[column] = kind
    return selection


def _column_order(name: str) -> tuple[int, str]:
    if name in FIELD_KINDS:
        return (0, name)
    if name.startswith("prop."):
        return (1, name)
    if name.startswith("account.prop."):
        return (2, name)
    return (3, name)


def typed(frame: pd.DataFrame, kinds: dict[str, str], cutoffs: pd.Series) -> pd.DataFrame:
    """The model's input: the selected columns in order, dates turned into days before the
    hand-off, text numbers read as numbers, missing columns (a property nobody has any more) as
    empty."""
    out: dict[str, pd.Series] = {}
    for column, kind in kinds.items():
        if column in frame.columns:
            values = frame[column]
        else:
            # A touch kind no lead in this batch had is a count of 0; anything else is unknown.
            count = column.startswith("touches.") and column != TOUCH_DAYS
            values = pd.Series(0.0 if count else np.nan, index=frame.index)
        if kind == DATE:
            dates = to_dates(values)
            days = (cutoffs.reindex(frame.index) - dates).dt.total_seconds() / 86_400
            out[column] = days.astype("float64")
        elif kind == NUMERIC:
            out[column] = to_numbers(values)
        else:
            out[column] = values.astype(object)
    return pd.DataFrame(out, index=frame.index)
