"""Screen JSON Lines from stdin: one ``{"id": ..., "text": ...}`` per line; one result line per input.

    python manage.py screen < comments.jsonl > flags.jsonl

Output: ``{"id": ..., "flags": [{"code", "rule", "start", "end", "confidence"}]}``. A line that is not
valid JSON, not an object, or has no string ``text`` gives ``{"id": <id or null>, "line": n,
"error": "..."}`` and the rest continue. Offsets are in Python characters (code points).
"""

from __future__ import annotations

import io
import json
import sys

from django.core.management.base import BaseCommand

from moderation.screening import FLAG_THRESHOLD, default_screener


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Granska JSON Lines från stdin ({\"id\": …, \"text\": …}) och skriv flaggorna som JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("--min-confidence", type=float, default=0.0,
                            help=f"Skriv bara flaggor med minst denna säkerhet (flaggtröskel: {FLAG_THRESHOLD}).")

    def handle(self, *args, **options):
        screener = default_screener()
        minimum = options["min_confidence"]
        stdin = options.get("stdin") or io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        out = self.stdout
        for number, raw in enumerate(stdin, start=1):
            line = raw.strip()
            if not line:
                continue
            ident = None
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("raden är inte ett JSON-objekt")
                ident = row.get("id")
                text = row.get("text")
                if not isinstance(text, str):
                    raise ValueError("fältet text saknas eller är inte en sträng")
                flags = [f.as_dict() for f in screener.screen(text) if f.confidence >= minimum]
                result = {"id": ident, "flags": flags}
            except (ValueError, TypeError, RecursionError) as exc:
                result = {"id": ident, "line": number, "error": str(exc)[:200]}
            # ASCII escapes: an id with an unpaired surrogate still gives a writable line.
            out.write(json.dumps(result))
