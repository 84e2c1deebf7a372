"""The register of registered items (diarieförda handlingar), as a page and as CSV for the diarium."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from archive import services
from archive.forms import (
    RegisterFilterForm,
)
from archive.models import AccessAction
from archive.services.delivery import local_time
from archive.views.common import ARCHIVE, PAGE_SIZE
from core.csv_export import csv_response
from ludvika_social.access import role_required

# --- The register of registered items (diarium) -------------------------------------------------


def _register_rows(records) -> list[dict]:
    markings = services.secrecy_markings_for(records)
    rows = []
    for record in records:
        content = json.loads(record.content) if record.content else {}
        event = content.get("event") or {}
        rows.append({
            "record": record, "case_number": event.get("case_number") or "", "subject": event.get("subject") or "",
            "sender": (event.get("sender") or {}).get("name") or record.author_name,
            "received": event.get("received_at"), "registered": record.received_at,
            "registered_by": (content.get("actor") or {}).get("name") or (content.get("actor") or {}).get("username"),
            "markings": markings.get(record.pk, []),
        })
    return rows


@role_required(*ARCHIVE)
def register(request):
    """Registered items (diarieförda handlingar) with the register's fields (OSL 5:2)."""
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    records = services.register_entries(date_from=data.get("date_from"), date_to=data.get("date_to"),
                                        case_number=data.get("case_number") or "")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = _register_rows(list(page.object_list))
    if rows:
        services.access_log_write(user=request.user, action=AccessAction.VIEW,
                                  sequences=[r["record"].sequence for r in rows], detail="register")
    query = request.GET.copy()
    query.pop("sida", None)
    return render(request, "archive/register.html", {"form": form, "page": page, "rows": rows,
                                                     "query": query.urlencode()})


@role_required(*ARCHIVE)
def register_csv(request):
    """The register as CSV for the diarium (every filtered row; each export is in the access log)."""
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    records = list(services.register_entries(date_from=data.get("date_from"), date_to=data.get("date_to"),
                                             case_number=data.get("case_number") or ""))
    rows = _register_rows(records)
    services.access_log_write(user=request.user, action=AccessAction.EXPORT,
                              sequences=[r["record"].sequence for r in rows], detail="register (CSV)")
    header = [_("diarienummer"), _("inkom"), _("registrerad"), _("registrerad av"), _("avsändare"),
              _("ärendemening"), _("kanal"), _("arkivpost"), _("sekretessmarkering")]
    return csv_response(
        filename=f"diarieforda-handlingar-{timezone.localtime():%Y%m%d-%H%M}.csv", header=header,
        rows=([r["case_number"], local_time(r["received"]), local_time(r["registered"]), r["registered_by"] or "",
               r["sender"], r["subject"], r["record"].channel_name, r["record"].sequence,
               "; ".join(str(m.get_osl_ground_display()) for m in r["markings"])] for r in rows),
    )
