"""Login with throttling, logout and password change.

Throttling counts failures per username and per client address in the cache; past the limit the
login form refuses even a correct password until the window has passed, with a Swedish message.
"""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .access import login_only, public

logger = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients too, and trusting it would let an
    # attacker reset the throttle by inventing addresses. A proxy in front must set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "")


def login_failures(*, username: str, address: str) -> int:
    return max(cache.get(_key("user", username), 0), cache.get(_key("addr", address), 0))


def login_failure_record(*, username: str, address: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in (_key("user", username), _key("addr", address)):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def login_failures_clear(*, username: str) -> None:
    cache.delete(_key("user", username))


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "För många misslyckade inloggningsförsök. Vänta en stund och försök igen, "
            "eller kontakta informatören om du har glömt ditt lösenord."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        if login_failures(username=username, address=address) >= settings.LOGIN_FAILURE_LIMIT:
            logger.warning("login throttled for an account or address")
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        login_failures_clear(username=username)
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
