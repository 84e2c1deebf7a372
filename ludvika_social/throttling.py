"""Who is asking (the client address behind a trusted proxy) and how fast they may try to log in.

Client address. REMOTE_ADDR is the address that opened the connection: behind the TLS proxy that is
the proxy, the same for every user. With TRUSTED_PROXY_HEADER set (normally ``X-Forwarded-For``),
the client is read from that header instead: each proxy appends the address it saw, so with
TRUSTED_PROXY_HOPS proxies in front the client is the entry that many places from the right. Entries
further left were written by the client and are never trusted. Off by default: without a proxy a
client could otherwise choose its own address. The web port must then be reachable only through the
proxy (compose.yaml publishes it on 127.0.0.1).

Password login. Every attempt is counted *before* the password is checked, with an atomic increment,
so concurrent attempts cannot all slip under the limit:

- per account and address: after LOGIN_FAILURE_LIMIT attempts that did not succeed within
  LOGIN_FAILURE_WINDOW_SECONDS, that address may not try that account again until the window has
  passed (even with the right password). Someone guessing from one place is stopped there only;
- per account, from any address: LOGIN_ACCOUNT_FAILURE_LIMIT (a distributed guess at one account);
- per address, whatever the account: never refused, only slowed. After LOGIN_ADDRESS_SLOWDOWN_AFTER
  attempts that did not succeed, each further attempt from the address waits a tenth of a second
  longer before it is checked, up to LOGIN_ADDRESS_DELAY_MAX_SECONDS. Behind a proxy without the
  header every user shares one address, so a refusal here would lock out the whole municipality.

An attempt refused for the account and address does not count for the account, so someone who goes
on guessing from one place cannot lock the account for everyone else.

A successful login takes back its own attempt and clears the account-and-address counter. The
counters live in the cache (Redis in production; see ludvika_social/ops/cache.py for what happens
while Redis is down). Keys hold hashes, never usernames or addresses.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address: from TRUSTED_PROXY_HEADER (TRUSTED_PROXY_HOPS from the right) when that is
    configured and the header holds a valid address at that place, else REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if not header:
        return remote
    hops = max(1, int(getattr(settings, "TRUSTED_PROXY_HOPS", 1)))
    value = request.headers.get(header, "")
    entries = [entry.strip() for entry in value.split(",")] if value else []
    if len(entries) < hops:
        return remote
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"login:{kind}:{digest}"


def _username(username: str) -> str:
    return (username or "").strip().lower()


def _count(key: str, window: int) -> int:
    """Add one to the counter and return the new value (atomic on Redis and in the local-memory cache)."""
    cache.add(key, 0, window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # the window has passed: nothing to give back
        cache.decr(key)


@dataclass(frozen=True)
class LoginAttempt:
    """The verdict on one attempt, counted before the password is checked."""

    username: str
    address: str
    refused: bool
    delay_seconds: float


def login_attempt_begin(*, username: str, address: str) -> LoginAttempt:
    """Count an attempt for the account, the account at this address, and the address; say whether it
    may be checked at all and how long it must wait first."""
    name = _username(username)
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    here = _count(_key("address", address), window)
    refused = _count(_key("pair", name, address), window) > settings.LOGIN_FAILURE_LIMIT
    if not refused:
        # Only attempts that reach the password check count for the account: an address already refused
        # cannot go on to lock the account for everyone else.
        account_key = _key("account", name)
        refused = _count(account_key, window) > settings.LOGIN_ACCOUNT_FAILURE_LIMIT
        if refused:
            _uncount(account_key)
    delay = address_delay(count=here, free=settings.LOGIN_ADDRESS_SLOWDOWN_AFTER,
                          max_seconds=settings.LOGIN_ADDRESS_DELAY_MAX_SECONDS)
    return LoginAttempt(username=name, address=address, refused=refused, delay_seconds=0.0 if refused else delay)


def login_attempt_wait(attempt: LoginAttempt) -> None:
    if attempt.delay_seconds > 0:
        time.sleep(attempt.delay_seconds)


def login_attempt_succeeded(attempt: LoginAttempt) -> None:
    """The right password: this address may try this account afresh, and the account's and the
    address's counters give back this attempt (failures stay counted). A wrong password needs no
    call: its attempt was counted before the check."""
    cache.delete(_key("pair", attempt.username, attempt.address))
    _uncount(_key("account", attempt.username))
    _uncount(_key("address", attempt.address))


def address_attempt_count(*, kind: str, address: str, window: int) -> int:
    """Count one more request of ``kind`` from the address within ``window`` seconds; the new count."""
    return _count(_key(kind, address), window)


def address_delay(*, count: int, free: int, max_seconds: float) -> float:
    """The wait for the ``count``-th request when ``free`` are free: a tenth of a second per request
    beyond them, at most ``max_seconds``."""
    return 0.0 if count <= free else min(float(max_seconds), 0.1 * (count - free))
