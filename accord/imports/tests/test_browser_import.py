"""Acceptance 7, the import wizard in a real browser: a small file with one bad row."""

import re
from pathlib import Path

import pytest

from accord.funnel.models import Lead
from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_wizard_imports_the_good_rows_and_shows_the_rejected_one(page, marketer, write_csv):
    path = write_csv(
        [
            ["Email", "First Name", "Lifecycle Stage", "Create Date", "Webinars Attended"],
            ["ana@wizard.example", "Ana", "Lead", "2024-02-01", "1"],
            ["ben@wizard.example", "Ben", "Marketing Qualified Lead", "2024-02-02", "3"],
            ["cy@wizard.example", "Cy", "Lead", "sometime in May", "0"],
            ["dee@wizard.example", "Dee", "Customer", "2024-02-04", "5"],
        ],
        "webinar-leads.csv",
    )
    browser_login(page, "mia")
    page.goto("/import/")
    page.select_option("[data-testid=entity]", "leads")
    page.select_option("[data-testid=preset]", "hubspot")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=upload]")
    page.wait_for_url("**/map/")

    # The suggestions come preselected: fields by name, the rest as custom properties.
    assert page.locator("select[data-column='Email']").input_value() == "email"
    assert page.locator("select[data-column='Lifecycle Stage']").input_value() == "stage"
    assert page.locator("select[data-column='Webinars Attended']").input_value() == "__property__"
    page.click("[data-testid=save-mapping]")
    page.wait_for_url("**/preview/")

    bad = page.locator("[data-testid=preview-table] tr.table-danger")
    assert bad.count() == 1
    assert "sometime in May" in bad.inner_text()
    assert "is not a date" in bad.locator("[data-testid=row-error]").inner_text()
    page.click("[data-testid=run-import]")
    page.wait_for_url(re.compile(r"/import/\d+/$"))

    assert page.locator("[data-testid=status]").inner_text() == "Done"
    assert page.locator("[data-testid=count-created]").inner_text() == "3"
    assert page.locator("[data-testid=count-rejected]").inner_text() == "1"
    rejected = page.locator("[data-testid=rejections-table] tbody tr")
    assert rejected.count() == 1
    assert rejected.inner_text().split("\t")[:2] == ["4", "Create Date"]
    with page.expect_download() as download:
        page.click("[data-testid=download-rejections]")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,value,reason"
    assert lines[1].startswith("4,Create Date,sometime in May,")
    assert set(Lead.objects.values_list("email", flat=True)) == {
        "ana@wizard.example",
        "ben@wizard.example",
        "dee@wizard.example",
    }
    assert Lead.objects.get(email="ben@wizard.example").stage == "mql"
