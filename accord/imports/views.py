"""The import wizard: upload → map columns → preview → run (with progress) → result.

Every write goes through ``imports.services``; the run itself is a background task, and the job
page polls its progress with htmx (the same view answers with the fragment).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accord.errors import AccordError
from accord.imports.csvfile import CsvSource
from accord.imports.engine import preview_file
from accord.imports.forms import MappingForm, UploadForm
from accord.imports.mapping import Plan, parse_mapping, plan_columns
from accord.imports.models import ImportJob, ImportStatus
from accord.imports.services import (
    import_job_create,
    import_job_map,
    import_job_start,
    rejections_csv,
)
from accord.pagination import paginate
from accord.teams.models import User

SAMPLE_ROWS = 20
SHOWN_REJECTIONS = 50
STEPS = ("Upload", "Map columns", "Preview", "Import")


def _person(request: HttpRequest) -> User:
    return cast(User, request.user)


def _job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


def _source(job: ImportJob) -> tuple[CsvSource | None, str]:
    """The job's file, or why it cannot be read any more."""
    try:
        return CsvSource(job.file.path), ""
    except (AccordError, ValueError, NotImplementedError):
        return None, "The uploaded file is no longer available. Upload it again to import it."


def _plans(job: ImportJob, source: CsvSource) -> tuple[Plan, Plan]:
    """The job's current mapping as a plan, and the plan the import suggests by itself."""
    suggested = plan_columns(source.headers, job.entity, preset=job.preset or None)
    if not job.mapping:
        return suggested, suggested
    mapping = parse_mapping(job.mapping, job.entity)
    return plan_columns(source.headers, job.entity, mapping=mapping), suggested


def _samples(source: CsvSource) -> list[list[str]]:
    """Up to three distinct non-empty values of each column, from the first rows."""
    samples: list[list[str]] = [[] for _ in source.headers]
    for row in source.rows(limit=SAMPLE_ROWS):
        for index, value in enumerate(row.values[: len(samples)]):
            value = value.strip()
            if value and value not in samples[index] and len(samples[index]) < 3:
                samples[index].append(value)
    return samples


def _wizard(
    request: HttpRequest, template: str, job: ImportJob | None, step: int, **context: Any
) -> HttpResponse:
    return render(
        request,
        template,
        {"job": job, "steps": STEPS, "step": step, **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a file, and see the imports that came before."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                by=_person(request),
                entity=form.cleaned_data["entity"],
                upload=form.cleaned_data["file"],
                preset=form.cleaned_data["preset"],
            )
        except AccordError as exc:
            form.add_error("file" if "file" in exc.fields else None, exc.message)
        else:
            return redirect("import_map", pk=job.pk)
    recent = list(ImportJob.objects.select_related("created_by")[:6])
    return _wizard(request, "imports/start.html", None, 0, form=form, recent=recent)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    """Every import, newest first, a page at a time."""
    try:
        page = paginate(
            ImportJob.objects.select_related("created_by"),
            sort="-created_at",
            cursor=request.GET.get("cursor") or None,
            limit=25,
        )
    except AccordError as exc:
        messages.error(request, exc.message)
        return redirect("import_list")
    return render(request, "imports/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose where each column goes; the import's suggestions come preselected."""
    job = _job(pk)
    source, problem = _source(job)
    if source is None or job.status not in (ImportStatus.MAPPING, ImportStatus.READY):
        return _wizard(request, "imports/map.html", job, 1, problem=problem, locked=True)
    try:
        plan, suggested = _plans(job, source)
    except AccordError as exc:
        return _wizard(request, "imports/map.html", job, 1, problem=exc.message, locked=True)
    form = MappingForm(request.POST or None, plan=plan, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        try:
            import_job_map(job=job, by=_person(request), mapping=form.mapping())
        except AccordError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("import_preview", pk=job.pk)
    rows = [(*row, samples) for row, samples in zip(form.rows(), _samples(source), strict=True)]
    return _wizard(
        request, "imports/map.html", job, 1, form=form, rows=rows, source=source, locked=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The first rows as the import reads them, with what it would reject; then run it."""
    job = _job(pk)
    runnable = job.status in (ImportStatus.READY, ImportStatus.FAILED)
    if request.method == "POST":
        try:
            import_job_start(job=job, by=_person(request))
        except AccordError as exc:
            messages.error(request, exc.message)
        return redirect("import_detail", pk=job.pk)
    source, problem = _source(job)
    preview = None
    if source is not None:
        try:
            preview = preview_file(
                entity=job.entity,
                path=job.file.path,
                by=_person(request),
                mapping=job.mapping or None,
                preset=job.preset or None,
                rows=SAMPLE_ROWS,
            )
        except AccordError as exc:
            problem = exc.message
    columns = (
        [
            (header, target.describe(job.entity))
            for header, target in zip(preview.plan.headers, preview.plan.targets, strict=True)
            if target.kind != "ignore"
        ]
        if preview
        else []
    )
    return _wizard(
        request,
        "imports/preview.html",
        job,
        2,
        preview=preview,
        preview_columns=columns,
        problem=problem,
        runnable=runnable and preview is not None,
        mapped=bool(job.mapping),
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress while it runs (polled by htmx every second), then its result."""
    job = _job(pk)
    rejections = job.rejections[:SHOWN_REJECTIONS]
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return render(request, "imports/_progress.html", {"job": job, "rejections": rejections})
    return _wizard(request, "imports/detail.html", job, 3, rejections=rejections)


@login_required
def import_rejections(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows of a job as a CSV file: row, column, value, reason."""
    job = _job(pk)
    response = HttpResponse(rejections_csv(job), content_type="text/csv; charset=utf-8")
    name = f"{Path(job.filename).stem or 'import'}-rejected-rows.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
