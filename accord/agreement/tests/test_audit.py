"""The audit log: who changed what in the agreement, when, before and after."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.agreement.audit import audit_record, changes, field_values
from accord.agreement.models import AuditEntry, Persona

pytestmark = pytest.mark.django_db


def test_it_records_actor_action_object_and_values(marketing_head):
    persona = Persona.objects.create(name="Ops lead")

    entry = audit_record(
        actor=marketing_head,
        action="update",
        obj=persona,
        summary="renamed the persona",
        before={"name": "Ops"},
        after={"name": "Ops lead"},
    )

    entry.refresh_from_db()
    assert entry.actor == marketing_head
    assert (entry.action, entry.object_type, entry.object_id) == (
        "update",
        "persona",
        str(persona.pk),
    )
    assert entry.before == {"name": "Ops"}
    assert entry.after == {"name": "Ops lead"}


def test_it_stores_dates_and_times_as_json(marketing_head):
    persona = Persona.objects.create(name="Ops")

    entry = audit_record(
        actor=None,
        action="update",
        obj=persona,
        summary="dates",
        after={"review_date": dt.date(2027, 1, 31), "start": dt.time(9, 0)},
    )

    entry.refresh_from_db()
    assert entry.after == {"review_date": "2027-01-31", "start": "09:00:00"}
    assert AuditEntry.objects.count() == 1


def test_changes_keep_only_the_fields_that_differ():
    before, after = changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4})

    assert before == {"b": 2, "c": None}
    assert after == {"b": 3, "c": 4}


def test_field_values_read_foreign_keys_as_ids(marketing_head):
    persona = Persona.objects.create(name="Ops", created_by=marketing_head)

    assert field_values(persona, ["name", "created_by"]) == {
        "name": "Ops",
        "created_by": marketing_head.pk,
    }
