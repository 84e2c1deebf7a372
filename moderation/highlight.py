"""Split a text into segments for highlighting flags. Templates render each segment's text with
autoescaping; nothing here produces HTML, so user text is never marked safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise


@dataclass
class Segment:
    text: str
    codes: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.codes)


def segments(text: str, flags) -> list[Segment]:
    """``flags``: objects with start, end, code, explanation (screening Flags or Flag rows)."""
    flags = [f for f in flags if 0 <= f.start < f.end <= len(text)]
    cuts = sorted({0, len(text), *(f.start for f in flags), *(f.end for f in flags)})
    out = []
    for a, b in pairwise(cuts):
        covering = [f for f in flags if f.start <= a and b <= f.end]
        out.append(Segment(text[a:b], sorted({f.code for f in covering}), [f.explanation for f in covering]))
    return out
