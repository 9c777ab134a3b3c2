"""The import wizard's pages: upload, map, preview, run, result, history."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.funnel.models import Lead
from accord.imports.models import ImportJob, ImportStatus
from accord.imports.services import import_job_create

from .helpers import fixture

pytestmark = pytest.mark.django_db


def _upload(client, name="bad_leads.csv", entity="leads", preset="") -> Any:
    with fixture(name).open("rb") as handle:
        return client.post("/import/", {"entity": entity, "preset": preset, "file": handle})


def _suggested(client, url) -> Any:
    html = client.get(url).content.decode()
    return dict(
        re.findall(r'name="(col_\d+)"[^>]*>.*?<option value="([^"]*)" selected', html, re.S)
    )


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get("/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_start_page_offers_the_upload_and_says_when_nothing_was_imported(marketer_client):
    response = marketer_client.get("/import/")
    assert response.status_code == 200
    assert b'data-testid="upload-form"' in response.content
    assert b"No imports yet" in response.content


def test_an_upload_leads_to_the_mapping_with_suggestions(marketer_client):
    response = _upload(marketer_client, "hubspot_contacts.csv", preset="hubspot")
    job = ImportJob.objects.get()
    assert response["Location"] == f"/import/{job.pk}/map/"
    assert (job.entity, job.preset, job.filename, job.status) == (
        "leads",
        "hubspot",
        "hubspot_contacts.csv",
        "mapping",
    )
    page = marketer_client.get(response["Location"]).content.decode()
    assert "far.0@coho.example" in page  # sample values
    suggested = _suggested(marketer_client, response["Location"])
    assert suggested["col_0"] == "external_id"
    assert suggested["col_7"] == "account:external_id"
    assert suggested["col_8"] == "stage"


def test_an_empty_file_is_refused_on_the_upload_page(marketer_client):
    empty = SimpleUploadedFile("empty.csv", b"")
    response = marketer_client.post("/import/", {"entity": "leads", "file": empty})
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_a_mapping_without_a_key_column_is_refused_with_a_reason(marketer_client):
    url = _upload(marketer_client)["Location"]
    choices = _suggested(marketer_client, url)
    choices["col_0"] = choices["col_1"] = "__ignore__"  # external_id and email
    response = marketer_client.post(url, choices)
    assert response.status_code == 200
    assert "map a column to Email or External id: every row needs one" in response.content.decode()


def test_two_columns_cannot_fill_one_field(marketer_client):
    url = _upload(marketer_client)["Location"]
    choices = _suggested(marketer_client, url)
    choices["col_2"] = choices["col_3"] = "first_name"
    response = marketer_client.post(url, choices)
    assert "both go to First name" in response.content.decode()


def test_the_preview_highlights_the_rows_that_would_be_rejected(marketer_client):
    url = _upload(marketer_client)["Location"]
    response = marketer_client.post(url, _suggested(marketer_client, url))
    assert response["Location"].endswith("/preview/")
    page = marketer_client.get(response["Location"]).content.decode()
    assert page.count('class="table-danger"') == 4
    assert "created_at: &#x27;the 5th of Feb&#x27; is not a date" in page
    assert not Lead.objects.exists()  # a preview writes nothing


def test_running_the_import_lands_the_good_rows_and_lists_the_bad_ones(marketer_client, marketer):
    url = _upload(marketer_client)["Location"]
    marketer_client.post(url, _suggested(marketer_client, url))
    job = ImportJob.objects.get()
    response = marketer_client.post(f"/import/{job.pk}/preview/")
    assert response["Location"] == f"/import/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 6, 4)
    page = marketer_client.get(response["Location"]).content.decode()
    assert 'data-testid="rejections-table"' in page
    assert "unknown stage &#x27;hot prospect&#x27;" in page
    download = marketer_client.get(f"/import/{job.pk}/rejected-rows.csv")
    assert download["Content-Disposition"] == 'attachment; filename="bad_leads-rejected-rows.csv"'
    assert download.content.decode().splitlines()[1:] == [
        "4,email,,a lead needs an email or an external id",
        "6,created_at,the 5th of Feb,'the 5th of Feb' is not a date "
        "(use YYYY-MM-DD or YYYY-MM-DD HH:MM)",
        "8,stage,hot prospect,\"unknown stage 'hot prospect'; stages are lead, mql, sal, sql, "
        'opportunity, customer, recycled, disqualified"',
        "10,Seats,lots,'lots' is not a number (custom property is number)",
    ]
    assert Lead.objects.count() == 6


def test_the_progress_fragment_polls_while_the_job_runs(marketer_client, marketer):
    job = import_job_create(
        by=marketer, entity="leads", upload=SimpleUploadedFile("a.csv", b"email\na@x.example\n")
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=40, rows_done=1200)
    response = marketer_client.get(f"/import/{job.pk}/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-progress"')
    assert 'hx-trigger="every 1s"' in html
    assert 'style="width: 40%"' in html
    ImportJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    done = marketer_client.get(f"/import/{job.pk}/", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.content.decode()  # finished: the polling stops


def test_a_job_that_has_run_cannot_be_remapped(marketer_client, marketer):
    job = import_job_create(
        by=marketer, entity="leads", upload=SimpleUploadedFile("a.csv", b"email\na@x.example\n")
    )
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    response = marketer_client.get(f"/import/{job.pk}/map/")
    assert response.status_code == 200
    assert b"This import has already run" in response.content


def test_a_missing_file_is_explained_not_a_server_error(marketer_client, marketer):
    job = ImportJob.objects.create(entity="leads", filename="gone.csv", file="imports/gone.csv")
    for page in ("map/", "preview/"):
        response = marketer_client.get(f"/import/{job.pk}/{page}")
        assert response.status_code == 200
        assert b"no longer available" in response.content


def test_the_history_lists_imports_in_a_fixed_number_of_queries(
    marketer_client, marketer, django_assert_num_queries
):
    for i in range(30):
        ImportJob.objects.create(entity="leads", filename=f"f{i}.csv", created_by=marketer)
    with django_assert_num_queries(3):  # session, user, one page of jobs
        response = marketer_client.get("/import/history/")
    assert response.content.decode().count("/map/") == 0
    assert response.content.decode().count('<i class="ti ti-file-spreadsheet') == 25
    older = marketer_client.get("/import/history/?cursor=" + response.context["page"].next_cursor)
    assert older.content.decode().count('<i class="ti ti-file-spreadsheet') == 5
