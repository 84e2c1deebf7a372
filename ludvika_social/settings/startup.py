"""Checks that stop start-up with one clear line instead of a traceback or, worse, an unsafe service.

refuse_start() writes ``Ludvika sociala medier startar inte: <why>`` to stderr and exits with status 3,
which gunicorn reads as "worker failed to boot" and stops for (rather than restarting the worker for
ever); manage.py, Celery and the tests' subprocesses see a non-zero status and the one line.

Used by the production settings, and for single sign-on by ludvika_social/apps.py when the apps are
ready (development and production alike). The test settings switch single sign-on off, so a developer's
half-finished .env never stops the tests from loading.
"""

from __future__ import annotations

import base64
import binascii
import sys
from pathlib import Path
from typing import NoReturn

# Keys written in this repository, and so known to everyone who has read it. Production refuses them.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (settings/base.py default)
TEST_CREDENTIALS_KEY = "n2Qw0dJ3V5q1bq8y7l0Zs3j9oJc7m4YtQx2pWz1aB6E="  # settings/test.py, tests/reliability
# Variables in demo.env whose values are secrets (the demo's are published, so never secret).
SECRET_NAME_PARTS = ("KEY", "SECRET", "TOKEN", "PASSWORD")


def refuse_start(why: str) -> NoReturn:
    sys.stderr.write(f"Ludvika sociala medier startar inte: {' '.join(why.split())}\n")
    sys.stderr.flush()
    raise SystemExit(3)


def env_file_values(path: Path) -> dict[str, str]:
    """NAME=value lines of an environment file such as demo.env (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        values[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def _key_forms(value: str) -> set[str]:
    """The key as written, and (for a Fernet key) its 32 bytes in hex, so that the same key written
    with other padding or alphabet is recognised."""
    value = value.strip()
    forms = {value}
    try:
        raw = base64.urlsafe_b64decode(value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return forms
    if len(raw) == 32:
        forms.add(raw.hex())
    return forms


def published_keys(base_dir: Path) -> set[str]:
    """Every key this repository publishes: the development and test keys and every secret in demo.env."""
    keys = {DEV_SECRET_KEY, TEST_CREDENTIALS_KEY}
    for name, value in env_file_values(base_dir / "demo.env").items():
        if value and any(part in name.upper() for part in SECRET_NAME_PARTS):
            keys.add(value)
    return {form for key in keys for form in _key_forms(key)}


def is_published(value: str, base_dir: Path) -> bool:
    """Whether any of the comma-separated keys in ``value`` is published (CREDENTIALS_KEY may list an
    old key after the new one)."""
    known = published_keys(base_dir)
    return any(_key_forms(part) & known for part in value.split(",") if part.strip())


def require_complete_oidc(settings: dict) -> None:
    """With OIDC_ENABLED, the issuer, the client id and the secret must all be set, and the scopes must
    name openid; otherwise stop, naming what is missing (the environment's names, as in README)."""
    if not settings.get("OIDC_ENABLED"):
        return
    missing = [name for name, key in (("OIDC_ISSUER", "OIDC_ISSUER"), ("OIDC_CLIENT_ID", "OIDC_RP_CLIENT_ID"),
                                      ("OIDC_CLIENT_SECRET", "OIDC_RP_CLIENT_SECRET")) if not settings.get(key)]
    if missing:
        refuse_start(f"OIDC_ENABLED är på men {', '.join(missing)} saknas. Sätt "
                     f"{'dem' if len(missing) > 1 else 'den'} i miljön eller i .env, eller stäng av OIDC_ENABLED.")
    if "openid" not in str(settings.get("OIDC_RP_SCOPES", "")).split():
        refuse_start("OIDC_SCOPES måste innehålla openid.")
