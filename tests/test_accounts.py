"""Login, throttling after repeated failures, logout and password change."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

PASSWORD = "korrekt-hast-batteri"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_staff_page_sends_anonymous_visitor_to_login(client, db):
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_correct_password_reaches_start_page(client, informator):
    response = _login(client, "informator", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-home")
    assert client.get(reverse("staff-home")).status_code == 200


def test_wrong_password_gets_swedish_message(client, informator):
    response = _login(client, "informator", "fel-lösenord")
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_login_is_throttled_after_repeated_failures_even_with_correct_password(client, informator):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login(client, "informator", "fel-lösenord")
    response = _login(client, "informator", PASSWORD)
    assert response.status_code == 200, "a correct password must not get through while throttled"
    assert "För många misslyckade inloggningsförsök" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_counts_failures_per_address_across_usernames(client, informator):
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        _login(client, f"gissning{n}", "fel")
    response = _login(client, "informator", PASSWORD)
    assert "För många misslyckade inloggningsförsök" in response.content.decode()


def test_logout_requires_post(client, informator):
    client.force_login(informator)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_requires_old_password_and_saves_new(client, informator):
    client.force_login(informator)
    bad = client.post(
        reverse("password_change"),
        {"old_password": "fel", "new_password1": "Ny-Lang-Fras-2026", "new_password2": "Ny-Lang-Fras-2026"},
    )
    assert bad.status_code == 200
    informator.refresh_from_db()
    assert informator.check_password(PASSWORD), "nothing changes on bad input"
    good = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Ny-Lang-Fras-2026", "new_password2": "Ny-Lang-Fras-2026"},
    )
    assert good.status_code == 302
    informator.refresh_from_db()
    assert informator.check_password("Ny-Lang-Fras-2026")


def test_session_expires_and_cookies_are_httponly():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def _production_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")}
    env.update({"DJANGO_SETTINGS_MODULE": "ludvika_social.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


GOOD = {
    "SECRET_KEY": "k" * 30 + "-production-test-key-0123456789",
    "ALLOWED_HOSTS": "sociala.ludvika.se",
    "CREDENTIALS_KEY": "n2Qw0dJ3V5q1bq8y7l0Zs3j9oJc7m4YtQx2pWz1aB6E=",
}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"OIDC_ENABLED": "true", "OIDC_ISSUER": "http://idp.ludvika.se", "OIDC_CLIENT_ID": "sociala",
          "OIDC_CLIENT_SECRET": "s" * 40}, "OIDC_ISSUER"),
    ],
)
def test_production_settings_refuse_to_start_when_unsafe(override, message):
    result = _production_check({**GOOD, **override})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deployment_check():
    result = _production_check(GOOD)
    assert result.returncode == 0, result.stderr
