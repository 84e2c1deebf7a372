"""The informatör's statistics, the audit search and CSV export, the per-förvaltning settings, and
the public transparency page /insyn/."""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ludvika_social.access import public, role_required
from registry.models import Channel, Department, Role

from .. import services
from ..forms import AuditSearchForm, PeriodForm
from ..models import DepartmentSettings
from ..selectors import stats

AUDIT_PAGE = 100


@role_required(Role.INFORMATOR)
def dashboard(request):
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=29), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if end < start:
        messages.error(request, _("Slutdatum får inte vara före startdatum. Visar de senaste 30 dagarna."))
        start, end = today - dt.timedelta(days=29), today
    return render(request, "moderation/dashboard.html", {
        "form": form, "start": start, "end": end, "data": stats.dashboard(start=start, end=end),
    })


def _audit_filters(request):
    form = AuditSearchForm(request.GET or None, channels=Channel.objects.order_by("name"))
    data = form.cleaned_data if form.is_valid() else {}
    qs = stats.audit_search(channel_id=data.get("channel"), action=data.get("action") or "",
                            actor=data.get("actor") or "", text=data.get("text") or "", start=data.get("start"),
                            end=data.get("end"), item_id=data.get("item"))
    return form, data, qs


@role_required(Role.INFORMATOR)
def audit(request):
    form, data, qs = _audit_filters(request)
    page = data.get("page") or 1
    rows = list(qs[(page - 1) * AUDIT_PAGE: page * AUDIT_PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "moderation/audit.html", {
        "form": form, "rows": rows[:AUDIT_PAGE], "has_more": len(rows) > AUDIT_PAGE, "page": page,
        "query": query.urlencode(),
    })


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@role_required(Role.INFORMATOR)
def audit_csv(request):
    _form, _data, qs = _audit_filters(request)
    writer = csv.writer(_Echo())
    header = ["tid", "vem", "händelse", "kanal", "post-id", "plattforms-id", "koder", "motivering", "före", "efter",
              "kommentarspolicy", "request-id"]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for a in qs.iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in (
                timezone.localtime(a.at).isoformat(timespec="seconds"), a.actor_name or "systemet", a.action,
                a.channel.name, a.entry.item_id, a.entry.item.platform_id, " ".join(a.codes or []), a.motivation,
                json.dumps(a.before, ensure_ascii=False), json.dumps(a.after, ensure_ascii=False), a.policy_version,
                a.request_id,
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="moderationslogg-{timezone.localdate():%Y%m%d}.csv"'
    return response


@role_required(Role.INFORMATOR)
def department_settings(request):
    departments = list(Department.objects.order_by("name"))
    current = {s.department_id: s for s in DepartmentSettings.objects.all()}
    rows = [(d, current.get(d.pk).objectivity_second_approval if d.pk in current else True) for d in departments]
    return render(request, "moderation/settings.html", {"rows": rows})


@role_required(Role.INFORMATOR)
@require_POST
def department_settings_set(request, pk: int):
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise Http404
    services.department_settings_set(user=request.user, department_id=department.pk,
                                   objectivity_second_approval=request.POST.get("objectivity") == "1")
    messages.success(request, _("Inställningen för %(name)s är sparad.") % {"name": department.name})
    return redirect("moderation-settings")


@public
def transparency(request):
    quarters = stats.recent_quarters()
    wanted = request.GET.get("kvartal", "")
    year, quarter = quarters[0]
    if wanted:
        try:
            y, q = (int(part) for part in wanted.split("-", 1))
        except ValueError:
            y, q = 0, 0
        if (y, q) in quarters:
            year, quarter = y, q
    key = f"moderation:insyn:{year}-{quarter}"
    data = cache.get(key)
    if data is None:
        data = stats.transparency(year=year, quarter=quarter)
        cache.set(key, data, 15 * 60)
    return render(request, "moderation/transparency.html", {
        "data": data, "year": year, "quarter": quarter, "quarters": quarters,
    })
