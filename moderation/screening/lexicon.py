"""Lexicon files and the Aho-Corasick matcher built from them.

File format (moderation/data/lexicon/<code>.txt, moderation/data/cues/<name>.txt, allow.txt):
one entry per line, ``#`` starts a comment. An entry is a word or a phrase, with ``*`` marking where
more letters may follow or precede inside the same word:

    idiot            the word itself
    idiot*           the word and anything it begins (idioten, idioterna, idiotisk)
    *idiot           the word and compounds ending with it (kommunidiot)
    *idiot{,en,er}   brace alternatives expand: *idiot, *idioten, *idioter
    gå och dö        a phrase (whitespace between words, word boundaries at both ends)
    skjuta !upp,till an exclusion list: no hit when the next word is one of these (cue files)

Directives set values for the lines that follow: ``@conf 0.6`` (confidence), ``@rule name`` (the
rule id suffix shown with each flag).

Matching runs Aho-Corasick (ahocorasick-rs, overlapping matches) over the folded view (å/ä→a, ö→o) in one linear pass. A term written
without å/ä/ö only matches text written without them (so ``fan`` does not match ``fån``); a term with
them also matches text that leaves the dots out (``javla``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick_rs

from .normalize import BOUNDARY, LEET, LEET_CHARS, RUN3, View, fold_text, squeeze

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_BRACES = re.compile(r"\{([^{}]*)\}")
# Allow-list tokens are looked at up to this many characters either side of a hit.
TOKEN_WINDOW = 40


def fold(s: str) -> str:
    return fold_text(s.casefold())


def expand(pattern: str) -> list[str]:
    """Expand brace alternatives: ``*idiot{,en}`` -> ``*idiot``, ``*idioten``."""
    parts = _BRACES.split(pattern)
    literals = parts[0::2]
    choices = [p.split(",") for p in parts[1::2]]
    out = []
    for combo in itertools.product(*choices):
        s = literals[0]
        for choice, lit in zip(combo, literals[1:], strict=True):
            s += choice + lit
        out.append(s)
    return out


@dataclass(frozen=True)
class Entry:
    code: str  # a prohibited code, a signal, or "cue:<name>"
    rule: str
    term: str  # the written form, for explanations
    key: str  # folded form that the automaton matches
    prefix: bool  # more letters may follow (term*)
    suffix: bool  # more letters may precede (*term)
    confidence: float
    diacritics: bool  # the term has å/ä/ö, so folded text matches too
    exclude_next: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int  # in the original text
    end: int
    vstart: int  # in the folded view
    vend: int
    view: str  # "main", "leet" or "squeezed"


def parse_line(line: str, *, code: str, rule: str, confidence: float) -> list[Entry]:
    line = line.split("#", 1)[0].strip()
    if not line:
        return []
    exclude: frozenset[str] = frozenset()
    if " !" in line:
        line, _, rest = line.partition(" !")
        exclude = frozenset(fold(w.strip()) for w in rest.split(",") if w.strip())
        line = line.strip()
    entries = []
    for form in expand(line):
        form = " ".join(form.split())
        prefix = form.endswith("*")
        suffix = form.startswith("*")
        term = form.strip("*").strip()
        if not term:
            continue
        key = fold(term)
        entries.append(
            Entry(
                code=code,
                rule=rule,
                term=term,
                key=key,
                prefix=prefix,
                suffix=suffix,
                confidence=confidence,
                diacritics=key != term.casefold(),
                exclude_next=exclude,
            )
        )
    return entries


def load_file(path: Path, *, code: str, rule: str, confidence: float) -> list[Entry]:
    entries: list[Entry] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped.startswith("@conf "):
            confidence = float(stripped.split()[1])
            continue
        if stripped.startswith("@rule "):
            rule = stripped.split()[1]
            continue
        entries.extend(parse_line(raw, code=code, rule=rule, confidence=confidence))
    return entries


def load_allow(path: Path) -> tuple[frozenset[str], tuple[str, ...]]:
    exact: set[str] = set()
    prefixes: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        for form in expand(line) if line else ():
            word = fold(form.rstrip("*"))
            target = prefixes if form.endswith("*") else exact
            target.add(word)
    return frozenset(exact), tuple(sorted(prefixes))


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


@dataclass
class Matcher:
    """One automaton over the folded view (and its squeezed twin) for a list of entries."""

    entries: list[Entry]
    allow_exact: frozenset[str] = frozenset()
    allow_prefixes: tuple[str, ...] = ()
    _automaton: tuple = field(init=False, repr=False)
    _squeezed: tuple = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Keys are padded with a space on each side that must be a word boundary, so the automaton
        # itself only reports whole-word hits (" as " never fires inside "glas").
        # In the squeezed view, allow-listed words are compared squeezed too (kukkola -> kukola).
        self._sq_exact = frozenset(squeeze(w) for w in self.allow_exact)
        self._sq_prefixes = tuple(sorted({squeeze(p) for p in self.allow_prefixes}))
        self._automaton = self._build(lambda key: key)
        self._squeezed = self._build(squeeze)

    def _build(self, key_of) -> tuple:
        """(automaton, [(lpad, rpad, entries) per pattern index]) for the padded keys."""
        by_key: dict[str, list[Entry]] = {}
        for e in self.entries:
            core = key_of(e.key).translate(BOUNDARY)
            key = ("" if e.suffix else " ") + core + ("" if e.prefix else " ")
            by_key.setdefault(key, []).append(e)
        keys = list(by_key)
        info = [(1 if k.startswith(" ") else 0, 1 if k.endswith(" ") and len(k) > 1 else 0, tuple(by_key[k]))
                for k in keys]
        automaton = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard) if keys else None
        return automaton, info

    def __len__(self) -> int:
        return len(self.entries)

    def _allowed(self, text: str, s: int, e: int, squeezed: bool = False) -> bool:
        a = s
        lo = max(0, s - TOKEN_WINDOW)
        while a > lo and _is_letter(text[a - 1]):
            a -= 1
        b = e
        hi = min(len(text), e + TOKEN_WINDOW)
        while b < hi and _is_letter(text[b]):
            b += 1
        token = text[a:b]
        exact, prefixes = (self._sq_exact, self._sq_prefixes) if squeezed else (self.allow_exact, self.allow_prefixes)
        return token in exact or (bool(prefixes) and token.startswith(prefixes))

    def _scan(self, compiled: tuple, view: View, main: str | None, kind: str, length: int, out: list[Hit]) -> None:
        automaton, info = compiled
        if automaton is None:
            return
        text = view.text
        padded = " " + text.translate(BOUNDARY) + " "
        for index, start, end in automaton.find_matches_as_indexes(padded, overlapping=True):
            lpad, rpad, group = info[index]
            # [s, e) in view coordinates (the padded text has one extra leading character).
            s = start + lpad - 1
            e = end - rpad - 1
            allowed_checked = None
            for entry in group:
                if main is not None and not entry.diacritics:
                    segment = main[s:e]
                    if kind == "leet":
                        segment = segment.translate(LEET)
                    if fold(segment) != segment:
                        # The text had å/ä/ö where the term has none (fån is not fan).
                        continue
                if entry.prefix or entry.suffix:
                    if allowed_checked is None:
                        allowed_checked = self._allowed(text, s, e, kind == "squeezed")
                    if allowed_checked:
                        break
                if entry.exclude_next:
                    nxt = text[e : e + 30].split(" ", 2)
                    word = nxt[1] if len(nxt) > 1 and nxt[0] == "" else ""
                    if word.strip(".,!?:;") in entry.exclude_next:
                        continue
                o_s, o_e = view.original_span(s, e, length)
                out.append(Hit(entry, o_s, o_e, s, e, kind))

    def find(
        self, original: str, main: View, folded: View, leet: View | None, squeezed: View | None
    ) -> list[Hit]:
        if not self.entries:
            return []
        length = len(original)
        hits: list[Hit] = []
        self._scan(self._automaton, folded, main.text, "main", length, hits)
        if leet is not None:
            leet_hits: list[Hit] = []
            self._scan(self._automaton, leet, main.text, "leet", length, leet_hits)
            # Only what the leet reading adds: spans that contain a leet character.
            hits.extend(h for h in leet_hits if any(c in LEET_CHARS for c in folded.text[h.vstart : h.vend]))
        if squeezed is not None:
            sq_hits: list[Hit] = []
            self._scan(self._squeezed, squeezed, None, "squeezed", length, sq_hits)
            # Only what squeezing adds: spans that held a run of three or more of one letter.
            hits.extend(h for h in sq_hits if RUN3.search(fold(original[h.start : h.end])))
        return hits
