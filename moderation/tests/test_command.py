import io
import json

from django.core.management import call_command


def run(lines: str) -> list[dict]:
    out = io.StringIO()
    call_command("screen", stdin=io.StringIO(lines), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_screen_command_writes_one_line_per_input_and_continues_after_bad_lines():
    result = run(
        '{"id": 1, "text": "Jag ska döda dig"}\n'
        "inte json\n"
        '{"id": "b", "text": 5}\n'
        '{"id": 3, "text": "Tack för en fin kväll!"}\n'
    )
    assert [r.get("id") for r in result] == [1, None, "b", 3]
    assert result[0]["flags"][0] == {"code": "brott", "rule": "ctx.hot", "start": 8, "end": 12, "confidence": 0.85}
    assert result[1]["line"] == 2 and "error" in result[1]
    assert "error" in result[2]
    assert result[3]["flags"] == []
