"""The platform simulator fixtures of the channels tests, for the workspace's end-to-end tests."""

import pytest

from channels.tests.conftest import platform_simulator, sim  # noqa: F401 (pytest fixtures)


@pytest.fixture(autouse=True)
def _no_context_tasks(settings):
    """Thread context is fetched by a worker after commit; not in these tests."""
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False
