"""Forms of the registry's staff pages and of the channel import. They validate; services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import (
    AppointmentRole,
    Board,
    Channel,
    ChannelStatus,
    Department,
    DepartmentDecision,
    Party,
    Platform,
    Role,
)
from .roles import is_informator

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _person_label(user) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name} ({user.get_username()})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class ChannelForm(forms.ModelForm):
    """A channel's details. The informatör sees every field; a department admin cannot move a channel
    to another department or tick the graphic-profile checklist (the informatör judges that)."""

    responsible = PersonChoiceField(queryset=User.objects.none(), required=False, label=_("Ansvarig"))
    public_url = forms.URLField(
        label=_("Publik adress"), max_length=500, assume_scheme="https",
        help_text=_("Kanalens adress på plattformen, t.ex. https://www.facebook.com/ludvikakommun."),
    )

    response_target_hours = forms.IntegerField(
        label=_("Svarsmål (kontorstimmar)"), min_value=1, max_value=720, initial=8,
        help_text=_("8 kontorstimmar motsvarar nästa arbetsdag."),
    )

    class Meta:
        model = Channel
        fields = [
            "department", "platform", "name", "public_url", "account_id", "purpose", "responsible",
            "public_contact", "public_contact_email", "response_target_hours",
            "profile_picture_ok", "profile_name_ok", "official_marking_ok",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "account_id": _("Kontots id hos plattformen, om det är känt. Behövs för att hämta kommentarer."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["department"].queryset = selectors.department_choices_for_user(user=user)
        responsible = selectors.active_staff_users()
        if self.instance.responsible_id:
            # Keep a responsible person who has since been deactivated selectable, so an edit does not fail.
            responsible = User.objects.filter(
                Q(pk__in=responsible.values("pk")) | Q(pk=self.instance.responsible_id)
            ).order_by("last_name", "first_name", "username")
        self.fields["responsible"].queryset = responsible
        if user is not None and not is_informator(user):
            for name in ("profile_picture_ok", "profile_name_ok", "official_marking_ok"):
                del self.fields[name]
            if self.instance.pk:
                del self.fields["department"]

    def clean(self):
        cleaned = super().clean()
        conflicts = selectors.channel_conflicts(
            public_url=cleaned.get("public_url") or "",
            platform=cleaned.get("platform") or self.instance.platform,
            account_id=cleaned.get("account_id") or "",
            exclude_pk=self.instance.pk,
        )
        messages = {c.name: c.violation_error_message for c in Channel._meta.constraints if c.name in conflicts}
        if "channel_unique_public_url" in messages:
            self.add_error("public_url", messages["channel_unique_public_url"])
        if "channel_unique_account" in messages:
            self.add_error("account_id", messages["channel_unique_account"])
        return cleaned


class ApproveForm(forms.Form):
    profile_picture_ok = forms.BooleanField(label=_("Profilbild enligt grafisk profil"), required=False)
    profile_name_ok = forms.BooleanField(label=_("Kontonamn enligt grafisk profil"), required=False)
    official_marking_ok = forms.BooleanField(label=_("Tydligt att kontot är kommunens"), required=False)
    note = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    without_decision = forms.CharField(
        label=_("Skäl att godkänna utan stöd i förvaltningens beslut"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Behövs bara när förvaltningens beslut inte omfattar plattformen."),
    )


class RejectForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("Motiveringen sparas och visas för förvaltningen."),
        error_messages={"required": _("Skriv en motivering till avslaget.")},
    )


class ClosureForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl för avslut"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        error_messages={"required": _("Skriv varför kanalen ska avslutas.")},
    )


class AppointmentForm(forms.Form):
    user = PersonChoiceField(queryset=User.objects.none(), label=_("Person"),
                             help_text=_("Endast aktiva konton med rollen företrädare kan förordnas."))
    role = forms.ChoiceField(label=_("Uppdrag"), choices=AppointmentRole.choices)
    starts_on = forms.DateField(label=_("Från"), widget=DateInput())
    ends_on = forms.DateField(label=_("Till"), required=False, widget=DateInput(),
                              help_text=_("Lämna tomt om förordnandet gäller tills vidare."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.representative_candidates()
        self.fields["starts_on"].initial = timezone.localdate

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Slutdatum får inte vara före startdatum."))
        return cleaned


class AppointmentEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Sista dag"), widget=DateInput())

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        self.fields["ends_on"].initial = timezone.localdate

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < self.appointment.starts_on:
            raise forms.ValidationError(_("Slutdatum får inte vara före startdatum."))
        return ends_on


class DecisionForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("Tjänster"), choices=Platform.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("De plattformar förvaltningen har beslutat att använda."),
    )
    appointed = forms.ModelMultipleChoiceField(
        label=_("Får företräda förvaltningen"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Bara de som beslutet utser kan förordnas som företrädare för förvaltningens kanaler."),
    )

    class Meta:
        model = DepartmentDecision
        fields = ["uses_social_media", "services", "decided_on", "decided_by", "reference", "note", "appointed"]
        widgets = {"decided_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"decided_by": _("T.ex. förvaltningschefen eller ledningsgruppen.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from registry.selectors import representative_candidates

        self.fields["appointed"].queryset = representative_candidates()

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise forms.ValidationError(_("Beslutsdatum kan inte ligga i framtiden."))
        return decided_on

    def clean(self):
        cleaned = super().clean()
        uses, services = cleaned.get("uses_social_media"), cleaned.get("services") or []
        if uses and not services:
            self.add_error("services", _("Välj minst en tjänst när förvaltningen använder sociala medier."))
        if not uses and services:
            self.add_error("services", _("Välj inga tjänster när förvaltningen inte använder sociala medier."))
        return cleaned


class BoardForm(forms.ModelForm):
    class Meta:
        model = Board
        fields = ["name", "slug"]
        help_texts = {"slug": _("Kort namn med små bokstäver, siffror och bindestreck, t.ex. kfn.")}


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["board", "name", "slug", "email"]
        help_texts = {"slug": _("Kort namn med små bokstäver, siffror och bindestreck, t.ex. kultur-fritid.")}


class PartyForm(forms.ModelForm):
    website = forms.URLField(label=_("Webbplats"), max_length=500, assume_scheme="https")

    class Meta:
        model = Party
        fields = ["name", "abbreviation", "website", "council_seats", "has_board_seat"]
        help_texts = {
            "council_seats": _("Ordinarie platser. Partier utan plats i fullmäktige eller en nämnd länkas inte."),
        }



class StaffUserForm(forms.Form):
    """A staff account's name, e-mail, roles and department (create and edit)."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    email = forms.EmailField(label=_("E-post"))
    roles = forms.MultipleChoiceField(label=_("Roller"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    department = forms.ModelChoiceField(
        label=_("Förvaltning"), queryset=Department.objects.all(), required=False,
        help_text=_("Krävs för förvaltningsadministratörer och företrädare."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User.objects.filter(email__iexact=email)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Det finns redan ett konto med den e-postadressen."))
        return email

    def clean(self):
        cleaned = super().clean()
        roles = set(cleaned.get("roles") or ())
        if roles & {Role.DEPARTMENT_ADMIN, Role.REPRESENTATIVE} and not cleaned.get("department"):
            self.add_error("department", _("Välj förvaltning för förvaltningsadministratörer och företrädare."))
        return cleaned


class StaffUserCreateForm(StaffUserForm):
    username = forms.RegexField(
        label=_("Användarnamn"), max_length=150, regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Använd bara bokstäver, siffror och tecknen . @ + - _.")},
    )
    password1 = forms.CharField(
        label=_("Startlösenord"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Lämna tomt så skickas en länk där personen själv väljer lösenord."),
    )
    password2 = forms.CharField(
        label=_("Startlösenord igen"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    field_order = ["username", "first_name", "last_name", "email", "roles", "department", "password1", "password2"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Användarnamnet är upptaget."))
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1") or "", cleaned.get("password2") or ""
        if p1 or p2:
            if p1 != p2:
                self.add_error("password2", _("Lösenorden är inte lika."))
            else:
                probe = User(
                    username=cleaned.get("username", ""), first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""), email=cleaned.get("email", ""),
                )
                try:
                    password_validation.validate_password(p1, probe)
                except forms.ValidationError as e:
                    self.add_error("password1", e)
        return cleaned


class StaffPasswordForm(forms.Form):
    """The informatör sets an initial password for an account."""

    password1 = forms.CharField(label=_("Nytt lösenord"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Nytt lösenord igen"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2:
            if p1 != p2:
                self.add_error("password2", _("Lösenorden är inte lika."))
            else:
                try:
                    password_validation.validate_password(p1, self.user)
                except forms.ValidationError as e:
                    self.add_error("password1", e)
        return cleaned


# --- import ----------------------------------------------------------------------------------


class _LookupChoiceField(forms.ModelChoiceField):
    """Accepts any of several identifying columns (e.g. a department's name or slug)."""

    lookups: tuple[str, ...] = ()

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        query = Q()
        for lookup in self.lookups:
            query |= Q(**{f"{lookup}__iexact": value})
        matches = list(self.queryset.filter(query)[:2])
        if len(matches) != 1:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return matches[0]


class DepartmentRefField(_LookupChoiceField):
    lookups = ("name", "slug")
    default_error_messages = {"invalid_choice": _("Okänd förvaltning (ange namn eller kortnamn).")}


class PersonRefField(_LookupChoiceField):
    lookups = ("username", "email")
    default_error_messages = {"invalid_choice": _("Okänd person (ange ett aktivt kontos användarnamn eller e-post).")}


PLATFORM_ALIASES = {
    **{value: value for value in Platform.values},
    **{str(label).lower(): value for value, label in Platform.choices},
    "blogg": Platform.WORDPRESS,
    "annan": Platform.OTHER,
    "x": Platform.OTHER,
}
STATUS_ALIASES = {
    "": ChannelStatus.ACTIVE, "aktiv": ChannelStatus.ACTIVE,
    "anmald": ChannelStatus.SUBMITTED, "anmäld": ChannelStatus.SUBMITTED,
    "avslutad": ChannelStatus.CLOSED,
}


class ChannelImportForm(ChannelForm):
    """One row of an import file: the channel form's rules, with departments and people given by name."""

    department = DepartmentRefField(queryset=Department.objects.all(), label=_("Förvaltning"))
    responsible = PersonRefField(queryset=User.objects.none(), required=False, label=_("Ansvarig"))
    status = forms.CharField(required=False, label=_("Status"))
    # ISO dates only: 01/05/2019 means different days to a spreadsheet and to Django's formats.
    active_from = forms.DateField(required=False, label=_("Aktiv från"), input_formats=["%Y-%m-%d"],
                                  error_messages={"invalid": _("Ange datum som ÅÅÅÅ-MM-DD.")})
    closed_on = forms.DateField(required=False, label=_("Avslutad"), input_formats=["%Y-%m-%d"],
                                error_messages={"invalid": _("Ange datum som ÅÅÅÅ-MM-DD.")})

    def __init__(self, data, **kwargs):
        data = dict(data)
        data["platform"] = PLATFORM_ALIASES.get((data.get("platform") or "").strip().lower(), data.get("platform"))
        data["response_target_hours"] = data.get("response_target_hours") or Channel._meta.get_field(
            "response_target_hours").default
        super().__init__(data, user=None, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["responsible"].queryset = User.objects.filter(is_active=True)

    def clean_status(self):
        status = STATUS_ALIASES.get((self.cleaned_data.get("status") or "").strip().lower())
        if status is None:
            raise forms.ValidationError(_("Status måste vara aktiv, anmäld eller avslutad."))
        return status

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        active_from, closed_on = cleaned.get("active_from"), cleaned.get("closed_on")
        if active_from and active_from > today:
            self.add_error("active_from", _("Datumet kan inte ligga i framtiden."))
        if closed_on and cleaned.get("status") != ChannelStatus.CLOSED:
            self.add_error("closed_on", _("Ange avslutsdatum bara för avslutade kanaler."))
        if active_from and closed_on and closed_on < active_from:
            self.add_error("closed_on", _("Avslutsdatum får inte vara före datumet då kanalen blev aktiv."))
        cleaned["activated_at"] = _start_of(active_from)
        cleaned["closed_at"] = _start_of(closed_on)
        return cleaned


def _start_of(day):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ChannelImportUploadForm(forms.Form):
    """The informatör's upload of a channel-list file. The file's checks (size, name, content) are
    registry.imports, run by the view, so the command and the page refuse the same files."""

    file = forms.FileField(
        label=_("Fil med kanaler (CSV)"),
        help_text=_('En CSV-fil i UTF-8 (.csv eller .txt). I Excel: Spara som → "CSV UTF-8 (kommaavgränsad)".'),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        error_messages={"required": _("Välj en fil att importera."),
                        "empty": _("Filen är tom."),
                        "invalid": _("Ingen fil kom fram. Välj filen igen.")},
    )


class ChannelImportConfirmForm(forms.Form):
    """The confirmation of a previewed import: the file travels in a signed field (registry.imports)."""

    payload = forms.CharField(widget=forms.HiddenInput, error_messages={
        "required": _("Importen kunde inte bekräftas. Ladda upp filen igen."),
    })


class CommentPolicyForm(forms.Form):
    """A new version of the public comment policy."""

    valid_from = forms.DateField(label=_("Gäller från"), widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.CharField(label=_("Versionsbeteckning (frivillig)"), required=False, max_length=40,
                              help_text=_("Lämna tomt för datumet."))
    body = forms.CharField(
        label=_("Policyns text"), max_length=50000, widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_("En rad som börjar med ”## ” blir en rubrik, en rad som börjar med ”- ” en punkt i en lista."),
    )
    change_note = forms.CharField(label=_("Vad som ändrats"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
