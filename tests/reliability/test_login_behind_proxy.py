"""Login throttling behind the TLS proxy, through gunicorn with several workers and threads and a shared
Redis cache: the proxy sets X-Forwarded-For (TRUSTED_PROXY_HEADER), every connection comes from
127.0.0.1, and the passwords are PBKDF2 hashes as in production, so concurrent attempts overlap while
their passwords are checked (ludvika_social/throttling.py)."""

from __future__ import annotations

import re
import threading

import requests

from .conftest import RedisServer, scenario, wait_for
from .test_redis_outage import _get, gunicorn

WRONG = "Ange ett korrekt användarnamn och lösenord"
THROTTLED = "För många misslyckade inloggningsförsök"
LIMIT = 5


def _token(base: str) -> tuple[str, str]:
    page = requests.get(f"{base}/logga-in/", timeout=10)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1), page.cookies["csrftoken"]


def _attempt(base: str, username: str, password: str, client: str) -> requests.Response:
    token, cookie = _token(base)
    return requests.post(f"{base}/logga-in/", data={"username": username, "password": password,
                                                    "csrfmiddlewaretoken": token},
                         cookies={"csrftoken": cookie}, headers={"X-Forwarded-For": client},
                         allow_redirects=False, timeout=60)


def _at_once(base: str, attempts: list[tuple[str, str, str]]) -> list[requests.Response]:
    """Send the attempts in parallel threads released together (a barrier), each on its own connection."""
    tokens = [_token(base) for _ in attempts]
    barrier = threading.Barrier(len(attempts))
    results: list[requests.Response | None] = [None] * len(attempts)

    def run(n: int, username: str, password: str, client: str) -> None:
        token, cookie = tokens[n]
        barrier.wait()
        results[n] = requests.post(f"{base}/logga-in/", data={"username": username, "password": password,
                                                              "csrfmiddlewaretoken": token},
                                   cookies={"csrftoken": cookie}, headers={"X-Forwarded-For": client},
                                   allow_redirects=False, timeout=120)

    threads = [threading.Thread(target=run, args=(n, *a)) for n, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _logged_in(response: requests.Response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/personal/")


def test_concurrent_logins_behind_the_proxy_are_throttled_per_account_and_client(
        fresh_db, private_redis: RedisServer, processes, tmp_path):
    password = scenario(fresh_db, "staff", usernames=["registrator", "informator"])["password"]
    web, base = gunicorn(fresh_db, private_redis.url, tmp_path, WEB_CONCURRENCY=2, GUNICORN_THREADS=12,
                         TRUSTED_PROXY_HEADER="X-Forwarded-For", TRUSTED_PROXY_HOPS=1, LOGIN_FAILURE_LIMIT=LIMIT,
                         LOGIN_ADDRESS_SLOWDOWN_AFTER=20, LOGIN_ADDRESS_DELAY_MAX_SECONDS=0.5)
    processes.append(web.start())
    wait_for(lambda: _get(f"{base}/healthz") == 200, timeout=30, what="gunicorn")

    # 20 wrong passwords for one account from one client at once: only LIMIT are checked.
    answers = _at_once(base, [("registrator", f"fel-{n}", "198.51.100.66") for n in range(20)])
    assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
    checked = sum(WRONG in a.text for a in answers)
    refused = sum(THROTTLED in a.text for a in answers)
    assert (checked, refused) == (LIMIT, 20 - LIMIT), f"{checked} passwords checked, {refused} refused"

    # That client is refused that account even with the right password; the real user elsewhere is not.
    assert THROTTLED in _attempt(base, "registrator", password, "198.51.100.66").text
    assert _logged_in(_attempt(base, "registrator", password, "198.51.100.7"))

    # 30 invented usernames from one client at once slow that client down but lock out nobody:
    # not another account from the same client, and not anyone elsewhere.
    answers = _at_once(base, [(f"gissning{n}", "fel", "203.0.113.5") for n in range(30)])
    assert all(WRONG in a.text for a in answers)
    assert _logged_in(_attempt(base, "informator", password, "203.0.113.5"))
    assert _logged_in(_attempt(base, "informator", password, "203.0.113.6"))
