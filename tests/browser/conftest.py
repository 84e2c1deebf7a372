"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Nothing is downloaded at test time: Chromium is the system one at /usr/bin/chromium and every
test is skipped with a clear reason when it is missing.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# The platform simulator over real HTTP, for the flows that poll a channel and act on the platform.
from channels.tests.conftest import platform_simulator, sim  # noqa: F401 (pytest fixtures)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # Run after every other database test: each transactional test ends with a flush, and the
    # tests that pytest-django orders after it expect the rows the data migrations made.
    browser = [item for item in items if "browser" in item.keywords]
    # They also run after the tests that use no database, so that DJANGO_ALLOW_ASYNC_UNSAFE
    # (below) is set only once nothing else runs, and never reaches another test's subprocess.
    items[:] = [item for item in items if "browser" not in item.keywords] + browser
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _async_unsafe_allowed():
    """pytest-playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
    from a thread with a running loop unless told otherwise. Set before the browser and the live
    server start, removed after they stop."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _data_migration_rows(transactional_db):
    """A transactional test starts from a flushed database: put back what the data migrations
    create (role groups, prohibited-content categories, the archive's chain head). All idempotent."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    roles = importlib.import_module("registry.migrations.0002_role_groups").ROLE_PERMISSIONS
    for role, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))
    importlib.import_module("moderation.migrations.0002_seed_categories").seed(apps, None)
    importlib.import_module("archive.migrations.0001_initial").create_chain_head(apps, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE"}


@pytest.fixture
def login(live_server, context):
    """Log a persona in: a real session made by Django's test client, handed to the browser."""

    def _login(user):
        client = Client()
        client.force_login(user)
        session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": session_cookie.value,
            "url": live_server.url,
            "httpOnly": True,
            "sameSite": "Lax",
        }])
        return user

    return _login
