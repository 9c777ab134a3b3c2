"""Acceptance: a realistic CRM export, imported through `accord import leads`, trains an honest
model on hand-off-time fields, and a post-contact status column raises a leakage warning."""

import json

import pytest
from django.core.management import call_command

from accord.funnel.services import property_define
from accord.scoring.models import PredictiveModel

from .fixtures.make_crm_export import TEXT_COLUMNS, make_crm_export

pytestmark = pytest.mark.django_db


def test_an_imported_export_trains_honestly_and_flags_the_sales_status(tmp_path, capsys):
    path = make_crm_export(tmp_path / "contacts.csv", rows=4_000, seed=7)
    # In this CRM these are free-text fields, as they often are: the values stay text as the
    # export wrote them ("1,200", "$2,500,000", "0000-00-00").
    for label in TEXT_COLUMNS:
        property_define(entity="lead", label=label, type="text", by=None)

    call_command("import_csv", "leads", str(path))
    assert "created 4,000, updated 0, unchanged 0, rejected 0" in capsys.readouterr().out

    call_command(
        "scoring", "train", "--target", "sql", "--exclude", "lead_status", "--format", "json"
    )
    honest = json.loads(capsys.readouterr().out)

    assert 0.65 <= honest["auc"] <= 0.92
    assert honest["leakage_warnings"] == []
    assert honest["excluded"] == ["prop.lead_status"]
    assert honest["n_train"] + honest["n_test"] == honest["population"]["outcomes"]
    assert honest["population"]["outcomes"] > 3_000
    top = [f["feature"] for f in honest["top_features"][:6]]
    assert "title_seniority" in top or "title" in top
    kinds = {f["name"]: f["kind"] for f in PredictiveModel.objects.get().features}
    assert kinds["prop.number_of_employees"] == "numeric"
    assert kinds["prop.annual_revenue"] == "numeric"
    assert kinds["prop.last_form_submission_date"] == "date"
    assert kinds["prop.industry"] == "categorical"
    dropped = {d["feature"] for d in honest["dropped"]}
    assert {"prop.twitter_username", "prop.notes", "prop.legacy_field_20"} <= dropped

    call_command("scoring", "train", "--target", "sql", "--format", "json")
    leaky = json.loads(capsys.readouterr().out)

    warned = {w["feature"]: w for w in leaky["leakage_warnings"]}
    assert list(warned) == ["prop.lead_status"]
    assert warned["prop.lead_status"]["filled_progressed"] > 0.9
    assert warned["prop.lead_status"]["filled_other"] < 0.1
    assert "prop.lead_status" in leaky["features"]
    assert leaky["auc"] > honest["auc"]
