"""Background work of the import: thin tasks that load by id and call a service."""

from __future__ import annotations

from django_tasks import task

from accord.imports.services import import_job_run


@task()
def run_import_job(job_id: int) -> None:
    """Run an import job. Safe to run twice: a job already claimed or finished is left alone."""
    import_job_run(job_id=job_id)
