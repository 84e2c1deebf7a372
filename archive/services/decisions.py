"""The decision on a request for public documents, and its document.

When every record in a request is reviewed, the records officer decides: the decision lists what is
released in full, what in part (masked, on which ground) and what is refused (on which ground), and
when anything is withheld, how to appeal (OSL 6:7-8; the court from ARCHIVE_APPEAL_COURT). It is
kept as a RequestDecision row with its parts as data, rendered as a tagged PDF (PDF/UA-1) that is
downloadable on its own and travels in every delivery of the request. A review changed after the
decision makes it out of date: a new decision is needed before anything is delivered.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archive.models import PublicRecordsRequest, RequestDecision, ReviewDecision
from archive.osl import osl_ground_label
from archive.services.delivery import local_time


class Outcome:
    RELEASE = "release"  # everything released in full
    PARTIAL = "partial"  # some of it withheld
    REFUSE = "refuse"  # everything refused


def decision_current(request: PublicRecordsRequest) -> RequestDecision | None:
    """The latest decision, if no record was added or reviewed again after it."""
    decision = request.decisions.order_by("-decided_at", "-id").first()
    if decision is None:
        return None
    changed = request.items.aggregate(decided=Max("decided_at"), added=Max("added_at"))
    latest_change = max((t for t in changed.values() if t is not None), default=None)
    if latest_change is not None and latest_change > decision.decided_at:
        return None
    return decision


def _part(item) -> dict:
    record = item.record
    return {
        "sequence": record.sequence,
        "channel": record.channel_name,
        "date": local_time(record.received_at),
        "osl_ground": osl_ground_label(item.osl_reference) if item.osl_reference else "",
    }


def _text(data: dict) -> str:
    """The decision as plain text (the same parts as the document)."""
    lines = [
        _("BESLUT"),
        "",
        _("%(authority)s, %(date)s") % {"authority": data["authority"], "date": data["decided_at_local"]},
        _("Ärende: begäran om allmän handling nr %(id)s, mottagen %(received)s.")
        % {"id": data["request_id"], "received": data["received_local"]},
        "",
        _("Begäran: %(description)s") % {"description": data["description"]},
        "",
    ]
    if data["released"]:
        lines.append(_("Följande handlingar lämnas ut i sin helhet:"))
        lines += [_("- Arkivpost %(sequence)s (%(channel)s, %(date)s).") % p for p in data["released"]]
        lines.append("")
    if data["partial"]:
        lines.append(_("Följande handlingar lämnas ut med vissa uppgifter maskerade; begäran avslås i den delen:"))
        lines += [_("- Arkivpost %(sequence)s (%(channel)s, %(date)s), med stöd av %(osl_ground)s.") % p
                  for p in data["partial"]]
        lines.append("")
    if data["refused"]:
        lines.append(_("Begäran avslås för följande handlingar:"))
        lines += [_("- Arkivpost %(sequence)s (%(channel)s, %(date)s), med stöd av %(osl_ground)s.") % p
                  for p in data["refused"]]
        lines.append("")
    lines.append(_("Beslutet har fattats av %(name)s.") % {"name": data["decided_by"]})
    if data["appeal"]:
        lines += ["", _("HUR MAN ÖVERKLAGAR"), data["appeal_text"]]
    return "\n".join(lines)


def _appeal_text(*, court: str, authority: str) -> str:
    return _(
        "Du kan överklaga beslutet hos %(court)s. Skriv till kammarrätten och tala om vilket beslut du "
        "överklagar och hur du vill att det ska ändras. Skicka eller lämna överklagandet till %(authority)s, "
        "inte direkt till kammarrätten. Överklagandet måste ha kommit in till %(authority)s inom tre veckor "
        "från den dag du fick del av beslutet. Kommunen prövar först om beslutet ska ändras och skickar "
        "sedan överklagandet vidare till kammarrätten."
    ) % {"court": court, "authority": authority}


def request_decide(*, request: PublicRecordsRequest, user) -> RequestDecision:
    """Decide the request as reviewed. Refused when a record is still unreviewed, or nothing is in it."""
    from archive.services.requests import _require_open

    _require_open(request)
    items = list(request.items.select_related("record").order_by("record__sequence"))
    if not items:
        raise ValidationError(_("Lägg till och pröva handlingarna innan beslut fattas."))
    if any(item.decision == ReviewDecision.PENDING for item in items):
        raise ValidationError(_("Pröva alla handlingar innan beslut fattas."))
    now = timezone.now()
    authority = getattr(settings, "MUNICIPALITY_NAME", "Ludvika kommun")
    court = getattr(settings, "ARCHIVE_APPEAL_COURT", "Kammarrätten i Sundsvall")
    # The document is Swedish whatever language the officer's pages are in.
    with translation.override("sv"):
        released = [_part(i) for i in items if i.decision == ReviewDecision.RELEASE]
        partial = [_part(i) for i in items if i.decision == ReviewDecision.PARTIAL]
        refused = [_part(i) for i in items if i.decision == ReviewDecision.REFUSE]
        outcome = Outcome.REFUSE if not (released or partial) else (
            Outcome.RELEASE if not (partial or refused) else Outcome.PARTIAL)
        data = {
            "authority": authority,
            "request_id": request.pk,
            "received_local": local_time(request.received_at),
            "description": request.description,
            "anonymous": request.is_anonymous,
            "decided_at": now.isoformat(),
            "decided_at_local": local_time(now),
            "decided_by": user.get_full_name() or user.get_username(),
            "released": released, "partial": partial, "refused": refused,
            "outcome": outcome,
            "appeal": bool(partial or refused),
            "court": court,
            "appeal_text": _appeal_text(court=court, authority=authority) if (partial or refused) else "",
        }
        text = _text(data)
    with transaction.atomic():
        return RequestDecision.objects.create(
            request=request, decided_at=now, decided_by=user, decided_by_name=data["decided_by"],
            outcome=outcome, text=text, data=data,
        )


def decision_html(decision: RequestDecision, *, standalone: bool = True) -> str:
    """The decision document's HTML (the delivery PDF includes it as a section)."""
    with translation.override("sv"):
        return render_to_string("archive/pdf/decision.html", {
            "decision": decision, "data": decision.data, "standalone": standalone,
            "legacy": bool((decision.data or {}).get("legacy")),
        })


def decision_pdf(decision: RequestDecision) -> bytes:
    from archive.services.exports import html_to_pdf

    return html_to_pdf(decision_html(decision))


def decision_file_name(decision: RequestDecision) -> str:
    moment = timezone.localtime(decision.decided_at)
    return f"beslut-begaran-{decision.request_id}-{moment:%Y%m%d-%H%M}-{decision.pk}.pdf"
