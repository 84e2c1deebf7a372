"""Staff pages for platform connections (Drift): channel health, credentials, alerts, failed actions."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ludvika_social.access import public, role_required
from registry.models import Role
from registry.roles import is_informator

from . import selectors, services
from .forms import ConnectionSettingsForm, CredentialsForm

CONNECTION_ROLES = (Role.INFORMATOR, Role.DEPARTMENT_ADMIN)


@public
@csrf_exempt
def meta_webhook(request):
    """Meta's webhook: GET answers the subscription check, POST takes a signed delivery."""
    if request.method == "GET":
        if request.GET.get("hub.mode") is None:
            return HttpResponse("Webhook för Meta (Facebook-sidor).", content_type="text/plain; charset=utf-8")
        token = getattr(settings, "META_WEBHOOK_VERIFY_TOKEN", "")
        if request.GET.get("hub.mode") == "subscribe" and token and constant_time_compare(
            request.GET.get("hub.verify_token", ""), token
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden()
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not services.meta_signature_valid(body=request.body, header=request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden()
    try:
        payload = json.loads(request.body)
        services.meta_webhook_process(payload=payload)
    except (ValueError, RecursionError):  # not JSON, or not what Meta documents (WebhookMalformed)
        return HttpResponseBadRequest("malformed delivery", content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@role_required()
def health_overview(request):
    channels = list(selectors.channels_health_for_user(user=request.user))
    rows = [(channel, selectors.channel_sync_for(channel=channel)) for channel in channels]
    alerts = list(selectors.outside_removals_for_user(user=request.user)[:50])
    return render(request, "channels/health_overview.html", {"rows": rows, "alerts": alerts, "now": timezone.now()})


def _health_context(request, channel, *, credentials_form=None, settings_form=None) -> dict:
    sync = selectors.channel_sync_for(channel=channel)
    can_manage = selectors.can_manage_connection(user=request.user, channel=channel)
    context = {
        "channel": channel,
        "sync": sync,
        "can_manage": can_manage,
        "can_acknowledge": is_informator(request.user),
        "interval_minutes": max(1, sync.poll_interval_seconds // 60),
        "now": timezone.now(),
        "alerts": list(selectors.outside_removals_for_user(user=request.user, open_only=False).filter(channel=channel)[:50]),
        "actions": selectors.outbox_actions_for_channel(channel=channel),
        "quarantine": selectors.quarantine_for_channel(channel=channel),
    }
    if can_manage:
        context["credentials_form"] = credentials_form or CredentialsForm(platform=channel.platform)
        context["settings_form"] = settings_form or ConnectionSettingsForm(
            initial={
                "api_base_url": sync.api_base_url,
                "poll_interval_minutes": max(1, sync.poll_interval_seconds // 60),
                "polling_enabled": sync.polling_enabled,
            }
        )
    return context


@role_required()
def channel_health(request, pk: int):
    channel = selectors.channel_get_for_user(user=request.user, pk=pk)
    return render(request, "channels/channel_health.html", _health_context(request, channel))


@role_required(*CONNECTION_ROLES)
@require_POST
def channel_credentials(request, pk: int):
    channel = selectors.channel_get_for_connection(user=request.user, pk=pk)
    form = CredentialsForm(request.POST, platform=channel.platform)
    if not form.is_valid():
        context = _health_context(request, channel, credentials_form=form)
        return render(request, "channels/channel_health.html", context, status=400)
    services.channel_credentials_set(channel=channel, credentials=form.credentials())
    messages.success(request, _("De nya inloggningsuppgifterna är sparade."))
    return redirect("channels-channel-health", pk=channel.pk)


@role_required(*CONNECTION_ROLES)
@require_POST
def channel_settings(request, pk: int):
    channel = selectors.channel_get_for_connection(user=request.user, pk=pk)
    form = ConnectionSettingsForm(request.POST)
    if not form.is_valid():
        context = _health_context(request, channel, settings_form=form)
        return render(request, "channels/channel_health.html", context, status=400)
    services.channel_sync_settings_update(
        channel=channel,
        api_base_url=form.cleaned_data["api_base_url"] or "",
        poll_interval_seconds=form.cleaned_data["poll_interval_minutes"] * 60,
        polling_enabled=form.cleaned_data["polling_enabled"],
    )
    messages.success(request, _("Inställningarna för hämtning är sparade."))
    return redirect("channels-channel-health", pk=channel.pk)


@role_required(Role.INFORMATOR)
@require_POST
def alert_acknowledge(request, pk: int):
    alert = selectors.outside_removal_get_for_user(user=request.user, pk=pk)
    if services.outside_removal_acknowledge(alert_id=alert.pk, user=request.user):
        messages.success(request, _("Larmet är kvitterat."))
    return redirect("channels-channel-health", pk=alert.channel_id)


@role_required(*CONNECTION_ROLES)
@require_POST
def outbox_retry(request, pk: int):
    action = selectors.outbox_action_get_for_connection(user=request.user, pk=pk)
    if services.outbox_retry(action_id=action.pk):
        messages.success(request, _("Åtgärden har lagts i kö igen."))
    else:
        messages.warning(request, _("Åtgärden kan bara försökas igen när den har misslyckats."))
    return redirect("channels-channel-health", pk=action.channel_id)

