"""Login with throttling, logout and password change.

Throttling (ludvika_social/throttling.py) counts each attempt before the password is checked: too
many for one account from one address, or for one account from everywhere, and even the right
password is refused with a Swedish message until the window has passed; many failures from one
address only slow that address down, so people behind the same proxy are never locked out.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .access import login_only, public
from .throttling import client_address, login_attempt_begin, login_attempt_succeeded, login_attempt_wait

logger = logging.getLogger(__name__)


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "För många misslyckade inloggningsförsök. Vänta en stund och försök igen, "
            "eller kontakta informatören om du har glömt ditt lösenord."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()  # the fields' own "required" errors; nothing is checked
        attempt = login_attempt_begin(username=username, address=client_address(self.request) if self.request else "")
        if attempt.refused:
            # Neither the username nor the address: both are personal data, and the log travels further.
            logger.warning("login refused: too many attempts for an account")
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        login_attempt_wait(attempt)
        cleaned = super().clean()  # raises on a wrong password: the attempt stays counted
        login_attempt_succeeded(attempt)
        return cleaned


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Read per request, not at import: the single sign-on button follows the setting.
        context["oidc_enabled"] = settings.OIDC_ENABLED
        return context


login_view = public(
    LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=ThrottledAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout_view = login_only(require_POST(auth_views.LogoutView.as_view()))
password_change_view = login_only(
    auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html")
)
password_change_done_view = login_only(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)
