"""DESIGN §5: a lower layer never imports a higher one (core < registry < archive < channels < moderation).
Upward news travels by the lower layer's signals. Checked on the source, tests excepted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

LAYERS = ["core", "registry", "archive", "channels", "moderation"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_a_lower_layer_never_imports_a_higher_one(app):
    higher = set(LAYERS[LAYERS.index(app) + 1:])
    root = Path(settings.BASE_DIR) / app
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)} imports {', '.join(sorted(_imports(path) & higher))}"
        for path in sorted(root.rglob("*.py"))
        if "tests" not in path.relative_to(root).parts and _imports(path) & higher
    ]
    assert offenders == []


def test_the_check_sees_an_import_it_is_meant_to_see(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from channels.services.ingest import x\n", encoding="utf-8")
    assert "channels" in _imports(module)
