"""The request and response the simulated platform handlers work with."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    platform: str
    site: str | None  # WordPress blog or Mastodon instance from the path
    path: list[str]  # the segments after the platform prefix (and site)
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    base: str  # scheme://host:port/<platform>[/<site>] as the client reached it

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> dict:
        if not self.body:
            return {}
        try:
            data = json.loads(self.body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def form(self) -> dict[str, str]:
        """Query parameters merged with a form-encoded or JSON body (Graph accepts all three)."""
        merged = {k: v[0] for k, v in self.query.items() if v}
        ctype = self.headers.get("content-type", "")
        if "json" in ctype:
            merged.update({k: v for k, v in self.json().items() if isinstance(v, str | int | float | bool)})
        elif self.body:
            merged.update({k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()})
        return merged

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        if auth.lower().startswith("basic "):
            return auth[6:].strip()
        return self.q("access_token") or self.form().get("access_token")


@dataclass
class Response:
    status: int = 200
    body: object = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")
