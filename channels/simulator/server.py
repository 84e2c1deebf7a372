"""The simulator's HTTP server: one process serves every platform under its own prefix.

    /facebook/v21.0/...            Graph API for Facebook Pages
    /instagram/v21.0/...           Graph API for Instagram professional accounts
    /youtube/v3/...                YouTube Data API v3
    /wordpress/<site>/wp-json/...  WordPress REST API of the blog <site>
    /mastodon/<instance>/api/...   Mastodon REST API of the instance <instance>
    /bluesky/xrpc/...              Bluesky XRPC (PDS + AppView)
    /linkedin/rest/...             LinkedIn Community Management API
    /oidc/...                      an OpenID Connect provider standing in for the municipality's login
    /_sim/...                      control API for tests and the demo (see docs/platforms.md)
"""

from __future__ import annotations

import json
import logging
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import platforms
from .messages import Request, Response
from .platforms import oidc
from .world import PLATFORMS, World

logger = logging.getLogger(__name__)

FAULT_KINDS = ("5xx", "timeout", "rate_limit", "malformed", "truncated", "expired")


@dataclass
class Faults:
    """Random fault rates (0..1 per request), one-shot faults queued for the next requests, latency."""

    rates: dict[str, float] = field(default_factory=dict)
    queue: list[dict] = field(default_factory=list)
    latency_ms: int = 0
    timeout_s: float = 5.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))  # noqa: S311

    def take(self, platform: str) -> dict | None:
        for fault in self.queue:
            if fault.get("platform") in (None, "", platform):
                fault["count"] = int(fault.get("count", 1)) - 1
                if fault["count"] <= 0:
                    self.queue.remove(fault)
                return dict(fault)
        for kind in FAULT_KINDS:
            rate = self.rates.get(kind, 0.0)
            if rate and self.rng.random() < rate:
                return {"fault": kind}
        return None

    def describe(self) -> dict:
        return {"rates": self.rates, "queue": self.queue, "latency_ms": self.latency_ms, "timeout_s": self.timeout_s}


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, world: World, faults: Faults):
        self.world = world
        self.faults = faults
        # Not a platform: no world accounts, no faults, not in the request log (it carries codes and tokens).
        self.oidc = oidc.Provider()
        self.request_log: list[dict] = []
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        # A client that hung up (timeouts are a fault the simulator injects) is not an error.
        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add some 40 ms to every answer.
    disable_nagle_algorithm = True
    server: SimulatorServer

    def log_message(self, format, *args):
        logger.debug("sim %s", format % args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        query = parse_qs(parts.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = headers.get("host", f"127.0.0.1:{self.server.server_address[1]}")
        try:
            if segments and segments[0] == "_sim":
                response = control(self.server, method, segments[1:], query, body)
                self._send(response)
                return
            if segments and segments[0] == "oidc":
                base = f"http://{host}/oidc"
                self._send(oidc.handle(self.server.oidc, Request(method, "oidc", None, segments[1:], query, headers,
                                                                 body, base)))
                return
            if not segments or segments[0] not in PLATFORMS:
                self._send(Response(404, {"error": "unknown platform prefix"}))
                return
            platform = segments[0]
            site = None
            rest = segments[1:]
            if platform in ("wordpress", "mastodon"):
                if not rest:
                    self._send(Response(404, {"error": "site missing"}))
                    return
                site, rest = rest[0], rest[1:]
            base = f"http://{host}/{platform}" + (f"/{site}" if site else "")
            request = Request(method, platform, site, rest, query, headers, body, base)
            self._log(request)
            self._platform(request)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout fault does this on purpose): nobody to answer.
            self.close_connection = True
        except Exception:  # the simulator must answer, whatever a handler did
            logger.exception("simulator handler failed")
            self._send(Response(500, {"error": "simulator error"}))

    def _log(self, request: Request) -> None:
        entry = {
            "method": request.method, "platform": request.platform, "site": request.site,
            "path": "/".join(request.path), "query": {k: v for k, v in request.query.items() if k != "access_token"},
            "headers": {k: v for k, v in request.headers.items() if k != "authorization"},
            "body": request.body.decode("utf-8", "replace")[:2000],
        }
        log = self.server.request_log
        with self.server.world.lock:
            log.append(entry)
            del log[:-1000]

    def _platform(self, request: Request) -> None:
        world, faults = self.server.world, self.server.faults
        module = platforms.MODULES[request.platform]
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        with world.lock:
            fault = faults.take(request.platform)
        if fault:
            kind = fault.get("fault")
            if kind == "timeout":
                time.sleep(float(fault.get("delay_s", faults.timeout_s)))
            elif kind == "5xx":
                self._send(module.server_error(int(fault.get("status", 503))))
                return
            elif kind == "rate_limit":
                response = module.rate_limited(fault)
                if response.status < 400:  # a header-only signal on an otherwise good answer
                    good = self._handle(module, request)
                    good.headers.update(response.headers)
                    response = good
                self._send(response)
                return
            elif kind == "expired":
                self._send(module.auth_error())
                return
            elif kind == "malformed":
                self._send(Response(200, b'{"data": [{"id": "1", "message": "oj', {"Content-Type": "application/json"}))
                return
            elif kind == "truncated":
                response = self._handle(module, request)
                self._send(response, truncate=True)
                return
        self._send(self._handle(module, request))

    def _handle(self, module, request: Request) -> Response:
        world = self.server.world
        with world.lock:
            return module.handle(world, request)

    def _send(self, response: Response, *, truncate: bool = False) -> None:
        payload = response.encode()
        self.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if truncate:
            self.wfile.write(payload[: max(1, len(payload) // 2)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def control(server: SimulatorServer, method: str, path: list[str], query: dict, body: bytes) -> Response:
    """The /_sim/ control API."""
    world, faults = server.world, server.faults
    data = _json(body)
    name = path[0] if path else ""

    def arg(key: str, default=None):
        if key in data:
            return data[key]
        values = query.get(key)
        return values[0] if values else default

    with world.lock:
        if name == "health":
            return Response(200, {"ok": True, "now": world.now().isoformat()})
        if name == "state" and method == "GET":
            platform, account_id = arg("platform"), arg("account")
            if platform not in PLATFORMS or not account_id:
                return Response(400, {"error": "platform and account are required"})
            acc = world.account(platform, account_id)
            items = [i.state() for i in acc.items]
            if arg("id"):
                items = [i for i in items if i["id"] == arg("id")]
            return Response(200, {"platform": platform, "account": account_id, "own_id": acc.own_id,
                                  "threadgates": acc.threadgates, "blocked": sorted(acc.blocks), "items": items})
        if name == "reset" and method == "POST":
            world.reset()
            faults.rates.clear()
            faults.queue.clear()
            faults.latency_ms = 0
            server.request_log.clear()
            server.oidc.reset()
            return Response(200, {"ok": True})
        if name == "faults":
            if method == "POST":
                if data.get("clear"):
                    faults.rates.clear()
                    faults.queue.clear()
                    faults.latency_ms = 0
                for kind, rate in (data.get("rates") or {}).items():
                    if kind not in FAULT_KINDS:
                        return Response(400, {"error": f"unknown fault {kind}"})
                    faults.rates[kind] = float(rate)
                if "latency_ms" in data:
                    faults.latency_ms = int(data["latency_ms"])
                if "timeout_s" in data:
                    faults.timeout_s = float(data["timeout_s"])
                for fault in data.get("next") or []:
                    if fault.get("fault") not in FAULT_KINDS:
                        return Response(400, {"error": f"unknown fault {fault.get('fault')}"})
                    faults.queue.append(dict(fault))
            return Response(200, faults.describe())
        if name == "oidc" and method in ("GET", "POST"):
            return oidc.control(server.oidc, method, data)
        if name == "items" and method == "POST":
            return _inject(world, data)
        if name == "edit" and method == "POST":
            platform, account_id, item_id = data.get("platform"), data.get("account"), data.get("id")
            if platform not in PLATFORMS or not account_id:
                return Response(400, {"error": "platform and account are required"})
            acc = world.account(platform, account_id)
            item = acc.by_id.get(item_id)
            if item is None:
                return Response(404, {"error": "no such item"})
            acc.edit(item, str(data.get("text", "")), world.now())
            return Response(200, item.state())
        if name == "expire-token" and method == "POST":
            expired = bool(data.get("expired", True))
            if data.get("token"):
                (world.expired_tokens.add if expired else world.expired_tokens.discard)(data["token"])
            if data.get("platform") and data.get("account"):
                key = (data["platform"], data["account"])
                (world.expired_accounts.add if expired else world.expired_accounts.discard)(key)
            return Response(200, {"tokens": len(world.expired_tokens), "accounts": len(world.expired_accounts)})
        if name == "advance" and method == "POST":
            world.advance(float(data.get("seconds", 60)))
            return Response(200, {"now": world.now().isoformat()})
        if name == "requests":
            if method == "DELETE":
                server.request_log.clear()
            return Response(200, {"requests": list(server.request_log)})
    return Response(404, {"error": "unknown control call"})


def _inject(world: World, data: dict) -> Response:
    platform, account_id = data.get("platform"), data.get("account")
    if platform not in PLATFORMS or not account_id:
        return Response(400, {"error": "platform and account are required"})
    kind = data.get("kind", "comment")
    if kind not in ("post", "comment", "reply", "visitor_post", "dm"):
        return Response(400, {"error": "unknown kind"})
    acc = world.account(platform, account_id)
    person = world.persons[int(data.get("author", 0)) % len(world.persons)]
    if data.get("author_name"):
        from .world import Person

        person = Person(10_000 + int(data.get("author", 0)), str(data["author_name"]), "inskickad")
    now = world.now()
    text = str(data.get("text", ""))
    if kind == "post":
        item = acc.add(kind="post", text=text, created=now)
    elif kind == "visitor_post":
        item = acc.add(kind="visitor_post", text=text, created=now, author=person)
    elif kind == "dm":
        item = acc.add(kind="dm", text=text, created=now, author=person)
    else:
        parent = acc.by_id.get(data.get("parent_id") or data.get("post_id") or "")
        if parent is None:
            posts = [p for p in acc.posts if p.kind == "post" and not p.deleted]
            parent = posts[-1] if posts else acc.add(kind="post", text="Välkommen till vår sida!", created=now)
        post = acc.by_id[parent.post_id]
        kind = "comment" if parent.kind in ("post", "visitor_post") else "reply"
        item = acc.add(kind=kind, text=text, created=now, author=person, parent=None if kind == "comment" else parent,
                       post=post, held=bool(data.get("held")))
    return Response(201, item.state())


class PlatformSimulator:
    """Start the simulator in a background thread (tests) or in the foreground (the command)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: int = 1, rate: float = 2.0,
                 backlog: int = 40, latency_ms: int = 0, fault_rates: dict | None = None, timeout_s: float = 5.0,
                 frozen: bool = False):
        self.world = World(seed=seed, rate=rate, backlog=backlog, frozen=frozen)
        self.faults = Faults(rates=dict(fault_rates or {}), latency_ms=latency_ms, timeout_s=timeout_s,
                             rng=random.Random(seed))  # noqa: S311
        self.httpd = SimulatorServer((host, port), self.world, self.faults)
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self.httpd.server_address[0]
        return f"http://{host}:{self.port}"

    def url(self, platform: str, site: str = "demo") -> str:
        """The base URL to configure for a platform (what default_base_url should produce)."""
        return {
            "facebook": f"{self.base_url}/facebook/v21.0",
            "instagram": f"{self.base_url}/instagram/v21.0",
            "youtube": f"{self.base_url}/youtube/v3",
            "wordpress": f"{self.base_url}/wordpress/{site}",
            "mastodon": f"{self.base_url}/mastodon/{site}",
            "bluesky": f"{self.base_url}/bluesky/xrpc",
            "linkedin": f"{self.base_url}/linkedin/rest",
            "oidc": f"{self.base_url}/oidc",  # the issuer (OIDC_ISSUER) of the simulated identity provider
        }[platform]

    def start(self) -> PlatformSimulator:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="platform-simulator", daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread:
            self.thread.join(timeout=5)
