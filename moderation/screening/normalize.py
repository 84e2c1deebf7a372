"""Normalisation for screening, with a map back to the original characters.

The main view is: NFKC, case folding, invisible and combining characters removed, homoglyphs mapped
to Latin letters, whitespace runs collapsed, and letters split by separators joined (``f.i.t.t.a``).
The folded view maps å/ä→a and ö→o (same length, same map). Two optional views are built only when
a cheap trigger finds something to undo: a leet view (``j@vla``, ``1d10t``) and a squeezed view in
which every run of a repeated letter is one letter (``heeelvete``).

``offsets[i]`` is the index in the original text of normalised character ``i``; it has one extra
entry, ``len(original)``, so that the end of a span ``[s, e)`` maps to ``offsets[e]``. ``None`` stands
for the identity map, which the common case (plain Swedish text) keeps, so it costs nothing.

Regular expressions here only use bounded repetitions over character classes ({1,3}, {2,30}), so each
runs in linear time over the text; nothing here can backtrack catastrophically.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ahocorasick_rs

# Cyrillic and Greek letters that look like Latin ones (lower case; the text is case-folded first).
HOMOGLYPH_MAP = {
        "а": "a", "в": "b", "е": "e", "ё": "ë", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ї": "ï", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ӏ": "l",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "ω": "w", "ѵ": "v", "ү": "y", "һ": "h", "ս": "u", "օ": "o", "ı": "i",
        "\u2019": "'", "\u2018": "'", "\u00a0": " ",
}
HOMOGLYPHS = str.maketrans(HOMOGLYPH_MAP)
HOMOGLYPH_KEYS = tuple(HOMOGLYPH_MAP)
_NEEDS_HOMOGLYPHS = re.compile("[\u00a0\u0131\u0261\u0370-\u058f\u2018\u2019]")
_FOLD_PAIRS = (("å", "a"), ("ä", "a"), ("ö", "o"), ("æ", "a"), ("ø", "o"), ("é", "e"), ("è", "e"), ("ü", "u"))
FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o", "é": "e", "è": "e", "ü": "u"})
# Punctuation that separates words becomes a space in the matching view (same length, same map), so
# padded automaton keys (" fan ") only match whole words. Characters used by leet are kept.
BOUNDARY = str.maketrans(dict.fromkeys("!\"#%&'()*+,-./:;<=>?[\\]^_`{}~«»“”„‘’–—…¡¿·•", " "))
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e", "|": "l"})
LEET_CHARS = "0134578@$€|"

# Zero-width and format characters, bidi controls, variation selectors, C0/C1 controls and
# combining marks (which NFKC has already composed where Swedish needs them, e.g. å).
_INVISIBLE_RANGES = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x34F, 0x34F), (0x300, 0x36F),
    (0x483, 0x489), (0x591, 0x5BD), (0x600, 0x605), (0x61C, 0x61C), (0x64B, 0x65F), (0x6DD, 0x6DD),
    (0x70F, 0x70F), (0x180B, 0x180E), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x20D0, 0x20FF), (0xFE00, 0xFE0F), (0xFE20, 0xFE2F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0xE0000, 0xE007F), (0xE0100, 0xE01EF),
)
_INVISIBLE = re.compile(
    "[" + "".join(re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi != lo else "") for lo, hi in _INVISIBLE_RANGES)
    + "]+"
)
_SPACES = re.compile(r" {2,}")
# Single letters separated by 1-3 separator characters, at least three letters: "f.i.t.t.a", "k u k".
# Bounded repetition ({2,30}) keeps this linear.
_LETTER = r"[a-zåäöéüæø]"
_SEPARATED = re.compile(rf"\b{_LETTER}(?:[ .\-_*+,/'~:]{{1,3}}{_LETTER}){{2,30}}\b")
_SEPARATOR = re.compile(r"[ .\-_*+,/'~:]+")
_LEET_TRIGGER = re.compile(r"[a-zåäö][0134578@$€|]|[0134578@$€|][a-zåäö]")
RUN3 = re.compile(r"([a-zåäö])\1\1")
_RUN2 = re.compile(r"([a-zåäö])\1+")


@dataclass(frozen=True)
class View:
    text: str
    offsets: list[int] | None  # None: identity
    plain: bool = False  # no trigger found: no leet, stretched letters or separated letters to undo

    def original_span(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        if self.offsets is None:
            return start, end
        o_start = self.offsets[start]
        o_end = self.offsets[end] if end < len(self.offsets) else original_length
        return o_start, max(o_end, o_start + 1)


def _identity(n: int) -> list[int]:
    return list(range(n + 1))


def _delete(text: str, offsets: list[int] | None, spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Remove the (sorted, disjoint) spans from text, keeping the offset map in step."""
    if offsets is None:
        offsets = _identity(len(text))
    parts: list[str] = []
    new_offsets: list[int] = []
    prev = 0
    for s, e in spans:
        parts.append(text[prev:s])
        new_offsets.extend(offsets[prev:s])
        prev = e
    parts.append(text[prev:])
    new_offsets.extend(offsets[prev:])  # includes the end sentinel
    return "".join(parts), new_offsets


def _slow_fold(text: str) -> tuple[str, list[int]]:
    """NFKC and case folding per character group (a base character and its combining marks),
    for text that is not already NFKC or whose case folding changes its length."""
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        # Keep combining marks with their base so that NFKC can compose them (a + ring -> å).
        # Bounded: at most 8 marks are composed with a base; the rest are removed later.
        while j < n and j - i < 9 and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j]).casefold()
        out.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(n)
    return "".join(out), offsets


def _trigger_automaton() -> ahocorasick_rs.AhoCorasick:
    """Character sequences that mean the text needs more than NFKC and case folding: invisible or
    combining characters, look-alike letters, double spaces, a run of three equal letters, a letter
    next to a leet character, or a single letter between separators (the start of "f.i.t.t.a").
    One Aho-Corasick pass (ahocorasick-rs) finds them; plain text (most comments) skips the rest."""
    keys: set[str] = set()
    for lo, hi in _INVISIBLE_RANGES:
        keys.update(chr(c) for c in range(lo, hi + 1))
    keys.update(k for k in HOMOGLYPH_KEYS)
    keys.add("  ")
    letters = "abcdfghjklmnpqrstuvwxyzäéüæø"  # single-letter words i, å, ö, e and o never start a run alone
    all_letters = "abcdefghijklmnopqrstuvwxyzåäöéüæø"
    keys.update(c * 3 for c in all_letters)
    seps = " .-_*+,/'~:"
    for a in seps:
        for c in letters:
            for b in seps:
                keys.add(a + c + b)
    for c in all_letters:
        for d in LEET_CHARS:
            keys.add(c + d)
            keys.add(d + c)
    return ahocorasick_rs.AhoCorasick(sorted(keys))


_TRIGGERS = _trigger_automaton()


def main_view(text: str) -> View:
    if unicodedata.is_normalized("NFKC", text):
        folded = text.casefold()
        if len(folded) == len(text):
            current, offsets = folded, None
            if not _TRIGGERS.find_matches_as_indexes(" " + folded + " "):
                for ch in "\n\r\t":
                    if ch in current:
                        current = current.replace(ch, " ")
                return View(current, None, plain=True)
        else:
            current, offsets = _slow_fold(text)
    else:
        current, offsets = _slow_fold(text)
    # str.translate is slow on non-ASCII text, so only run it when a look-alike is present.
    if not current.isascii() and _NEEDS_HOMOGLYPHS.search(current):
        current = current.translate(HOMOGLYPHS)
    for ch in "\n\r\t":
        if ch in current:
            current = current.replace(ch, " ")
    spans = [m.span() for m in _INVISIBLE.finditer(current)]
    if spans:
        current, offsets = _delete(current, offsets, spans)
    spans = [(m.start() + 1, m.end()) for m in _SPACES.finditer(current)]
    if spans:
        current, offsets = _delete(current, offsets, spans)
    runs = list(_SEPARATED.finditer(current))
    if runs:
        spans = []
        for m in runs:
            base = m.start()
            spans.extend((base + s.start(), base + s.end()) for s in _SEPARATOR.finditer(m.group()))
        current, offsets = _delete(current, offsets, spans)
    return View(current, offsets)


def fold_text(text: str) -> str:
    """å/ä→a, ö→o (and æ, ø, é, è, ü): same length. Chained replace is much faster than translate."""
    if text.isascii():
        return text
    for a, b in _FOLD_PAIRS:
        if a in text:
            text = text.replace(a, b)
    return text


def folded_view(view: View) -> View:
    return View(fold_text(view.text), view.offsets, view.plain)


def leet_view(folded: View) -> View | None:
    """The folded view with leet characters read as letters, or None when no token mixes them."""
    text = folded.text
    if folded.plain or not any(ch in text for ch in LEET_CHARS) or not _LEET_TRIGGER.search(text):
        return None
    return View(folded.text.translate(LEET), folded.offsets)


def squeezed_view(folded: View) -> View | None:
    """The folded view with every run of a repeated letter reduced to one, or None when the text
    has no run of three or more (a real Swedish double letter alone does not trigger it)."""
    if folded.plain or not RUN3.search(folded.text):
        return None
    spans = [(m.start() + 1, m.end()) for m in _RUN2.finditer(folded.text)]
    text, offsets = _delete(folded.text, folded.offsets, spans)
    return View(text, offsets)


def squeeze(term: str) -> str:
    return _RUN2.sub(r"\1", term)
