"""Precision and recall of screening over the labelled test set (moderation/data/testset.jsonl).

A comment counts as flagged for a code when screening returns a flag of that code at or above
FLAG_THRESHOLD. Run: ``python -m moderation.screening.evaluate`` (or the quality test, which prints
the same table).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from core.pii import classify_identity_number
from registry.policy import PROHIBITED_CODES

from .engine import FLAG_THRESHOLD, SIGNAL_CODES, screen_text
from .lexicon import DATA_DIR

TESTSET = DATA_DIR / "testset.jsonl"
# The evaluation sets: the project's own (written by the rules' author), the hold-out written after
# the rules were frozen, and the blind set nobody who wrote rules had seen (blind-2026-12/README.md).
SETS = {
    "own": TESTSET,
    "holdout": DATA_DIR / "testset_holdout.jsonl",
    "blind": DATA_DIR / "blind-2026-12" / "blindset.jsonl",
}
_PNR_TRUTH = re.compile(r"(?<![0-9])(?:[0-9]{8}|[0-9]{6})[-+]?[0-9]{4}(?![0-9])")


@dataclass
class Score:
    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load(path: Path = TESTSET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(rows: list[dict] | None = None) -> dict:
    rows = rows if rows is not None else load()
    codes = (*PROHIBITED_CODES, *SIGNAL_CODES)
    scores = {c: Score(c) for c in codes}
    clean = clean_flagged = 0
    pnr_total = pnr_found = 0
    errors = []
    for row in rows:
        flags = [f for f in screen_text(row["text"]) if f.confidence >= FLAG_THRESHOLD]
        predicted = {f.code for f in flags}
        truth = set(row["labels"])
        for c in codes:
            if c in predicted and c in truth:
                scores[c].tp += 1
            elif c in predicted:
                scores[c].fp += 1
                errors.append(("FP", c, row["id"], row["text"]))
            elif c in truth:
                scores[c].fn += 1
                errors.append(("FN", c, row["id"], row["text"]))
        if not truth & set(PROHIBITED_CODES):
            clean += 1
            if predicted & set(PROHIBITED_CODES):
                clean_flagged += 1
        for m in _PNR_TRUTH.finditer(row["text"]):
            result = classify_identity_number(m.group())
            if result and result[2]:
                pnr_total += 1
                if any(f.code == "personuppgifter" and f.start <= m.start() and m.end() <= f.end for f in flags):
                    pnr_found += 1
    prohibited = [scores[c] for c in PROHIBITED_CODES]
    tp = sum(s.tp for s in prohibited)
    fp = sum(s.fp for s in prohibited)
    fn = sum(s.fn for s in prohibited)
    return {
        "scores": scores,
        "overall_precision": tp / (tp + fp) if tp + fp else 1.0,
        "overall_recall": tp / (tp + fn) if tp + fn else 1.0,
        "clean": clean,
        "clean_flag_rate": clean_flagged / clean if clean else 0.0,
        "pnr_recall": pnr_found / pnr_total if pnr_total else 1.0,
        "pnr_total": pnr_total,
        "rows": len(rows),
        "errors": errors,
    }


def table(result: dict) -> str:
    lines = ["| Kod | Positiva | Precision | Recall |", "|---|---:|---:|---:|"]
    for s in result["scores"].values():
        lines.append(f"| {s.code} | {s.tp + s.fn} | {s.precision:.2f} | {s.recall:.2f} |")
    lines.append(f"| **alla förbjudna koder (mikro)** | | {result['overall_precision']:.2f} | {result['overall_recall']:.2f} |")
    lines.append("")
    lines.append(f"Kommentarer: {result['rows']}; rena (ingen förbjuden kod): {result['clean']}; "
                 f"andel rena som flaggas: {result['clean_flag_rate']:.3f}")
    lines.append(f"Personnummer/samordningsnummer med giltig kontrollsiffra: {result['pnr_total']}, "
                 f"recall {result['pnr_recall']:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    import django

    parser = argparse.ArgumentParser(description="Precision and recall of screening on a labelled set.")
    parser.add_argument("--set", choices=sorted(SETS), action="append",
                        help="which set (repeatable; default: all). The blind set's misses are not listed: "
                             "the rules must not be tuned to it.")
    args = parser.parse_args()
    django.setup()
    for name in args.set or list(SETS):
        res = evaluate(load(SETS[name]))
        print(f"\n## {name} ({SETS[name].relative_to(DATA_DIR)})\n")
        print(table(res))
        if name != "blind":
            for e in res["errors"]:
                print(*e, sep="\t")
