"""Moderation views: the prohibited-content list (rules), the workspace (queue, item, decisions),
statistics and the public transparency page. Each module's views are thin and call services/selectors."""

from .rules import (
    addition_approve,
    addition_detail,
    addition_propose,
    addition_reject,
    addition_withdraw,
    bench,
    rules,
)

__all__ = [
    "addition_approve",
    "addition_detail",
    "addition_propose",
    "addition_reject",
    "addition_withdraw",
    "bench",
    "rules",
]
