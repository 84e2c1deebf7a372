"""Reproducible installs (issue 17 item 7): every dependency comes from a lock file with hashes, the locks
agree with the ranges in pyproject.toml and with each other, and make install, CI and the Dockerfile
install from them. Offline: nothing is downloaded here (`make lock` is what talks to PyPI)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(name: str) -> dict[str, list[str]]:
    """Package -> pinned versions (a universal lock may pin two versions under different markers), and
    checks that each pin carries hashes."""
    text = (ROOT / name).read_text()
    pins: dict[str, list[str]] = {}
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    for entry in entries:
        match = _PIN.match(entry)
        if not match:
            assert entry.lstrip().startswith("#") or not entry.strip(), f"{name}: not a pinned requirement: {entry[:80]}"
            continue
        assert "--hash=sha256:" in entry, f"{name}: {match.group(1)} has no hash"
        pins.setdefault(canonicalize_name(match.group(1)), []).append(match.group(2))
    return pins


RUNTIME = _pins("requirements.lock")
DEV = _pins("requirements-dev.lock")


@pytest.mark.parametrize(("lock", "requirements"), [
    (RUNTIME, PYPROJECT["project"]["dependencies"]),
    (DEV, PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]),
], ids=["requirements.lock", "requirements-dev.lock"])
def test_every_dependency_is_locked_inside_its_range(lock, requirements):
    for line in requirements:
        requirement = Requirement(line)
        versions = lock.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in the lock: run make lock"
        assert all(requirement.specifier.contains(v, prereleases=True) for v in versions), (
            f"{requirement.name} {versions} is outside {requirement.specifier}: run make lock")


def test_production_runs_the_same_versions_as_the_tests():
    assert set(RUNTIME) <= set(DEV)
    assert {name: RUNTIME[name] for name in RUNTIME} == {name: DEV[name] for name in RUNTIME}
    assert "pytest" not in RUNTIME and "uv" not in RUNTIME


def test_django_is_pinned_to_the_5_2_patch_release_pyproject_names():
    (version,) = DEV["django"]
    assert version.startswith("5.2.")
    floor = next(Requirement(r).specifier for r in PYPROJECT["project"]["dependencies"] if r.startswith("Django"))
    assert f">={version}" in str(floor), "pyproject.toml's floor is the locked patch release"


def test_make_install_ci_and_the_dockerfile_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := requirements-dev.lock" in makefile
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "--generate-hashes" in makefile and "lock:" in makefile
    assert "make install" in (ROOT / ".ci" / "run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-cache-dir ." not in dockerfile
