"""Forms of the archive's staff pages. They validate input; services write."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from archive.models import InformationClass, ItemKind, RecordType, ReviewDecision
from archive.osl import OslGround
from registry.models import Board, Platform
from registry.policy import PROHIBITED_CATEGORIES


class BoundedDateField(forms.DateField):
    """A date within the years the archive can hold (a date like 0001-01-01 or 9999-12-31 would
    overflow the day arithmetic of a search)."""

    MIN = datetime.date(1990, 1, 1)
    MAX = datetime.date(2200, 12, 31)

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not (self.MIN <= day <= self.MAX):
            raise forms.ValidationError(
                _("Ange ett datum mellan %(min)s och %(max)s.") % {"min": self.MIN.isoformat(), "max": self.MAX.isoformat()}
            )
        return day


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _code_choices():
    return [("", _("Alla")), *((c.code, f"{c.code} – {c.policy_wording}") for c in PROHIBITED_CATEGORIES)]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Sökord"), required=False, max_length=200)
    channel = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    date_from = BoundedDateField(label=_("Från och med"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("Till och med"), required=False, widget=DateInput())
    author = forms.CharField(label=_("Avsändare (namn eller id)"), required=False, max_length=300)
    code = forms.ChoiceField(label=_("Kod"), required=False)
    information_class = forms.ChoiceField(
        label=_("Informationsklass"), required=False, choices=[("", _("Alla")), *InformationClass.choices]
    )
    record_type = forms.ChoiceField(label=_("Posttyp"), required=False, choices=[("", _("Alla")), *RecordType.choices])
    visibility = forms.CharField(label=_("Synlighet"), required=False, max_length=30)
    direction = forms.ChoiceField(label=_("Riktning"), required=False, choices=[
        ("", _("Alla")), ("in", _("Inkommet (allmänheten)")), ("out", _("Utgående (kommunens egna inlägg och svar)")),
    ])

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("Alla")), *channels]
        self.fields["code"].choices = _code_choices()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Startdatum måste vara före slutdatum."))
        return data


class RegisterFilterForm(forms.Form):
    date_from = BoundedDateField(label=_("Registrerad från och med"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("till och med"), required=False, widget=DateInput())
    case_number = forms.CharField(label=_("Diarienummer eller ord i ärendemeningen"), required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Startdatum måste vara före slutdatum."))
        return data


class RequestForm(forms.Form):
    description = forms.CharField(
        label=_("Vad som begärs"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("Den som begär får vara anonym och behöver inte uppge varför."),
    )
    requester_name = forms.CharField(label=_("Namn (frivilligt)"), required=False, max_length=200)
    requester_contact = forms.CharField(label=_("Kontaktuppgift (frivillig)"), required=False, max_length=300)
    received_at = forms.DateTimeField(
        label=_("Mottagen"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Lämna tomt för nu."),
    )
    scope_channel = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    scope_date_from = BoundedDateField(label=_("Från och med"), required=False, widget=DateInput())
    scope_date_to = BoundedDateField(label=_("Till och med"), required=False, widget=DateInput())
    scope_author = forms.CharField(label=_("Avsändare (namn eller id)"), required=False, max_length=300)
    scope_terms = forms.CharField(label=_("Sökord"), required=False, max_length=300)

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_channel"].choices = [("", _("Ingen särskild kanal")), *channels]

    def clean(self):
        data = super().clean()
        if data.get("scope_date_from") and data.get("scope_date_to") and data["scope_date_from"] > data["scope_date_to"]:
            self.add_error("scope_date_to", _("Perioden är tom: slutdatum måste vara samma som eller efter startdatum."))
        return data

    def scope(self) -> dict:
        data = self.cleaned_data
        return {"channel_id": data.get("scope_channel"), "date_from": data.get("scope_date_from"),
                "date_to": data.get("scope_date_to"), "author": data.get("scope_author") or "",
                "terms": data.get("scope_terms") or ""}


class AddRecordsForm(forms.Form):
    sequences = forms.CharField(
        label=_("Arkivpostnummer"), max_length=5000,
        help_text=_("Löpnummer, åtskilda med mellanslag eller kommatecken."),
    )

    def clean_sequences(self):
        raw = self.cleaned_data["sequences"].replace(",", " ").split()
        try:
            numbers = sorted({int(part) for part in raw})
        except ValueError:
            raise forms.ValidationError(_("Ange löpnummer som heltal.")) from None
        if not numbers:
            raise forms.ValidationError(_("Ange minst ett löpnummer."))
        return numbers


class RecordsToRequestForm(forms.Form):
    """Records chosen in the search or on a record's page, added to one of the open requests."""

    target = forms.TypedChoiceField(label=_("Begäran"), coerce=int, choices=[],
                                    error_messages={"invalid_choice": _("Välj en öppen begäran.")})

    def __init__(self, *args, open_requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (r.pk, f"{r.pk}: {r.description[:60]} ({r.received_at:%Y-%m-%d})")
            for r in open_requests
        ]

    def clean(self):
        data = super().clean()
        raw = self.data.getlist("sequence") if hasattr(self.data, "getlist") else []
        try:
            data["sequences"] = sorted({int(value) for value in raw})
        except ValueError:
            raise forms.ValidationError(_("Ange löpnummer som heltal.")) from None
        if not data["sequences"]:
            raise forms.ValidationError(_("Markera minst en arkivpost."))
        return data


def _osl_choices():
    return [("", _("Välj sekretessgrund")), *OslGround.choices]


class ItemDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Prövning"),
        choices=[(ReviewDecision.RELEASE, ReviewDecision.RELEASE.label), (ReviewDecision.REFUSE, ReviewDecision.REFUSE.label)],
        widget=forms.RadioSelect,
    )
    osl_reference = forms.ChoiceField(
        label=_("Sekretessgrund (OSL), vid avslag"), required=False, choices=_osl_choices,
        error_messages={"invalid_choice": _("Välj sekretessgrunden ur listan.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewDecision.REFUSE and not data.get("osl_reference"):
            self.add_error("osl_reference", _("Ett avslag måste ange sekretessgrunden."))
        return data


class MaskForm(forms.Form):
    """Partial release on the review page: suggestions accepted one by one, phrases typed, whole fields
    withheld, the files released or not, and the ground."""

    suggestions = forms.MultipleChoiceField(
        label=_("Förslag att maskera"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Förslaget finns inte längre; ladda om sidan.")},
    )
    phrases = forms.CharField(
        label=_("Andra uppgifter att maskera"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        required=False,
        help_text=_("En uppgift per rad; varje förekomst i fritextfälten maskeras i kopian. Originalet ändras aldrig."),
    )
    whole_fields = forms.MultipleChoiceField(
        label=_("Fält som maskeras helt"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj fält ur listan.")},
    )
    release_attachments = forms.BooleanField(label=_("Lämna ut bilagefilerna"), required=False)
    osl_reference = forms.ChoiceField(
        label=_("Sekretessgrund (OSL)"), choices=_osl_choices,
        error_messages={"invalid_choice": _("Välj sekretessgrunden ur listan."),
                        "required": _("Välj sekretessgrunden ur listan.")},
    )

    def __init__(self, *args, fields=(), suggestions=(), has_attachments=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["whole_fields"].choices = [(f.key, f.label) for f in fields]
        self.fields["suggestions"].choices = [(s.phrase, f"{s.phrase} ({s.kind}, {s.field_label})") for s in suggestions]
        if not has_attachments:
            del self.fields["release_attachments"]

    def clean_phrases(self):
        return [line.strip() for line in self.cleaned_data["phrases"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        if not (data.get("suggestions") or data.get("phrases") or data.get("whole_fields")) and not self.errors:
            raise forms.ValidationError(_("Välj minst ett förslag, skriv en uppgift eller markera ett fält att maskera."))
        return data


class SecrecyMarkForm(forms.Form):
    osl_ground = forms.ChoiceField(
        label=_("Sekretessgrund (OSL)"), choices=_osl_choices,
        error_messages={"invalid_choice": _("Välj sekretessgrunden ur listan."),
                        "required": _("Välj sekretessgrunden ur listan.")},
    )
    note = forms.CharField(label=_("Anteckning (frivillig)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SecrecyLiftForm(forms.Form):
    reason = forms.CharField(label=_("Varför markeringen hävs"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ExportKindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=[("pdf", _("PDF (taggad)")), ("bag", _("BagIt-paket"))])


class SubjectExtractForm(forms.Form):
    author_platform_id = forms.CharField(label=_("Avsändarens id på plattformen"), max_length=300)
    platform = forms.ChoiceField(label=_("Plattform"), required=False, choices=[("", _("Alla")), *Platform.choices])


class SipForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Kanal"), coerce=int)
    date_from = BoundedDateField(label=_("Från och med"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("Till och med"), required=False, widget=DateInput())

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(channels)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Startdatum måste vara före slutdatum."))
        return data


class RuleForm(forms.Form):
    board = forms.ModelChoiceField(label=_("Nämnd"), queryset=Board.objects.order_by("name"))
    information_class = forms.ChoiceField(label=_("Informationsklass"), choices=InformationClass.choices)
    keep_forever = forms.BooleanField(label=_("Bevaras (gallras aldrig)"), required=False)
    retention_months = forms.IntegerField(
        label=_("Gallras efter (månader)"), required=False, min_value=1, max_value=1200
    )
    decision_reference = forms.CharField(label=_("Beslutets diarienummer"), max_length=100)
    decision_date = forms.DateField(label=_("Beslutsdatum"), widget=DateInput())
    note = forms.CharField(label=_("Anteckning"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("keep_forever") and data.get("retention_months"):
            raise forms.ValidationError(_("Välj antingen en gallringsfrist eller att handlingarna bevaras."))
        if not data.get("keep_forever") and not data.get("retention_months"):
            self.add_error("retention_months", _("Ange gallringsfrist i månader eller välj att handlingarna bevaras."))
        return data


class HoldForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    author_platform_id = forms.CharField(label=_("Avsändarens id"), required=False, max_length=300)
    date_from = BoundedDateField(label=_("Från och med"), required=False, widget=DateInput())
    date_to = BoundedDateField(label=_("Till och med"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    reference = forms.CharField(label=_("Referens/diarienummer"), required=False, max_length=100)

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("Alla kanaler")), *channels]

    def clean(self):
        data = super().clean()
        if not (data.get("channel") or data.get("author_platform_id") or data.get("date_from") or data.get("date_to")):
            raise forms.ValidationError(_("Ange kanal, avsändare eller datumintervall för spärren."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Startdatum måste vara före slutdatum."))
        return data


class CsamMarkForm(forms.Form):
    police_report_reference = forms.CharField(label=_("Polisanmälans referens"), max_length=200)
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=1000)


class ManualCaptureForm(forms.Form):
    """A post, comment or message captured by hand (a channel without an API, or an outage)."""

    channel = forms.ModelChoiceField(label=_("Kanal"), queryset=None, empty_label=_("Välj kanal"))
    kind = forms.ChoiceField(label=_("Vad som registreras"), choices=ItemKind.choices)
    author_name = forms.CharField(label=_("Avsändarens namn"), required=False, max_length=300)
    author_platform_id = forms.CharField(label=_("Avsändarens konto eller id (om det syns)"), required=False,
                                         max_length=300)
    created_at = forms.DateTimeField(
        label=_("Publicerad"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Tidpunkten som plattformen visar."),
    )
    text = forms.CharField(label=_("Texten, avskriven ordagrant"), required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 5}))
    permalink = forms.CharField(label=_("Adress till inlägget (om den finns)"), required=False, max_length=1000)
    file = forms.FileField(label=_("Skärmbild eller PDF (högst 10 MB)"), required=False,
                           help_text=_("PNG, JPEG eller PDF. Filen arkiveras med sin SHA-256."))
    reason = forms.ChoiceField(label=_("Varför registreras posten manuellt"), choices=[])
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        from archive.services.manual import REASONS

        self.fields["channel"].queryset = channels
        self.fields["reason"].choices = list(REASONS.items())
