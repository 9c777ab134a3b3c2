"""The audit log of the agreement, its personas and its scoring models.

Every write of those goes through ``audit_record`` in the same transaction, so the log holds a
change exactly when the change was made. Entries are never updated or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accord.agreement.models import AuditEntry
from accord.teams.models import User


def object_type(obj: models.Model | type[models.Model]) -> str:
    """The name an object's entries are filed under: the model name, e.g. ``agreement``."""
    return obj._meta.model_name or type(obj).__name__.lower()


def json_safe(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """``values`` as plain JSON (dates, times and decimals as strings, model instances as ids)."""
    if not values:
        return {}
    plain = {k: v.pk if isinstance(v, models.Model) else v for k, v in values.items()}
    loaded: dict[str, Any] = json.loads(json.dumps(plain, cls=DjangoJSONEncoder))
    return loaded


def field_values(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` of ``obj`` (foreign keys as ids), JSON-safe."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(obj, attname)
    return json_safe(values)


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value differs between ``before`` and ``after``."""
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Log that ``actor`` did ``action`` (e.g. ``update``, ``sign``) to ``obj``.

    ``before``/``after`` hold the changed fields only (callers may pass whole snapshots and use
    ``changes`` first); values are stored as JSON, so dates become ISO strings.
    """
    return AuditEntry.objects.create(
        actor=actor,
        action=action[:40],
        object_type=object_type(obj),
        object_id=str(obj.pk),
        summary=summary[:300],
        before=json_safe(before),
        after=json_safe(after),
    )
