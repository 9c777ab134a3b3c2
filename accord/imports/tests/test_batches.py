"""Each batch is one transaction: a crash leaves whole batches, and a re-run completes the file."""

import pytest

from accord.funnel.models import Lead, StageChange
from accord.imports import records
from accord.imports.engine import import_file

from .helpers import fixture, read_fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_small_batches_give_the_same_result(settings):
    settings.ACCORD_IMPORT_BATCH = 7
    import_file(entity="accounts", path=fixture("hubspot_companies.csv"), by=None, preset="hubspot")
    result = import_file(
        entity="leads", path=fixture("hubspot_contacts.csv"), by=None, preset="hubspot"
    )
    assert (result.created, result.rows, result.rejected) == (300, 300, [])


def test_a_crash_mid_file_leaves_whole_batches_and_a_rerun_completes_it(settings, monkeypatch):
    settings.ACCORD_IMPORT_BATCH = 50
    real_load = records.LeadLoader.load
    calls = []

    def crashing_load(self, rows):
        calls.append(1)
        if len(calls) == 3:
            real_load(self, rows[:20])  # half a batch written, then the process dies
            raise SystemExit("killed")
        real_load(self, rows)

    monkeypatch.setattr(records.LeadLoader, "load", crashing_load)
    with pytest.raises(SystemExit):
        import_file(
            entity="leads", path=fixture("salesforce_leads.csv"), by=None, preset="salesforce"
        )
    assert Lead.objects.count() == 100  # two whole batches, nothing of the third
    monkeypatch.setattr(records.LeadLoader, "load", real_load)
    result = import_file(
        entity="leads", path=fixture("salesforce_leads.csv"), by=None, preset="salesforce"
    )
    rows = read_fixture("salesforce_leads.csv", encoding="latin-1")
    assert (result.created, result.unchanged) == (len(rows) - 100, 100)
    assert Lead.objects.count() == len(rows)
    assert StageChange.objects.filter(from_stage="").count() == len(rows)


def test_a_key_repeated_within_a_batch_updates_the_record_it_created(write_csv):
    path = write_csv(
        [
            ["email", "title"],
            ["a@x.example", "Analyst"],
            ["A@X.example", "Head of Analysis"],
        ]
    )
    result = import_file(entity="leads", path=path, by=None)
    assert (result.created, result.updated) == (1, 1)
    assert Lead.objects.get().title == "Head of Analysis"


def test_a_batch_that_clashes_on_a_unique_key_is_loaded_again_and_counted_once(
    write_csv, monkeypatch
):
    from django.db import IntegrityError

    from accord.bulk import copy_rows as real_copy
    calls = []

    def clashing_copy(table, columns, rows):
        calls.append(table)
        if len(calls) == 1:  # as when another writer stored a lead since our lookup
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_copy(table, columns, rows)

    monkeypatch.setattr(records, "copy_rows", clashing_copy)
    path = write_csv([["email", "first_name"], ["a@x.example", "Ann"], ["b@x.example", "Bo"]])
    result = import_file(entity="leads", path=path, by=None)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (2, 0, 0, [])
    assert calls[0] == calls[1] == "funnel_lead"  # the batch ran twice
    assert sorted(Lead.objects.values_list("first_name", flat=True)) == ["Ann", "Bo"]
    assert StageChange.objects.count() == 2


def test_a_batch_that_keeps_clashing_stops_the_import_with_a_reason(write_csv, monkeypatch):
    from django.db import IntegrityError

    from accord.errors import AccordError

    def clashing_copy(table, columns, rows):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(records, "copy_rows", clashing_copy)
    path = write_csv([["email"], ["a@x.example"], ["b@x.example"]])
    with pytest.raises(AccordError, match="rows 2 to 3 clash with records another import"):
        import_file(entity="leads", path=path, by=None)
