"""The admin's import and export pages for the catalogue (see docs/import-export.md).

The same code as ``manage.py import_projects`` / ``export_projects``: a dry run
lists every error by line and field, a real run is all-or-nothing, the author of
the changes is the editor who imported. The import runs as a background job
(``projects.import_jobs``): the upload answers at once with the job's page,
which shows the rows done while it runs and the report when it ends, and offers
to run a dry run's file for real without uploading it again.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.exports import catalogue_rows, export_csv, export_json
from projects.import_jobs import (
    import_job_create,
    import_job_queue_again,
    import_job_run_for_real,
    import_job_stalled,
    max_bytes,
)
from projects.imports import IMPORT_PERMISSIONS, ImportFileError, summary_text
from projects.models import ImportJob

# Jobs listed under the import form.
RECENT_JOBS = 10
# Seconds between two reloads of a job's page while it waits or runs.
REFRESH_SECONDS = 2


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("catalogue file"),
        help_text=_(
            "A .csv or .json file in the documented format (an export is one). "
            "At most %(mb)s MB."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("dry run"),
        required=False,
        initial=True,
        help_text=_(
            "Check every row and report, without writing anything. From the "
            "report, the same file can then be run for real."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.fields["file"].help_text
        self.fields["file"].help_text = help_text % {"mb": settings.IMPORT_MAX_MB}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower().lstrip(".")
        if suffix not in {"csv", "json"}:
            raise forms.ValidationError(_("Choose a .csv or .json file."))
        if upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB: split it into smaller files.")
                % {"mb": settings.IMPORT_MAX_MB}
            )
        upload.format = suffix
        return upload


class CatalogueTransferMixin:
    """Adds /import/ (with each job's page) and /export/ pages to the project
    admin."""

    change_list_template = "admin/projects/project/change_list.html"

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{name}_import",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{name}_import_job",
            ),
            path(
                "import/<int:job_id>/run/",
                self.admin_site.admin_view(self.import_run_view),
                name=f"{name}_import_run",
            ),
            path(
                "import/<int:job_id>/again/",
                self.admin_site.admin_view(self.import_again_view),
                name=f"{name}_import_again",
            ),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{name}_export",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            **extra,
        }

    def _job_url(self, job: ImportJob) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk]
        )

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    user=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    fmt=upload.format,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect(self._job_url(job))
        jobs = ImportJob.objects.defer("content", "errors").select_related("user")[
            :RECENT_JOBS
        ]
        context = self._context(
            request, title=_("Import projects"), form=form, jobs=jobs
        )
        return TemplateResponse(request, "admin/projects/project/import.html", context)

    def import_job_view(self, request, job_id):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        job = get_object_or_404(
            ImportJob.objects.defer("content").select_related("user", "source"),
            pk=job_id,
        )
        waited = (timezone.now() - job.created_at).total_seconds()
        stalled = import_job_stalled(job)
        context = self._context(
            request,
            title=(_("Dry run of %s") if job.dry_run else _("Import of %s"))
            % job.file_name,
            job=job,
            refresh_seconds=None if job.finished or stalled else REFRESH_SECONDS,
            no_worker=job.status == ImportJob.Status.QUEUED
            and waited > settings.IMPORT_QUEUED_WARNING_SECONDS,
            stalled=stalled,
            percent=(100 * job.rows_done // job.rows_total if job.rows_total else None),
            summary=_summary(job),
        )
        return TemplateResponse(
            request, "admin/projects/project/import_job.html", context
        )

    def import_run_view(self, request, job_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        job = get_object_or_404(ImportJob.objects.defer("content", "errors"), pk=job_id)
        try:
            real = import_job_run_for_real(job=job, user=request.user)
        except ImportFileError as error:
            messages.error(request, str(error))
            return redirect(self._job_url(job))
        return redirect(self._job_url(real))

    def import_again_view(self, request, job_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        job = get_object_or_404(ImportJob.objects.defer("errors"), pk=job_id)
        try:
            again = import_job_queue_again(job=job, user=request.user)
        except ImportFileError as error:
            messages.error(request, str(error))
            return redirect(self._job_url(job))
        return redirect(self._job_url(again))

    def export_view(self, request, fmt):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if fmt not in {"csv", "json"}:
            return HttpResponse(
                _("Unknown format: use csv or json."),
                status=404,
                content_type="text/plain",
            )
        rows = catalogue_rows()
        body = export_csv(rows) if fmt == "csv" else export_json(rows)
        content_type = "text/csv" if fmt == "csv" else "application/json"
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="catalogue.{fmt}"'
        return response


def _summary(job: ImportJob) -> str:
    if job.status != ImportJob.Status.DONE:
        return ""
    return summary_text(
        rows=job.rows_total or 0,
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        pending=job.pending,
        error_count=job.error_count,
        dry_run=job.dry_run,
    )
