"""Writes for import jobs: upload, map, start, run. The import itself is ``engine.import_file``."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone

from accord.errors import AccordError, Conflict
from accord.imports.base import REJECTION_HEADERS, Progress
from accord.imports.csvfile import CsvSource
from accord.imports.engine import import_file
from accord.imports.mapping import parse_mapping
from accord.imports.models import ImportEntity, ImportJob, ImportPreset, ImportStatus
from accord.imports.presets import PRESETS
from accord.teams.models import User

log = logging.getLogger(__name__)

# Rejections kept on a job for download; past this the job says how many more there were.
MAX_STORED_REJECTIONS = 100_000
# A running job whose worker has not reported for this long may be claimed by another.
STALE_AFTER = timedelta(minutes=10)

__all__ = [
    "import_file",
    "import_job_create",
    "import_job_map",
    "import_job_run",
    "import_job_start",
    "rejections_csv",
]


def import_job_create(
    *, by: User, entity: str, upload: UploadedFile[Any], preset: str = ""
) -> ImportJob:
    """Store an uploaded file as a new job, after checking it is a CSV file we can read."""
    if entity not in ImportEntity.values:
        raise AccordError(
            f"choose what the file holds: {', '.join(ImportEntity.values)}",
            fields={"entity": ["unknown record type"]},
        )
    if preset and preset not in PRESETS:
        raise AccordError(f"unknown preset {preset!r}", fields={"preset": ["unknown preset"]})
    if preset not in ImportPreset.values:
        preset = ""
    name = Path(upload.name or "import.csv").name
    job = ImportJob(entity=entity, preset=preset, filename=name[:255], created_by=by)
    job.file.save(name, upload, save=False)
    try:
        CsvSource(job.file.path)
    except AccordError as exc:
        job.file.delete(save=False)
        raise AccordError(exc.message, fields={"file": [exc.message]}) from exc
    job.save()
    return job


def import_job_map(*, job: ImportJob, by: User, mapping: dict[str, Any]) -> ImportJob:
    """Save the column mapping the person chose; it must be a valid mapping for the entity."""
    if job.status not in (ImportStatus.MAPPING, ImportStatus.READY):
        raise Conflict("this import has already run", fields={"status": [job.status]})
    parse_mapping(mapping, job.entity)
    job.mapping = mapping
    job.status = ImportStatus.READY
    job.save(update_fields=["mapping", "status"])
    return job


def import_job_start(*, job: ImportJob, by: User) -> ImportJob:
    """Queue the job for the worker (tests run it at once)."""
    from accord.imports.tasks import run_import_job

    if job.status not in (ImportStatus.READY, ImportStatus.FAILED):
        raise Conflict(
            f"this import is {job.get_status_display().lower()}", fields={"status": [job.status]}
        )
    job.status = ImportStatus.QUEUED
    job.error = ""
    job.save(update_fields=["status", "error"])
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _claim(job_id: int) -> bool:
    """Take the job for this worker: queued, or running with a worker that went silent.

    A conditional UPDATE that must change exactly one row, so two workers never both run it.
    """
    now = timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    return (
        ImportJob.objects.filter(claimable, pk=job_id).update(
            status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now
        )
        == 1
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job to the end, reporting progress after every batch.

    Safe to call twice: a job that is done, failed or being run by a live worker is left alone,
    and the import itself is idempotent, so a job claimed again after a crash completes without
    duplicates.
    """
    if not _claim(job_id):
        return ImportJob.objects.filter(pk=job_id).first()
    job = ImportJob.objects.get(pk=job_id)

    def report(progress: Progress) -> None:
        result = progress.result
        ImportJob.objects.filter(pk=job_id).update(
            rows_done=progress.rows,
            progress=min(int(progress.fraction * 100), 99),
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(result.rejected),
            heartbeat_at=timezone.now(),
        )

    try:
        result = import_file(
            entity=job.entity,
            path=job.file.path,
            by=job.created_by,
            mapping=job.mapping or None,
            preset=job.preset or None,
            on_progress=report,
        )
    except AccordError as exc:
        _finish(job_id, status=ImportStatus.FAILED, error=exc.message)
        return ImportJob.objects.get(pk=job_id)
    except Exception as exc:
        log.exception("import job %s stopped", job_id)
        _finish(job_id, status=ImportStatus.FAILED, error=f"the import stopped: {exc}")
        raise
    notices = list(result.notices)
    if result.properties:
        notices.append("new custom properties: " + ", ".join(result.properties))
    if len(result.rejected) > MAX_STORED_REJECTIONS:
        notices.append(
            f"only the first {MAX_STORED_REJECTIONS:,} of {len(result.rejected):,} rejected rows "
            "are kept for download; run `accord import … --errors FILE` for all of them"
        )
    _finish(
        job_id,
        status=ImportStatus.DONE,
        rows_done=result.rows,
        progress=100,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=len(result.rejected),
        rejections=[r.as_row() for r in result.rejected[:MAX_STORED_REJECTIONS]],
        notices=notices,
    )
    return ImportJob.objects.get(pk=job_id)


def _finish(job_id: int, *, status: str, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields
    )


def rejections_csv(job: ImportJob) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REJECTION_HEADERS)
    writer.writerows(job.rejections)
    return out.getvalue()
