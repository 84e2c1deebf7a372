"""Run axe-core in the page. The app's CSP forbids inline scripts, so the vendored file is
evaluated through the DevTools protocol (page.evaluate), which the page's CSP does not govern;
the app's policy stays as it is."""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_run(page) -> list[dict]:
    """Return axe's violations on the loaded page (WCAG 2.1 A/AA rules)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    assert result["passes"], "axe ran no rule on the page"
    return result["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [node["target"] for node in v["nodes"]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return "\n".join(lines)
