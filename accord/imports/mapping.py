"""The mapping from a file's columns to a record's fields (DESIGN.md §5), and its suggestions.

A column goes, in this order of precedence, where the mapping file sends it; where the preset
sends it; to the field its header names (a field name or a common export name such as "Job
Title"); else into a custom property keyed by the header in snake_case. Records without custom
properties (campaigns, touches) leave such columns out and say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import AccordError
from accord.funnel.properties import property_key
from accord.imports.fields import ENTITIES, FIELDS, LINK_ALIASES, LINK_LABELS, PROPERTY_ENTITY

DEFAULT_EMPTY_VALUES = ("", "n/a", "na", "null", "none", "-", "--", "#n/a", "(no value)")


@dataclass(frozen=True)
class Target:
    """Where one column goes: a ``field`` (possibly a link, possibly through a value map), a
    custom ``property``, or nowhere (``ignore``)."""

    kind: str  # field | property | ignore
    field: str = ""
    by: str = ""
    values: tuple[tuple[str, str | None], ...] = ()
    key: str = ""

    @property
    def value_map(self) -> dict[str, str | None] | None:
        return {k.strip().lower(): v for k, v in self.values} if self.values else None

    def describe(self, entity: str) -> str:
        if self.kind == "ignore":
            return "ignored"
        if self.kind == "property":
            return f"custom property {self.key}"
        spec = FIELDS[entity][self.field]
        if self.by:
            return f"{spec.label} (by {LINK_LABELS.get(self.by, self.by)})"
        return spec.label

    def as_json(self, header: str) -> Any:
        """This target as a mapping file writes it."""
        if self.kind == "property":
            return "property" if self.key == property_key(header) else {"property": self.key}
        if self.values:
            return {"field": self.field, "values": dict(self.values)}
        if self.by:
            return {"field": self.field, "by": self.by}
        return self.field


IGNORE = Target("ignore")


@dataclass
class Mapping:
    """A parsed mapping file: targets by header, the empty-value markers, the ignored headers."""

    columns: dict[str, Target] = field(default_factory=dict)
    empty_values: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def target_for(self, header: str) -> Target | None:
        wanted = _norm(header)
        if any(_norm(h) == wanted for h in self.ignore):
            return IGNORE
        for name, target in self.columns.items():
            if _norm(name) == wanted:
                return target
        return None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "columns": {h: t.as_json(h) for h, t in self.columns.items() if t.kind != "ignore"},
            "ignore": [*self.ignore, *(h for h, t in self.columns.items() if t.kind == "ignore")],
        }
        if self.empty_values is not None:
            data["empty_values"] = list(self.empty_values)
        return data


def _norm(header: str) -> str:
    return " ".join(header.split()).lower()


def _bad(message: str) -> AccordError:
    return AccordError(f"the mapping is not valid: {message}", fields={"mapping": [message]})


def _target(entity: str, header: str, spec: Any) -> Target:
    fields = FIELDS[entity]
    if spec is None or spec == "ignore":
        return IGNORE
    if spec == "property":
        if entity not in PROPERTY_ENTITY:
            raise _bad(f"{entity} have no custom properties (column {header!r})")
        return Target("property", key=property_key(header))
    if isinstance(spec, str):
        spec = {"field": spec}
    if not isinstance(spec, dict):
        raise _bad(f"column {header!r} must map to a field name or an object")
    if "property" in spec:
        if entity not in PROPERTY_ENTITY:
            raise _bad(f"{entity} have no custom properties (column {header!r})")
        key = property_key(str(spec["property"] or header))
        return Target("property", key=key)
    name = spec.get("field")
    if not isinstance(name, str) or name not in fields:
        names = ", ".join(fields)
        raise _bad(f"column {header!r} maps to {name!r}, which is not a field of {entity}: {names}")
    field_spec = fields[name]
    unknown = set(spec) - {"field", "values", "by"}
    if unknown:
        raise _bad(f"column {header!r} has unknown option {sorted(unknown)[0]!r}")
    by = spec.get("by")
    if field_spec.kind == "link":
        by = by or field_spec.by[0]
        if by not in field_spec.by:
            raise _bad(
                f"column {header!r} links {name} by {by!r}; use one of {', '.join(field_spec.by)}"
            )
    elif by is not None:
        raise _bad(f'column {header!r}: {name} is not a link, so it takes no "by"')
    values = spec.get("values")
    pairs: tuple[tuple[str, str | None], ...] = ()
    if values is not None:
        if field_spec.kind == "link" or not isinstance(values, dict):
            raise _bad(f'column {header!r}: "values" must be an object of value → {name}')
        for key, value in values.items():
            if value is not None and not isinstance(value, str | int | float | bool):
                raise _bad(f"column {header!r}: the value for {key!r} must be text")
        pairs = tuple(
            (str(k), None if v is None else str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in values.items()
        )
    return Target("field", field=name, by=by or "", values=pairs)


def parse_mapping(data: Any, entity: str) -> Mapping:
    """A mapping from its JSON form; AccordError naming the fault when it is not valid."""
    if entity not in ENTITIES:
        raise AccordError(f"unknown record type {entity!r}; use one of {', '.join(ENTITIES)}")
    if not isinstance(data, dict):
        raise _bad('it must be a JSON object with "columns"')
    unknown = set(data) - {"columns", "empty_values", "ignore"}
    if unknown:
        raise _bad(f"unknown key {sorted(unknown)[0]!r}; use columns, empty_values and ignore")
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise _bad('"columns" must be an object of header → field')
    empty = data.get("empty_values")
    if empty is not None and (
        not isinstance(empty, list) or not all(isinstance(v, str) for v in empty)
    ):
        raise _bad('"empty_values" must be a list of texts')
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(v, str) for v in ignore):
        raise _bad('"ignore" must be a list of column headers')
    targets = {str(h): _target(entity, str(h), spec) for h, spec in columns.items()}
    _check_duplicates(entity, targets)
    return Mapping(
        columns=targets,
        empty_values=tuple(empty) if empty is not None else None,
        ignore=tuple(ignore),
    )


def load_mapping(path: str | Path, entity: str) -> Mapping:
    path = Path(path)
    if not path.is_file():
        raise AccordError(f"no such mapping file: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AccordError(f"the mapping file {path.name} is not valid JSON: {exc}") from exc
    return parse_mapping(data, entity)


def _check_duplicates(entity: str, targets: dict[str, Target]) -> None:
    taken: dict[str, str] = {}
    for header, target in targets.items():
        if target.kind == "ignore":
            continue
        slot = f"property {target.key}" if target.kind == "property" else target.field
        if slot in taken:
            raise _bad(f"columns {taken[slot]!r} and {header!r} both map to {slot}")
        taken[slot] = header


# --- the plan for one file ---------------------------------------------------------------------


@dataclass
class Plan:
    """Every column of one file with its target, and the file's empty-value markers."""

    entity: str
    headers: list[str]
    targets: list[Target]
    empty_values: tuple[str, ...]
    notices: list[str] = field(default_factory=list)

    def as_mapping(self) -> dict[str, Any]:
        """The plan written as a mapping file (every column named)."""
        columns = {}
        ignore = []
        for header, target in zip(self.headers, self.targets, strict=True):
            if target.kind == "ignore":
                ignore.append(header)
            else:
                columns[header] = target.as_json(header)
        return {"columns": columns, "empty_values": list(self.empty_values), "ignore": ignore}


def _slot(target: Target) -> str:
    return f"property {target.key}" if target.kind == "property" else target.field


def _auto(entity: str, header: str) -> Target | None:
    key = property_key(header)
    link = LINK_ALIASES[entity].get(key)
    if link:
        return Target("field", field=link[0], by=link[1])
    for spec in FIELDS[entity].values():
        if key == spec.name or key in spec.aliases:
            return Target("field", field=spec.name, by=spec.by[0] if spec.by else "")
    return None


def plan_columns(
    headers: list[str], entity: str, *, mapping: Mapping | None = None, preset: str | None = None
) -> Plan:
    from accord.imports.presets import preset_mapping

    if entity not in ENTITIES:
        raise AccordError(f"unknown record type {entity!r}; use one of {', '.join(ENTITIES)}")
    preset_map = preset_mapping(preset, entity) if preset else None
    targets: list[Target | None] = [mapping.target_for(h) if mapping else None for h in headers]
    taken = {_slot(t) for t in targets if t is not None and t.kind != "ignore"}
    if preset_map is not None:
        # The preset fills what the mapping left open, never a field the mapping already fills.
        for i, header in enumerate(headers):
            target = preset_map.target_for(header) if targets[i] is None else None
            if target is not None and (target.kind == "ignore" or _slot(target) not in taken):
                targets[i] = target
                taken.add(_slot(target))
    notices: list[str] = []
    resolved: list[Target] = []
    for header, target in zip(headers, targets, strict=True):
        if target is None:
            auto = _auto(entity, header)
            if auto is not None and auto.field not in taken:
                target = auto
                taken.add(auto.field)
            elif entity in PROPERTY_ENTITY:
                key = property_key(header)
                target = Target("property", key=key)
                if f"property {key}" in taken:
                    raise AccordError(
                        f"two columns would fill custom property {key!r}; map or ignore {header!r}"
                    )
                taken.add(f"property {key}")
            else:
                target = IGNORE
                notices.append(
                    f"column {header!r} was left out: {entity} have no custom properties"
                )
        resolved.append(target)
    if mapping and mapping.empty_values is not None:
        empty = mapping.empty_values
    elif preset_map and preset_map.empty_values is not None:
        empty = preset_map.empty_values
    else:
        empty = DEFAULT_EMPTY_VALUES
    return Plan(entity, list(headers), resolved, tuple(dict.fromkeys(("", *empty))), notices)


def suggest_mapping(headers: list[str], entity: str, preset: str | None = None) -> dict[str, Any]:
    """The mapping the import would use for these headers: the wizard's preselected choices."""
    return plan_columns(headers, entity, preset=preset).as_mapping()
