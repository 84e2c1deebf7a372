"""The informatör's import of a channel list from a file: upload, preview, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ludvika_social.access import role_required
from registry import forms, imports
from registry.models import ChannelStatus, Platform, Role

INFORMATOR = Role.INFORMATOR


def _import_preview_rows(result: imports.ImportResult) -> list[dict]:
    statuses, platforms = dict(ChannelStatus.choices), dict(Platform.choices)
    return [{
        "line": line, "name": data["name"], "platform": platforms.get(data["platform"], data["platform"]),
        "department": data["department"].name, "status": statuses.get(data["status"], data["status"]),
        "public_url": data["public_url"],
        "responsible": (data["responsible"].get_full_name() or data["responsible"].get_username())
        if data.get("responsible") else "",
    } for line, data in result.rows]


def _import_page(request, **context):
    context.setdefault("upload_form", forms.ChannelImportUploadForm())
    return render(request, "registry/staff/channel_import.html", {
        "max_size": imports.max_bytes(), "max_rows": imports.max_rows(), **context})


def _import_preview(request, *, name: str, raw: bytes, result: imports.ImportResult, confirmed: bool = False):
    """Every row that would be created, or every error with its line; nothing is saved here."""
    return _import_page(
        request, name=name, sha256=imports.sha256_hex(raw), result=result, confirmed=confirmed,
        preview_rows=_import_preview_rows(result),
        confirm_form=None if result.errors else forms.ChannelImportConfirmForm(
            initial={"payload": imports.payload_sign(name=name, raw=raw, user=request.user)}),
    )


@role_required(INFORMATOR)
@require_http_methods(["GET", "POST"])
def channel_import(request):
    """Upload a channel-list file: its name and size are checked, then its content, and it is previewed
    with a dry run (nothing saved). The confirm button posts the previewed file back in a signed field;
    it is checked and validated again and imported all-or-nothing. Any refusal shows its reason and
    changes nothing."""
    if request.method == "GET":
        return _import_page(request)
    if "payload" in request.POST:
        confirm_form = forms.ChannelImportConfirmForm(request.POST)
        if not confirm_form.is_valid():
            return _import_page(request, refusal=confirm_form.errors["payload"][0])
        try:
            name, raw = imports.payload_open(payload=confirm_form.cleaned_data["payload"], user=request.user)
            result = imports.channels_import_file(raw=raw, actor=request.user, dry_run=False)
        except imports.ImportRefused as refused:
            return _import_page(request, refusal=refused.message)
        if result.errors:
            # E.g. someone registered one of the channels between the preview and the confirmation.
            return _import_preview(request, name=name, raw=raw, result=result, confirmed=True)
        count = len(result.created)
        messages.success(request, ngettext("%(count)s kanal importerad.", "%(count)s kanaler importerade.", count)
                         % {"count": count})
        return redirect("registry-channel-list")
    upload_form = forms.ChannelImportUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _import_page(request, upload_form=upload_form)
    upload = upload_form.cleaned_data["file"]
    try:
        raw = imports.upload_read(upload)
        result = imports.channels_import_file(raw=raw, actor=request.user, dry_run=True)
    except imports.ImportRefused as refused:
        upload_form.add_error("file", refused.message)
        return _import_page(request, upload_form=upload_form)
    return _import_preview(request, name=upload.name, raw=raw, result=result)
