"""Typed custom properties: parsing raw values and validating a record's ``properties``."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from accord.errors import AccordError
from accord.funnel.models import PropertyDefinition, PropertyType

TRUE_WORDS = {"true", "yes", "y", "1", "t", "on", "x"}
FALSE_WORDS = {"false", "no", "n", "0", "f", "off"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d")


def property_key(header: str) -> str:
    """The snake_case key of a column header: "Time on Site (min)" → "time_on_site_min"."""
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_") or "column"


def parse_number(raw: Any) -> float | int:
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not a number")
    if isinstance(raw, int | float):
        return raw
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    # Accept thousands separators ("1,200") and a leading currency sign.
    text = text.lstrip("$€£").replace(",", "")
    if text.endswith("%"):
        text = text[:-1]
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"{raw!r} is not a number")
    return int(value) if value == value.to_integral_value() else float(value)


def parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date (use YYYY-MM-DD)")


def parse_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"{raw!r} is not yes/no")


def coerce(type_: str, raw: Any) -> Any:
    """The stored JSON value of ``raw`` for a ``type_`` property; ValueError if it does not fit."""
    if raw is None:
        return None
    if type_ == PropertyType.NUMBER:
        return parse_number(raw)
    if type_ == PropertyType.DATE:
        return parse_date(raw).isoformat()
    if type_ == PropertyType.BOOLEAN:
        return parse_boolean(raw)
    return str(raw)


def infer_type(values: list[str]) -> str:
    """The narrowest type every non-empty sample value fits (boolean, number, date, else text)."""
    samples = [v for v in values if v is not None and str(v).strip() != ""]
    if not samples:
        return PropertyType.TEXT
    for type_, parser in (
        (PropertyType.BOOLEAN, parse_boolean),
        (PropertyType.NUMBER, parse_number),
        (PropertyType.DATE, parse_date),
    ):
        try:
            for value in samples:
                parser(value)
        except ValueError:
            continue
        return type_
    return PropertyType.TEXT


def definitions_for(entity: str) -> dict[str, PropertyDefinition]:
    return {d.key: d for d in PropertyDefinition.objects.filter(entity=entity)}


def properties_clean(
    *, entity: str, values: dict[str, Any], definitions: dict[str, PropertyDefinition] | None = None
) -> dict[str, Any]:
    """Validate and coerce ``values`` against the declared properties of ``entity``.

    Unknown keys and values of the wrong type raise one AccordError listing every fault.
    A value of None removes the property.
    """
    definitions = definitions if definitions is not None else definitions_for(entity)
    cleaned: dict[str, Any] = {}
    faults: dict[str, list[str]] = {}
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            faults[f"properties.{key}"] = [
                f"unknown property {key!r}; declare it under Settings → Custom properties"
            ]
            continue
        try:
            cleaned[key] = coerce(definition.type, raw)
        except ValueError as exc:
            faults[f"properties.{key}"] = [f"{exc} (property {key!r} is {definition.type})"]
    if faults:
        raise AccordError("some custom properties are not valid", fields=faults)
    return cleaned


def properties_merge(current: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in cleaned.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
