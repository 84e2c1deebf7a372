"""Staff pages for the prohibited-content list, channel additions and the screening test bench."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ludvika_social.access import role_required
from registry.models import Role
from registry.roles import is_informator

from .. import selectors, services
from ..forms import AdditionProposeForm, BenchForm, DecisionForm
from ..highlight import segments
from ..models import AdditionStatus
from ..screening import CODE_LABELS, FLAG_THRESHOLD, default_screener


@role_required()
def rules(request):
    additions = selectors.additions_visible_to(user=request.user)
    return render(request, "moderation/rules.html", {
        "categories": selectors.categories(),
        "proposed": [a for a in additions if a.status == AdditionStatus.PROPOSED],
        "decided": [a for a in additions if a.status != AdditionStatus.PROPOSED],
        "may_propose": selectors.channels_user_may_propose_for(user=request.user).exists(),
        "is_informator": is_informator(request.user),
    })


@role_required(Role.INFORMATOR, Role.DEPARTMENT_ADMIN, Role.REPRESENTATIVE)
def addition_propose(request):
    channels = selectors.channels_user_may_propose_for(user=request.user)
    form = AdditionProposeForm(request.POST or None, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            addition = services.addition_propose(
                user=request.user, channel=data["channel"], code=data["code"], pattern=data["pattern"],
                motivation=data["motivation"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Förslaget är sparat. Informatören prövar det innan det börjar gälla."))
            return redirect("moderation-addition-detail", pk=addition.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "moderation/addition_form.html", {"form": form, "no_channels": not channels.exists()},
                  status=status)


@role_required()
def addition_detail(request, pk: int):
    addition = selectors.addition_get_for_user(user=request.user, pk=pk)
    trial = None
    if is_informator(request.user):
        trial = services.addition_trial(channel_id=addition.channel_id, pattern=addition.pattern,
                                        code=addition.category.code)
        for hit in trial:
            hit["segments"] = segments(hit["text"] or "", [_Span(s, e) for s, e in hit["spans"]])
    return render(request, "moderation/addition_detail.html", {
        "addition": addition,
        "events": addition.events.select_related("actor"),
        "trial": trial,
        "recent_limit": selectors.RECENT_ITEMS,
        "is_informator": is_informator(request.user),
        "decision_form": DecisionForm(),
    })


class _Span:
    code = "tillagg"
    explanation = ""

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end


def _decision_view(request, pk: int, service, success: str):
    addition = selectors.addition_get_for_user(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            service(user=request.user, addition=addition, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("moderation-addition-detail", pk=addition.pk)
        messages.success(request, success)
    else:
        messages.error(request, _("Motiveringen är för lång."))
    return redirect("moderation-addition-detail", pk=addition.pk)


@role_required(Role.INFORMATOR)
@require_POST
def addition_approve(request, pk: int):
    return _decision_view(request, pk, services.addition_approve,
                          _("Tillägget är godkänt och gäller från nu. Kanalens öppna poster granskas igen."))


@role_required(Role.INFORMATOR)
@require_POST
def addition_reject(request, pk: int):
    return _decision_view(request, pk, services.addition_reject, _("Tillägget är avslaget."))


@role_required(Role.INFORMATOR)
@require_POST
def addition_withdraw(request, pk: int):
    return _decision_view(request, pk, services.addition_withdraw, _("Tillägget är återkallat."))


@role_required(Role.INFORMATOR)
def bench(request):
    form = BenchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        screener = default_screener()
        flags = screener.screen(text)
        addition_flags = []
        if form.cleaned_data["pattern"]:
            matcher = screener.additions_matcher([(form.cleaned_data["pattern"], form.cleaned_data["code"] or "svordomar",
                                                   "prov")])
            addition_flags = screener.extra_only(text, matcher)
        shown = [f for f in flags if f.confidence >= FLAG_THRESHOLD]
        result = {
            "segments": segments(text, shown + addition_flags),
            "flags": [{"flag": f, "label": CODE_LABELS.get(f.code, f.code), "excerpt": text[f.start:f.end]}
                      for f in flags],
            "addition_flags": addition_flags,
            "threshold": FLAG_THRESHOLD,
        }
    return render(request, "moderation/bench.html", {"form": form, "result": result},
                  status=400 if request.method == "POST" and not form.is_valid() else 200)
