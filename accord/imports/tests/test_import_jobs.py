"""Import jobs: an upload mapped and run by the worker's task, safe to run twice."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.errors import AccordError, Conflict
from accord.funnel.models import Lead
from accord.imports.models import ImportJob, ImportStatus
from accord.imports.services import (
    import_job_create,
    import_job_map,
    import_job_run,
    import_job_start,
    rejections_csv,
)
from accord.imports.tasks import run_import_job

from .helpers import fixture

pytestmark = pytest.mark.django_db


def _upload(name="bad_leads.csv") -> Any:
    return SimpleUploadedFile(name, fixture(name).read_bytes(), content_type="text/csv")


def _ready_job(by) -> Any:
    job = import_job_create(by=by, entity="leads", upload=_upload())
    return import_job_map(job=job, by=by, mapping={"columns": {}})


def test_a_job_runs_to_the_end_and_keeps_its_rejections(marketer):
    job = import_job_start(job=_ready_job(marketer), by=marketer)
    assert job.status == ImportStatus.DONE
    assert (job.created, job.updated, job.unchanged, job.rejected) == (6, 0, 0, 4)
    assert (job.rows_done, job.progress) == (10, 100)
    assert [r[0] for r in job.rejections] == ["4", "6", "8", "10"]
    assert job.started_at is not None and job.finished_at is not None
    assert job.started_at <= job.finished_at
    assert "new custom properties: seats" in job.notices
    lines = rejections_csv(job).splitlines()
    assert lines[0] == "row,column,value,reason"
    assert lines[1] == "4,email,,a lead needs an email or an external id"
    assert Lead.objects.get(external_id="L-1").stage_changes.get().actor == marketer


def test_running_a_job_twice_does_nothing_the_second_time(marketer):
    job = import_job_start(job=_ready_job(marketer), by=marketer)
    finished = job.finished_at
    run_import_job.call(job.pk)
    again = import_job_run(job_id=job.pk)
    assert again is not None and again.finished_at == finished
    assert Lead.objects.count() == 6


def test_a_job_is_not_started_twice(marketer):
    job = import_job_start(job=_ready_job(marketer), by=marketer)
    with pytest.raises(Conflict, match="this import is done"):
        import_job_start(job=job, by=marketer)


def test_an_upload_that_is_not_a_csv_file_is_refused(marketer):
    empty = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    with pytest.raises(AccordError) as exc:
        import_job_create(by=marketer, entity="leads", upload=empty)
    assert exc.value.fields == {"file": ["empty.csv is empty"]}
    assert not ImportJob.objects.exists()


def test_a_job_whose_mapping_no_longer_fits_fails_with_the_reason(marketer):
    job = _ready_job(marketer)
    ImportJob.objects.filter(pk=job.pk).update(mapping={"columns": {"email": "shoe"}})
    job.refresh_from_db()
    job = import_job_start(job=job, by=marketer)
    assert job.status == ImportStatus.FAILED
    assert "column 'email' maps to 'shoe'" in job.error
