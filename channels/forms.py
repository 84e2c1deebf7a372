"""Forms for a channel's platform connection: credentials and polling settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import Platform

# Which credential fields each platform's connector reads.
TOKEN_PLATFORMS = {Platform.FACEBOOK, Platform.INSTAGRAM, Platform.YOUTUBE, Platform.MASTODON, Platform.LINKEDIN}
PASSWORD_PLATFORMS = {Platform.WORDPRESS, Platform.BLUESKY}


class CredentialsForm(forms.Form):
    """New credentials replace the stored ones. Stored values are never shown again."""

    access_token = forms.CharField(
        label=_("Åtkomsttoken"), required=False, strip=True, max_length=4000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    username = forms.CharField(label=_("Användarnamn"), required=False, max_length=300,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(
        label=_("Applikationslösenord"), required=False, strip=True, max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    app_secret = forms.CharField(
        label=_("Apphemlighet (för signerade webhooks)"), required=False, strip=True, max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, platform: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        if platform in PASSWORD_PLATFORMS:
            del self.fields["access_token"]
        else:
            del self.fields["username"]
            del self.fields["password"]
        if platform not in (Platform.FACEBOOK, Platform.INSTAGRAM):
            del self.fields["app_secret"]

    def clean(self):
        data = super().clean()
        if self.platform in PASSWORD_PLATFORMS:
            if not data.get("username") or not data.get("password"):
                raise forms.ValidationError(_("Ange både användarnamn och applikationslösenord."))
        elif not data.get("access_token"):
            raise forms.ValidationError(_("Ange en åtkomsttoken."))
        return data

    def credentials(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ConnectionSettingsForm(forms.Form):
    api_base_url = forms.URLField(
        label=_("API-adress"), required=False, max_length=500, assume_scheme="https",
        help_text=_("Webbplatsens eller instansens adress (WordPress, Mastodon), eller en simulator. "
                    "Lämna tomt för plattformens standardadress."),
    )
    poll_interval_minutes = forms.IntegerField(
        label=_("Hämta nytt var (minuter)"), min_value=1, max_value=24 * 60, initial=5,
    )
    polling_enabled = forms.BooleanField(label=_("Hämtning påslagen"), required=False, initial=True)
