import pytest


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.ARCHIVE_EXPORT_ROOT = tmp_path / "exports"
    return settings.ARCHIVE_EXPORT_ROOT
