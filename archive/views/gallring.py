"""Gallring: rules and their dry run, holds, protocols, and the access log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archive import selectors, services
from archive.forms import (
    HoldForm,
    RuleForm,
)
from archive.models import InformationClass
from archive.views.common import ARCHIVE, RECORDS_OFFICER, errors
from ludvika_social.access import role_required

# --- Gallring --------------------------------------------------------------------------------


@role_required(*ARCHIVE)
def rule_list(request):
    return render(request, "archive/rule_list.html", {
        "rules": selectors.rule_list(user=request.user),
        "can_manage": selectors.can_manage_gallring(request.user),
    })


@role_required(*RECORDS_OFFICER)
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    rule = selectors.rule_get_for_user(user=request.user, pk=pk) if pk is not None else None
    initial = None
    if rule is not None:
        initial = {
            "board": rule.board, "information_class": rule.information_class, "keep_forever": rule.keep_forever,
            "retention_months": rule.retention_months, "decision_reference": rule.decision_reference,
            "decision_date": rule.decision_date, "note": rule.note,
        }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.retention_rule_save(
                board=data["board"], information_class=data["information_class"], keep_forever=data["keep_forever"],
                retention_months=data["retention_months"], decision_reference=data["decision_reference"],
                decision_date=data["decision_date"], note=data["note"], user=request.user, rule=rule,
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("Gallringsregeln är sparad."))
            return redirect("archive-rule-list")
    return render(request, "archive/rule_form.html", {"form": form, "rule": rule}, status=400 if form.errors else 200)


@role_required(*RECORDS_OFFICER)
@require_http_methods(["GET", "POST"])
def hold_list(request):
    channels = selectors.archive_channels()
    form = HoldForm(request.POST or None, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        names = dict(channels)
        try:
            services.hold_create(
                user=request.user, reason=data["reason"], channel_id=data["channel"],
                channel_name=names.get(data["channel"], "") if data["channel"] else "",
                author_platform_id=data["author_platform_id"], date_from=data["date_from"], date_to=data["date_to"],
                reference=data["reference"],
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("Spärren är lagd."))
            return redirect("archive-hold-list")
    return render(request, "archive/hold_list.html", {
        "holds": selectors.hold_list(user=request.user), "form": form,
    }, status=400 if form.errors else 200)


@role_required(*RECORDS_OFFICER)
@require_POST
def hold_release(request, pk: int):
    hold = selectors.hold_get_for_user(user=request.user, pk=pk)
    try:
        services.hold_release(hold=hold, user=request.user)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, _("Spärren är hävd."))
    return redirect("archive-hold-list")


@role_required(*RECORDS_OFFICER)
def rule_preview(request, pk: int):
    """A dry run of one rule: what it would cull now, per class, channel and month."""
    rule = selectors.rule_get_for_user(user=request.user, pk=pk)
    preview = services.gallring_preview(rule=rule)
    labels = dict(InformationClass.choices)
    for group in preview["groups"]:
        group["class_label"] = labels.get(group["information_class"], group["information_class"])
    return render(request, "archive/rule_preview.html", {"preview": preview})


@role_required(*ARCHIVE)
def protocol_list(request):
    return render(request, "archive/protocol_list.html", {"protocols": selectors.protocol_list(user=request.user)})


@role_required(*ARCHIVE)
def protocol_detail(request, pk: int):
    protocol = selectors.protocol_get_for_user(user=request.user, pk=pk)
    places = {
        "channels.items": _("Inkorgens poster (text, avsändare, rådata)"),
        "channels.versions": _("Inkorgens versioner (text, rådata)"),
        "channels.attachments": _("Bilagefiler i inkorgen"),
        "moderation.flags": _("Granskningens förklaringar"),
        "moderation.handoff_eml": _("Kopior av överlämnade direktmeddelanden (.eml)"),
        "archive.exports": _("Exportfiler"),
    }
    operational = [(places.get(k, k), v) for k, v in sorted((protocol.operational or {}).items()) if v]
    return render(request, "archive/protocol_detail.html", {"protocol": protocol, "operational": operational})


@role_required(*RECORDS_OFFICER)
def access_log(request):
    return render(request, "archive/access_log.html", {"entries": selectors.access_log(user=request.user)})
