"""Exports: the maker's list and downloads, the data-subject extract and the e-archive delivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archive import selectors, services
from archive.forms import (
    SipForm,
    SubjectExtractForm,
)
from archive.models import AccessAction
from archive.views.common import ARCHIVE, errors
from ludvika_social.access import role_required

# --- Exports ---------------------------------------------------------------------------------


@role_required(*ARCHIVE)
def export_list(request):
    return render(request, "archive/export_list.html", {
        "exports": selectors.exports_for_user(user=request.user), "retention_days": services.export_retention_days(),
    })


@role_required(*ARCHIVE)
def export_download(request, pk: int):
    export = selectors.export_get_for_user(user=request.user, pk=pk)
    path = services.export_path(export)
    if not path.is_file():
        raise Http404
    services.access_log_write(
        user=request.user, action=AccessAction.DOWNLOAD, sequences=[], export=export, detail=export.file_name
    )
    return FileResponse(open(path, "rb"), as_attachment=True, filename=export.file_name)


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def subject_extract(request):
    form = SubjectExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = services.export_data_subject(
                user=request.user, author_platform_id=form.cleaned_data["author_platform_id"],
                platform=form.cleaned_data["platform"],
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("Registerutdraget är klart: %(name)s") % {"name": export.file_name})
            return redirect("archive-export-list")
    return render(request, "archive/subject_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def sip_export(request):
    form = SipForm(request.POST or None, channels=selectors.archive_channels())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.export_sip(
                user=request.user, channel_id=data["channel"], date_from=data["date_from"], date_to=data["date_to"],
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("E-arkivpaketet är klart: %(name)s") % {"name": export.file_name})
            return redirect("archive-export-list")
    return render(request, "archive/sip_form.html", {"form": form}, status=400 if form.errors else 200)
