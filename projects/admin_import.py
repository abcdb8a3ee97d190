"""The admin's import and export pages for the catalogue (see docs/import-export.md).

The same code as ``manage.py import_projects`` / ``export_projects``: a dry run
lists every error by line and field, a real run is all-or-nothing, the author of
the changes is the editor who imported.
"""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from portal.publishing.history import acting_as
from projects.exports import catalogue_rows, export_csv, export_json
from projects.imports import (
    IMPORT_PERMISSIONS,
    ImportFileError,
    import_catalogue,
    read_file,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("catalogue file"),
        help_text=_(
            "A .csv or .json file in the documented format (an export is one). "
            "At most 20 MB."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("dry run"),
        required=False,
        initial=True,
        help_text=_("Check every row and report, without writing anything."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower().lstrip(".")
        if suffix not in {"csv", "json"}:
            raise forms.ValidationError(_("Choose a .csv or .json file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        upload.format = suffix
        return upload


class CatalogueTransferMixin:
    """Adds /import/ and /export/ pages to the project admin."""

    change_list_template = "admin/projects/project/change_list.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{opts.app_label}_{opts.model_name}_export",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_file(upload.read(), upload.format)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                with acting_as(request.user):
                    report = import_catalogue(
                        rows,
                        fmt=upload.format,
                        dry_run=form.cleaned_data["dry_run"],
                        user=request.user,
                    )
                if report.ok and not report.dry_run:
                    messages.success(request, report.summary())
                    return redirect(
                        reverse(
                            f"admin:{self.model._meta.app_label}_"
                            f"{self.model._meta.model_name}_changelist"
                        )
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import projects"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/projects/project/import.html", context)

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
