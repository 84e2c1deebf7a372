"""Safe defaults (issue 17 item 6 and the start-up half of item 9): production refuses every key this
repository publishes, the web and the workers default to production settings, a half-configured single
sign-on stops start-up with one line naming what is missing (but never the test settings), and the demo
shows the real Swedish error pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from ludvika_social.settings.startup import TEST_CREDENTIALS_KEY, env_file_values, is_published

ROOT = Path(settings.BASE_DIR)
DEMO = env_file_values(ROOT / "demo.env")
SECRET = "k" * 30 + "-production-test-key-0123456789"
GOOD = {"SECRET_KEY": SECRET, "ALLOWED_HOSTS": "sociala.ludvika.se"}


def _run(args: list[str], env_overrides: dict, settings_module: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "OIDC_", "SECRET_KEY", "CREDENTIALS_KEY", "DEBUG", "ALLOWED_HOSTS"))}
    env.update(env_overrides)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def _deploy_check(env_overrides: dict) -> subprocess.CompletedProcess:
    return _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env_overrides,
                "ludvika_social.settings.production")


@pytest.mark.parametrize(("credentials_key", "secret_key"), [
    (DEMO["CREDENTIALS_KEY"], SECRET),                          # the demo's key, as written in demo.env
    (DEMO["CREDENTIALS_KEY"].rstrip("="), SECRET),              # the same key without its padding
    (TEST_CREDENTIALS_KEY, SECRET),                             # the tests' key
    (f"{Fernet.generate_key().decode()},{TEST_CREDENTIALS_KEY}", SECRET),  # a published one as the old key
    ("fresh", "dev-only-insecure-key-do-not-use-in-production"),  # the development SECRET_KEY
    ("fresh", DEMO["CREDENTIALS_KEY"] + "-" * 10),              # long enough, but not a secret of its own
], ids=["demo-key", "demo-key-unpadded", "test-key", "old-key-published", "dev-secret-key", "short-demo-secret"])
def test_the_deployment_check_with_a_published_key_fails_with_one_clear_line(credentials_key, secret_key):
    key = Fernet.generate_key().decode() if credentials_key == "fresh" else credentials_key
    result = _deploy_check({**GOOD, "SECRET_KEY": secret_key, "CREDENTIALS_KEY": key})
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Ludvika sociala medier startar inte: ")
    assert "SECRET_KEY" in line or "CREDENTIALS_KEY" in line


def test_every_secret_in_demo_env_counts_as_published():
    for name in ("CREDENTIALS_KEY", "OIDC_CLIENT_SECRET"):
        assert is_published(DEMO[name], ROOT), name
    assert not is_published(Fernet.generate_key().decode(), ROOT)


def test_the_deployment_check_passes_with_keys_of_their_own():
    result = _deploy_check({**GOOD, "CREDENTIALS_KEY": Fernet.generate_key().decode()})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["ludvika_social.wsgi", "ludvika_social.celery"])
def test_the_web_and_the_workers_default_to_production_settings(module):
    # Without DJANGO_SETTINGS_MODULE and without keys they must refuse to start, not run as development.
    result = _run(["-c", f"import {module}; import django; django.setup()"], {}, None)
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Ludvika sociala medier startar inte: SECRET_KEY saknas eller är för kort "
        "(at least 50 random characters, set in the environment)."]


@pytest.mark.parametrize(("missing", "present"), [
    ("OIDC_CLIENT_SECRET", {"OIDC_ISSUER": "https://idp.ludvika.se", "OIDC_CLIENT_ID": "sociala"}),
    ("OIDC_ISSUER", {"OIDC_CLIENT_ID": "sociala", "OIDC_CLIENT_SECRET": "s" * 40}),
])
def test_a_half_configured_sso_stops_start_up_with_one_line_naming_what_is_missing(missing, present):
    result = _run(["manage.py", "check"], {"OIDC_ENABLED": "true", **present}, "ludvika_social.settings")
    assert result.returncode == 3
    (line,) = result.stderr.strip().splitlines()
    assert missing in line and "OIDC_ENABLED" in line


def test_a_half_configured_sso_never_stops_the_test_settings():
    result = _run(["-c", "import django; django.setup(); from django.conf import settings; print(settings.OIDC_ENABLED)"],
                  {"OIDC_ENABLED": "true", "OIDC_ISSUER": "https://idp.ludvika.se"}, "ludvika_social.settings.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_demo_runs_without_debug_so_errors_show_the_swedish_pages():
    assert DEMO.get("DEBUG", "").lower() == "false", "demo.env must turn DEBUG off"
    code = ("import django; django.setup(); from django.conf import settings; from django.test import Client; "
            "r = Client().get('/finns-inte/'); print(settings.DEBUG, r.status_code); print(r.content.decode())")
    result = _run(["-c", code], {k: v for k, v in DEMO.items() if k != "DJANGO_SETTINGS_MODULE"} | {"DATABASE_URL": ""},
                  DEMO["DJANGO_SETTINGS_MODULE"])
    assert result.returncode == 0, result.stderr
    first, body = result.stdout.split("\n", 1)
    assert first == "False 404"
    assert "Sidan finns inte" in body and "URLconf" not in body and "Django tried" not in body


def _boom(request):
    raise RuntimeError("ett fel")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_a_server_error_shows_the_swedish_page_without_details():
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "ett fel" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "Ett fel uppstod" in body and 'lang="sv"' in body
