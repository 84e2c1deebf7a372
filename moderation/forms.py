"""Forms for the prohibited-content list: proposals, decisions and the test bench."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.bounds import PageField
from registry.policy import PROHIBITED_CATEGORIES

from .services import PATTERN_MAX, pattern_validate

CODE_CHOICES = [(c.code, f"{c.code} – {c.policy_wording}") for c in PROHIBITED_CATEGORIES]


class AdditionProposeForm(forms.Form):
    channel = forms.ModelChoiceField(queryset=None, label=_("Kanal"), empty_label=None)
    code = forms.ChoiceField(choices=CODE_CHOICES, label=_("Kategori"))
    pattern = forms.CharField(
        label=_("Ord, fras eller mönster"), max_length=PATTERN_MAX,
        help_text=_("Till exempel ”bokbov”, ”bokbov*” (alla böjningar) eller ”*bov” (sammansättningar)."),
    )
    motivation = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels

    def clean_pattern(self):
        from django.core.exceptions import ValidationError

        try:
            return pattern_validate(self.cleaned_data["pattern"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)


class BenchForm(forms.Form):
    text = forms.CharField(label=_("Text att pröva"), widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000)
    pattern = forms.CharField(label=_("Föreslaget tillägg (valfritt)"), max_length=PATTERN_MAX, required=False)
    code = forms.ChoiceField(choices=CODE_CHOICES, label=_("Tilläggets kategori"), required=False)

    def clean_pattern(self):
        from django.core.exceptions import ValidationError

        pattern = self.cleaned_data.get("pattern", "")
        if not pattern.strip():
            return ""
        try:
            return pattern_validate(pattern)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


# --- the workspace --------------------------------------------------------------------------------

PROHIBITED_CHOICES = [(c.code, f"{c.code} – {c.policy_wording}") for c in PROHIBITED_CATEGORIES]


class QueueFilterForm(forms.Form):
    STATE_CHOICES = [
        ("open", _("Öppna")), ("new", _("Nya")), ("claimed", _("Påbörjade")), ("forwarded", _("Vidarebefordrade")),
        ("closed", _("Avslutade")), ("all", _("Alla")),
    ]
    channel = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("Status"), choices=STATE_CHOICES, required=False)
    code = forms.ChoiceField(label=_("Flagga"), required=False)
    needs_answer = forms.BooleanField(label=_("Behöver svar"), required=False)
    dms = forms.BooleanField(label=_("Direktmeddelanden"), required=False)
    overdue = forms.BooleanField(label=_("Försenade"), required=False)
    size = forms.TypedChoiceField(label=_("Per sida"), choices=[(25, "25"), (50, "50"), (100, "100"), (200, "200")],
                                  coerce=int, required=False, empty_value=50)
    page = PageField()

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import SIGNAL_CODES

        self.fields["channel"].choices = [("", _("Alla kanaler"))] + [(c.pk, c.name) for c in channels]
        self.fields["code"].choices = [("", _("Alla"))] + [(c, c) for c in (*[p[0] for p in PROHIBITED_CHOICES],
                                                                            *SIGNAL_CODES)]


class ItemPanelForm(forms.Form):
    """A form on the item page, which shows many forms at once: each gets its own id prefix, so no two
    fields share an id and every label points at its own field."""

    id_prefix = "item"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class AnswerForm(ItemPanelForm):
    id_prefix = "answer"
    text = forms.CharField(label=_("Svar"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)


class ForwardForm(ItemPanelForm):
    id_prefix = "forward"
    to_user = forms.ModelChoiceField(queryset=None, label=_("Vidarebefordra till"))
    note = forms.CharField(label=_("Anteckning till mottagaren"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = candidates
        self.fields["to_user"].label_from_instance = _person_label


def _person_label(user) -> str:
    profile = getattr(user, "staff_profile", None)
    department = profile.department.name if profile and profile.department_id else ""
    name = user.get_full_name() or user.get_username()
    return f"{name} ({department})" if department else name


class RemovalForm(ItemPanelForm):
    id_prefix = "removal"
    kind = forms.ChoiceField(label=_("Åtgärd"), widget=forms.RadioSelect,
                             choices=[("hide", _("Avpublicera (dölj)")), ("delete", _("Radera"))])
    codes = forms.MultipleChoiceField(label=_("Otillåtet innehåll enligt riktlinjerna"), choices=PROHIBITED_CHOICES,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Välj minst en kod ur listan.")})
    motivation = forms.CharField(label=_("Motivering (sparas med beslutet och kan inte ändras)"),
                                 widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                 error_messages={"required": _("Skriv en motivering.")})
    criticism = forms.ChoiceField(
        label=_("Kritiserar inlägget kommunen, dess verksamhet eller politiker?"), widget=forms.RadioSelect,
        choices=[("no", _("Nej")), ("yes", _("Ja"))],
        error_messages={"required": _("Svara på om inlägget innehåller kritik.")},
    )


class ManualRemovalForm(ItemPanelForm):
    id_prefix = "manual"
    kind = forms.ChoiceField(label=_("Åtgärd på plattformen"), widget=forms.RadioSelect,
                             choices=[("hide", _("Avpublicerad (dold)")), ("delete", _("Raderad"))])
    codes = forms.MultipleChoiceField(label=_("Otillåtet innehåll enligt riktlinjerna"), choices=PROHIBITED_CHOICES,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Välj minst en kod ur listan.")})
    motivation = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    platform_note = forms.CharField(label=_("Vad du gjorde på plattformen"), widget=forms.Textarea(attrs={"rows": 2}),
                                    max_length=4000)


class MotivationForm(ItemPanelForm):
    id_prefix = "no_action"
    motivation = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
                                 required=False)


class RestoreForm(MotivationForm):
    id_prefix = "restore"


class ApprovalForm(ItemPanelForm):
    id_prefix = "approval"
    decision = forms.ChoiceField(choices=[("approve", _("Godkänn")), ("refuse", _("Neka"))], widget=forms.RadioSelect,
                                 label=_("Beslut"))
    note = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
                           required=False)


class CaseForm(ItemPanelForm):
    id_prefix = "case"
    case_number = forms.CharField(label=_("Diarienummer"), max_length=100)
    subject = forms.CharField(label=_("Kort om vad handlingen rör (ärendemening)"), max_length=300,
                              help_text=_("Förs in i registret tillsammans med datum, diarienummer och avsändare."))


class SecretForm(ItemPanelForm):
    id_prefix = "secret"
    osl_ground = forms.ChoiceField(
        label=_("Sekretessgrund (OSL)"), choices=[],
        error_messages={"invalid_choice": _("Välj sekretessgrunden ur listan."),
                        "required": _("Välj sekretessgrunden ur listan.")},
    )
    note = forms.CharField(label=_("Anteckning (frivillig)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from archive.osl import OslGround

        self.fields["osl_ground"].choices = [("", _("Välj sekretessgrund")), *OslGround.choices]


class HandoffWaiveForm(ItemPanelForm):
    id_prefix = "waive"
    reason = forms.CharField(label=_("Varför meddelandet inte behöver lämnas över"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class HandoffForm(ItemPanelForm):
    id_prefix = "handoff"
    method = forms.ChoiceField(label=_("Lämna över till"), widget=forms.RadioSelect, choices=[])
    reference = forms.CharField(label=_("Referens eller diarienummer"), max_length=100, required=False,
                                help_text=_("Krävs för ärendehanteringssystemet."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from . import conf
        from .models import HandoffMethod

        self.fields["method"].choices = [
            (value, label) for value, label in HandoffMethod.choices
            if value != HandoffMethod.FEEDBACK or conf.get("MODERATION_FEEDBACK_EMAIL")
        ]


class NoteForm(ItemPanelForm):
    id_prefix = "note"
    note = forms.CharField(label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class AbsenceForm(forms.Form):
    starts_on = forms.DateField(label=_("Från och med"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Till och med"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Anteckning"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("Slutdatum får inte vara före startdatum."))
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AuditSearchForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Händelse"), required=False)
    actor = forms.CharField(label=_("Vem"), required=False, max_length=150)
    text = forms.CharField(label=_("Motivering innehåller"), required=False, max_length=200)
    item = forms.IntegerField(label=_("Post-id"), required=False, min_value=1)
    start = forms.DateField(label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = PageField()

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import AuditEvent

        self.fields["channel"].choices = [("", _("Alla kanaler"))] + [(c.pk, c.name) for c in channels]
        self.fields["action"].choices = [("", _("Alla")), *AuditEvent.Action.choices]


def _in_90_days():
    import datetime as dt

    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=90)


class BlockForm(ItemPanelForm):
    id_prefix = "block"
    codes = forms.MultipleChoiceField(label=_("Otillåtet innehåll enligt riktlinjerna"), choices=PROHIBITED_CHOICES,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Välj minst en kod ur listan.")})
    motivation = forms.CharField(label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    review_on = forms.DateField(label=_("Omprövas senast"), initial=_in_90_days,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("En blockering omprövas inom ett år."))
    manual_note = forms.CharField(label=_("Vad du gjorde på plattformen (om verktyget inte kan blockera)"),
                                  required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class BlockReviewForm(forms.Form):
    review_on = forms.DateField(label=_("Ny omprövningsdag"), widget=forms.DateInput(attrs={"type": "date"}))
    motivation = forms.CharField(label=_("Varför blockeringen behövs även i fortsättningen"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class BlockLiftForm(forms.Form):
    reason = forms.CharField(label=_("Varför blockeringen hävs"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    manual_note = forms.CharField(label=_("Vad du gjorde på plattformen (om verktyget inte kan häva den)"),
                                  required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class BlockFilterForm(forms.Form):
    kanal = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import BlockState

        self.fields["kanal"].choices = [("", _("Alla kanaler"))] + [(c.pk, c.name) for c in channels]
        self.fields["status"].choices = [("", _("Alla")), *BlockState.choices]


class CsamForm(ItemPanelForm):
    id_prefix = "csam"
    police_report_reference = forms.CharField(
        label=_("Polisanmälans referens"), max_length=200,
        help_text=_("Anmäl till polisen först (polisen.se eller 114 14) och ange anmälans nummer."))
    note = forms.CharField(label=_("Anteckning (frivillig)"), required=False, max_length=1000)
