"""The informatör's statistics, the audit search and CSV export, the per-förvaltning settings, and
the public transparency page /insyn/."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.bounds import form_check_bounds, form_errors_text
from core.csv_export import csv_response
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
    if form_check_bounds(form):
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    elif form.is_bound:
        # Bad dates (30 februari, year 0001 or 9999) get a message and the default period.
        messages.error(request, _("Perioden kunde inte användas: %(errors)s Visar de senaste 30 dagarna.")
                       % {"errors": form_errors_text(form)})
    if end < start:
        messages.error(request, _("Slutdatum får inte vara före startdatum. Visar de senaste 30 dagarna."))
        start, end = today - dt.timedelta(days=29), today
    return render(request, "moderation/dashboard.html", {
        "form": form, "start": start, "end": end, "data": stats.dashboard(start=start, end=end),
    })


def _audit_filters(request):
    """The search form and its hits. A form with bad values (a date outside 1900–2999, a page or an id
    too large for the database) searches nothing narrower: the caller tells the user."""
    form = AuditSearchForm(request.GET or None, channels=Channel.objects.order_by("name"))
    data = form.cleaned_data if form_check_bounds(form) else {}
    qs = stats.audit_search(channel_id=data.get("channel"), action=data.get("action") or "",
                            actor=data.get("actor") or "", text=data.get("text") or "", start=data.get("start"),
                            end=data.get("end"), item_id=data.get("item"))
    return form, data, qs


@role_required(Role.INFORMATOR)
def audit(request):
    form, data, qs = _audit_filters(request)
    if form.is_bound and form.errors:
        messages.error(request, _("Sökningen kunde inte göras: %(errors)s Visar hela loggen.")
                       % {"errors": form_errors_text(form)})
    page = data.get("page") or 1
    rows = list(qs[(page - 1) * AUDIT_PAGE: page * AUDIT_PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "moderation/audit.html", {
        "form": form, "rows": rows[:AUDIT_PAGE], "has_more": len(rows) > AUDIT_PAGE, "page": page,
        "query": query.urlencode(),
    })


AUDIT_CSV_HEADER = ["tid", "vem", "händelse", "kanal", "post-id", "plattforms-id", "koder", "motivering", "före",
                    "efter", "kommentarspolicy", "request-id"]


@role_required(Role.INFORMATOR)
def audit_csv(request):
    # Every cell quoted and neutralised against formulas however a spreadsheet splits it
    # (core/csv_export.py).
    form, _data, qs = _audit_filters(request)
    if form.is_bound and form.errors:
        # A download has no page to show a message on; a bad filter must not export the whole log.
        return HttpResponseBadRequest(_("Exporten kunde inte göras: %(errors)s") % {"errors": form_errors_text(form)},
                                      content_type="text/plain; charset=utf-8")
    rows = ((
        timezone.localtime(a.at).isoformat(timespec="seconds"), a.actor_name or "systemet", a.action,
        a.channel.name, a.entry.item_id, a.entry.item.platform_id, " ".join(a.codes or []), a.motivation,
        json.dumps(a.before, ensure_ascii=False), json.dumps(a.after, ensure_ascii=False), a.policy_version,
        a.request_id,
    ) for a in qs.iterator(chunk_size=2000))
    return csv_response(filename=f"moderationslogg-{timezone.localdate():%Y%m%d}.csv", header=AUDIT_CSV_HEADER,
                        rows=rows)


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
