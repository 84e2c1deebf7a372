"""Swedish-aware, offline screening of comments. See docs/screening.md."""

from .engine import CODE_LABELS, FLAG_THRESHOLD, SIGNAL_CODES, Flag, Screener, default_screener, screen_text

__all__ = ["CODE_LABELS", "FLAG_THRESHOLD", "SIGNAL_CODES", "Flag", "Screener", "default_screener", "screen_text"]
