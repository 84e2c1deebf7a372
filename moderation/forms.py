"""Forms for the prohibited-content list: proposals, decisions and the test bench."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
