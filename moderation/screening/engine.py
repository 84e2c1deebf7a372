"""The screening entry point: ``screen_text(text)`` returns the flags for one text.

Pipeline: normalise (with an offset map) → one Aho-Corasick pass over the folded view for every
lexicon, signal and cue entry (plus a leet and a squeezed pass only when the text needs them) →
context rules on the cue hits → personal-data detectors → merge. Every step is linear in the text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from core import pii
from registry.policy import PROHIBITED_CATEGORIES, PROHIBITED_CODES

from . import context
from .lexicon import DATA_DIR, Entry, Hit, Matcher, load_allow, load_file, parse_line
from .normalize import folded_view, leet_view, main_view, squeezed_view

SIGNAL_CODES = ("politisk", "fraga", "arende")
SIGNAL_LABELS = {
    "politisk": "politisk debatt",
    "fraga": "direkt fråga",
    "arende": "gäller ett ärende",
}
CODE_LABELS = {c.code: c.policy_wording for c in PROHIBITED_CATEGORIES} | SIGNAL_LABELS
# Flags at or above this confidence are shown as flags; below it, as hints for the moderator.
FLAG_THRESHOLD = 0.5


@dataclass(frozen=True)
class Flag:
    code: str
    rule: str
    start: int
    end: int
    confidence: float
    explanation: str

    def as_dict(self) -> dict:
        return {"code": self.code, "rule": self.rule, "start": self.start, "end": self.end,
                "confidence": round(self.confidence, 2)}


def _load_official_numbers(path: Path) -> frozenset[str]:
    out = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            out.add(line)
    return frozenset(out)


def load_base_entries(data_dir: Path = DATA_DIR) -> list[Entry]:
    entries: list[Entry] = []
    for code in PROHIBITED_CODES:
        path = data_dir / "lexicon" / f"{code}.txt"
        if path.exists():
            entries.extend(load_file(path, code=code, rule="lexikon", confidence=0.75))
    for path in sorted((data_dir / "signals").glob("*.txt")):
        entries.extend(load_file(path, code=path.stem, rule="signal", confidence=0.7))
    for path in sorted((data_dir / "cues").glob("*.txt")):
        entries.extend(load_file(path, code=f"cue:{path.stem}", rule="cue", confidence=1.0))
    return entries


class Screener:
    """The compiled rule set. Build once (about a few milliseconds) and reuse; it is thread-safe."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        allow_exact, allow_prefixes = load_allow(data_dir / "allow.txt")
        self.allow = (allow_exact, allow_prefixes)
        self.matcher = Matcher(load_base_entries(data_dir), allow_exact, allow_prefixes)
        self.official_numbers = _load_official_numbers(data_dir / "official_numbers.txt")

    def additions_matcher(self, additions: list[tuple[str, str, str]]) -> Matcher:
        """A matcher for per-channel additions: (pattern, code, rule id) triples."""
        entries: list[Entry] = []
        for pattern, code, rule in additions:
            entries.extend(parse_line(pattern, code=code, rule=rule, confidence=0.8))
        return Matcher(entries, *self.allow)

    def extra_only(self, text: str, extra: Matcher) -> list[Flag]:
        """Only what ``extra`` (e.g. one proposed addition) finds, for the test bench."""
        if not isinstance(text, str) or not text:
            return []
        main = main_view(text)
        folded = folded_view(main)
        hits = extra.find(text, main, folded, leet_view(folded), squeezed_view(folded))
        return merge([Flag(h.entry.code, h.entry.rule, h.start, h.end, h.entry.confidence,
                           f"”{h.entry.term}” finns i kanalens tillägg.") for h in hits])

    def screen(self, text: str, *, extra: Matcher | None = None) -> list[Flag]:
        if not isinstance(text, str) or not text:
            return []
        main = main_view(text)
        folded = folded_view(main)
        leet = leet_view(folded)
        squeezed = squeezed_view(folded)
        hits = self.matcher.find(text, main, folded, leet, squeezed)
        if extra is not None:
            hits.extend(extra.find(text, main, folded, leet, squeezed))

        flags: list[Flag] = []
        cues: list[Hit] = []
        for h in hits:
            code = h.entry.code
            if code.startswith("cue:"):
                if h.view != "squeezed":
                    cues.append(h)
                continue
            confidence = h.entry.confidence
            if code in ("hets", "fortal", "svordomar") and context.distanced(folded.text, h.vstart, h.vend) and h.view != "squeezed":
                confidence = min(confidence, 0.4)
            how = {"leet": " (skrivet med siffror eller tecken)", "squeezed": " (med utdragna bokstäver)"}.get(h.view, "")
            flags.append(Flag(code, f"{h.entry.rule}", h.start, h.end, confidence,
                              f"”{h.entry.term}” finns i listan för {CODE_LABELS.get(code, code)}{how}."))

        rule_hits: list[context.RuleHit] = []
        if cues:
            rule_hits += context.threats(folded.text, cues)
            rule_hits += context.hets(folded.text, cues)
            rule_hits += context.insults(folded.text, text, cues)
            rule_hits += context.health(folded.text, text, cues, len(text))
            rule_hits += context.porn(folded.text, cues)
        for r in context.questions(folded.text):
            s, e = folded.original_span(r.start, r.end, len(text))
            rule_hits.append(context.RuleHit(r.code, r.rule, s, e, r.confidence, r.explanation))
        flags.extend(Flag(r.code, r.rule, r.start, r.end, r.confidence, r.explanation) for r in rule_hits)

        found: list[pii.PiiHit] = []
        if "@" in text:
            found += pii.email_addresses(text)
        digits = pii.digit_count(text) if pii.HAS_DIGIT.search(text) else 0
        if digits:
            found += pii.street_addresses(text)
            if digits >= 3:
                flags.extend(Flag(r.code, r.rule, r.start, r.end, r.confidence, r.explanation)
                             for r in context.case_numbers(text, folded.text))
            valid_spans: list[tuple[int, int]] = []
            if digits >= 10:
                ids = list(pii.identity_numbers(text))
                valid_spans = [(p.start, p.end) for p in ids if p.confidence >= FLAG_THRESHOLD]
                found += ids
            if digits >= 7:
                found += pii.phone_numbers(text, skip=valid_spans, official=self.official_numbers)
        flags.extend(Flag("personuppgifter", p.rule, p.start, p.end, p.confidence, p.explanation) for p in found)
        return merge(flags)


def merge(flags: list[Flag]) -> list[Flag]:
    """One flag per code and span: drop a flag whose span lies inside another flag of the same code
    with at least its confidence; order by position."""
    flags.sort(key=lambda f: (f.code, f.start, -(f.end - f.start), -f.confidence))
    out: list[Flag] = []
    last: dict[str, Flag] = {}
    for f in flags:
        prev = last.get(f.code)
        if prev is not None and prev.start <= f.start and f.end <= prev.end and prev.confidence >= f.confidence:
            continue
        out.append(f)
        if prev is None or f.end > prev.end:
            last[f.code] = f
    out.sort(key=lambda f: (f.start, f.code))
    return out


_default: Screener | None = None
_lock = threading.Lock()


def default_screener() -> Screener:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Screener()
    return _default


def screen_text(text: str, *, extra: Matcher | None = None) -> list[Flag]:
    """Screen one text with the fixed rule set (and a channel's approved additions, if given).

    Never raises for any string input; returns [] for empty or non-string input.
    """
    return default_screener().screen(text, extra=extra)
