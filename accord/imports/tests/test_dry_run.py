"""A dry run checks every row and says what would happen, and writes nothing."""

import pytest

from accord.funnel.models import Account, Lead, PropertyDefinition, StageChange
from accord.imports.engine import import_file

from .helpers import fixture

pytestmark = pytest.mark.django_db


def test_a_dry_run_counts_like_a_real_run_but_writes_nothing():
    dry = import_file(
        entity="leads",
        path=fixture("salesforce_leads.csv"),
        by=None,
        preset="salesforce",
        dry_run=True,
    )
    assert (dry.created, dry.rejected, dry.dry_run) == (320, [], True)
    assert not Lead.objects.exists()
    assert not StageChange.objects.exists()
    assert not Account.objects.exists()
    assert not PropertyDefinition.objects.exists()
    real = import_file(
        entity="leads", path=fixture("salesforce_leads.csv"), by=None, preset="salesforce"
    )
    assert real.created == dry.created


def test_a_dry_run_reports_the_bad_rows():
    dry = import_file(entity="leads", path=fixture("bad_leads.csv"), by=None, dry_run=True)
    assert [r.row for r in dry.rejected] == [4, 6, 8, 10]
    assert not Lead.objects.exists()
