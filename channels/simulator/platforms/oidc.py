"""A minimal OpenID Connect provider standing in for the municipality's identity provider.

Served under ``/oidc/`` (the issuer is ``http://<host>:<port>/oidc``, or with a trailing slash when
``issuer_trailing_slash`` is set, as some real providers name themselves):

    /oidc/.well-known/openid-configuration   discovery document
    /oidc/authorize                          authorization endpoint (code flow, PKCE S256 required)
    /oidc/token                              token endpoint (client_secret_post or client_secret_basic)
    /oidc/userinfo                           userinfo endpoint (Bearer access token)
    /oidc/jwks                               the RSA public key that signs ID tokens (RS256)

The authorization endpoint never shows a page: it signs in the e-mail given as ``login_hint``, or
the configured test user, and redirects straight back with a code. It accepts ``prompt`` (``login``,
``consent``, ``select_account`` or ``none`` alone) and remembers the last one for tests; as there
are no sessions, a forced new login changes nothing here. Tests and the demo change the
user and a few misbehaviours through ``/_sim/oidc`` (see ``control``). The signing key is generated
when the simulator starts and survives ``/_sim/reset``; everything else is reset.

Not a real identity provider: there are no sessions, no consent and no refresh tokens, and any
redirect URI is accepted (it is bound to the code and must be repeated at the token endpoint).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..messages import Request, Response

CLIENT_ID = "ludvika-social"
CLIENT_SECRET = "sim-oidc-secret-0001"  # noqa: S105 (the simulator's only client, a secret nowhere else)
DEFAULT_EMAIL = "informator@ludvika.se"  # the demo's informatör (ludvika_social/demo_data.py)
CODE_LIFETIME_S = 60
TOKEN_LIFETIME_S = 300
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PROMPT_VALUES = frozenset({"none", "login", "consent", "select_account"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _int_b64url(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sign_jwt(claims: dict, key: rsa.RSAPrivateKey, kid: str) -> str:
    """A compact JWS with RS256 (RSASSA-PKCS1-v1_5 with SHA-256), as RFC 7515/7518 define it."""
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}".encode()
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{b64url(signature)}"


def _default_user(email: str = DEFAULT_EMAIL) -> dict:
    return {"email": email, "email_verified": True, "sub": None, "name": "", "personnummer": ""}


@dataclass
class Provider:
    """The provider's state. ``user`` is who /authorize signs in when no login_hint is given."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    lock: threading.RLock = field(default_factory=threading.RLock)
    user: dict = field(default_factory=_default_user)
    # Misbehaviours for tests: answer /authorize with an error, answer /token with an error, sign
    # with a key not in the JWKS, put another audience or nonce in the ID token.
    deny: str = ""
    token_error: str = ""
    wrong_key: bool = False
    audience: str = ""
    nonce: str = ""
    issuer_trailing_slash: bool = False
    discovery_down: bool = False  # answer the discovery document with 503
    discovery_requests: int = 0  # how often it was asked for, down or not
    last_prompt: str | None = None  # the prompt of the last authorization request (None: not sent)
    codes: dict[str, dict] = field(default_factory=dict)
    access_tokens: dict[str, dict] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # every token handed out, for log-leak checks

    def reset(self) -> None:
        with self.lock:
            self.user = _default_user()
            self.deny, self.token_error, self.wrong_key, self.audience, self.nonce = "", "", False, "", ""
            self.issuer_trailing_slash, self.last_prompt = False, None
            self.discovery_down, self.discovery_requests = False, 0
            self.codes.clear()
            self.access_tokens.clear()
            self.issued.clear()

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                          "n": _int_b64url(numbers.n), "e": _int_b64url(numbers.e)}]}

    def claims_for(self, email: str) -> dict:
        user = self.user if email.lower() == str(self.user.get("email", "")).lower() else _default_user(email)
        # A stable subject per e-mail unless the test set one (e.g. a personnummer, as some IdPs use).
        sub = user.get("sub") or "sim-" + hashlib.sha256(email.lower().encode()).hexdigest()[:20]
        claims = {"sub": str(sub), "email": email}
        if user.get("email_verified", True) is not None:
            claims["email_verified"] = user.get("email_verified", True)
        if user.get("name"):
            claims["name"] = user["name"]
        if user.get("personnummer"):
            claims["personnummer"] = user["personnummer"]
        return claims


def discovery(issuer: str) -> dict:
    base = issuer.rstrip("/")
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "email", "profile"],
        "claims_supported": ["sub", "email", "email_verified", "name"],
    }


def _oauth_error(status: int, error: str, description: str = "", headers: dict | None = None) -> Response:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return Response(status, body, {**NO_STORE, **(headers or {})})


def _redirect(redirect_uri: str, params: dict) -> Response:
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return Response(302, None, {"Location": f"{redirect_uri}{separator}{urlencode(params)}", **NO_STORE})


def authorize(provider: Provider, request: Request) -> Response:
    q = request.q
    redirect_uri = q("redirect_uri") or ""
    if q("client_id") != provider.client_id:
        # Never redirect for an unknown client: its redirect URI cannot be trusted (RFC 6749 §4.1.2.1).
        return _oauth_error(400, "invalid_client", "unknown client_id")
    if urlsplit(redirect_uri).scheme not in ("http", "https"):
        return _oauth_error(400, "invalid_request", "redirect_uri must be an absolute http(s) URL")
    state = q("state")
    back = {"state": state} if state else {}
    if q("response_type") != "code":
        return _redirect(redirect_uri, {"error": "unsupported_response_type", **back})
    if "openid" not in (q("scope") or "").split():
        return _redirect(redirect_uri, {"error": "invalid_scope", **back})
    challenge, method = q("code_challenge") or "", q("code_challenge_method") or ""
    if not challenge or method != "S256":
        return _redirect(redirect_uri, {"error": "invalid_request", "error_description": "PKCE S256 required", **back})
    prompt = q("prompt")
    provider.last_prompt = prompt
    if prompt is not None:
        # OpenID Connect Core §3.1.2.1: known values, space-separated; "none" only alone.
        values = prompt.split()
        if not values or not set(values) <= PROMPT_VALUES or ("none" in values and len(values) > 1):
            return _redirect(redirect_uri, {"error": "invalid_request", "error_description": "bad prompt", **back})
    if provider.deny:
        return _redirect(redirect_uri, {"error": provider.deny, **back})
    email = q("login_hint") or str(provider.user.get("email") or "")
    code = secrets.token_urlsafe(24)
    provider.codes[code] = {
        "client_id": provider.client_id, "redirect_uri": redirect_uri, "nonce": q("nonce"),
        "challenge": challenge, "claims": provider.claims_for(email), "expires": time.time() + CODE_LIFETIME_S,
    }
    return _redirect(redirect_uri, {"code": code, **back})


def _client_credentials(request: Request, form: dict) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except ValueError:
            return "", ""
        return user, password
    return form.get("client_id", ""), form.get("client_secret", "")


def token(provider: Provider, request: Request, issuer: str) -> Response:
    if request.method != "POST":
        return _oauth_error(405, "invalid_request", "POST only")
    form = request.form()
    client_id, client_secret = _client_credentials(request, form)
    if client_id != provider.client_id or not hmac.compare_digest(client_secret.encode(), provider.client_secret.encode()):
        return _oauth_error(401, "invalid_client", headers={"WWW-Authenticate": 'Basic realm="oidc"'})
    if form.get("grant_type") != "authorization_code":
        return _oauth_error(400, "unsupported_grant_type")
    if provider.token_error:
        return _oauth_error(400, provider.token_error, "the simulator was told to refuse")
    grant = provider.codes.pop(form.get("code", ""), None)  # single use, whatever happens next
    if grant is None or grant["expires"] < time.time() or grant["client_id"] != client_id:
        return _oauth_error(400, "invalid_grant", "unknown, used or expired code")
    if form.get("redirect_uri") != grant["redirect_uri"]:
        return _oauth_error(400, "invalid_grant", "redirect_uri differs from the authorization request")
    verifier = form.get("code_verifier", "")
    expected = b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
    if not verifier or not hmac.compare_digest(expected, grant["challenge"]):
        return _oauth_error(400, "invalid_grant", "PKCE verification failed")
    now = int(time.time())
    claims = grant["claims"]
    id_claims = {"iss": issuer, "aud": provider.audience or client_id, "iat": now, "exp": now + TOKEN_LIFETIME_S,
                 "auth_time": now, **claims}
    nonce = provider.nonce or grant["nonce"]
    if nonce:
        id_claims["nonce"] = nonce
    key = _new_key() if provider.wrong_key else provider.key
    id_token = sign_jwt(id_claims, key, provider.kid)
    access_token = secrets.token_urlsafe(32)
    provider.access_tokens[access_token] = {"claims": claims, "expires": now + TOKEN_LIFETIME_S}
    provider.issued.extend((access_token, id_token))
    return Response(200, {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S,
                          "id_token": id_token, "scope": "openid email"}, NO_STORE)


def userinfo(provider: Provider, request: Request) -> Response:
    auth = request.headers.get("authorization", "")
    grant = provider.access_tokens.get(auth[7:].strip()) if auth.lower().startswith("bearer ") else None
    if grant is None or grant["expires"] < time.time():
        return _oauth_error(401, "invalid_token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return Response(200, dict(grant["claims"]), NO_STORE)


def handle(provider: Provider, request: Request) -> Response:
    """Answer one request below /oidc/ (``request.path`` holds the segments after it)."""
    with provider.lock:
        issuer = request.base + ("/" if provider.issuer_trailing_slash else "")
        if request.path == [".well-known", "openid-configuration"]:
            provider.discovery_requests += 1
            if provider.discovery_down:
                return Response(503, {"error": "temporarily_unavailable"})
            return Response(200, discovery(issuer))
        if request.path == ["jwks"]:
            return Response(200, provider.jwks())
        if request.path == ["authorize"] and request.method == "GET":
            return authorize(provider, request)
        if request.path == ["token"]:
            return token(provider, request, issuer)
        if request.path == ["userinfo"] and request.method in ("GET", "POST"):
            return userinfo(provider, request)
    return Response(404, {"error": "not_found"})


USER_FIELDS = ("email", "email_verified", "sub", "name", "personnummer")


def control(provider: Provider, method: str, data: dict) -> Response:
    """``/_sim/oidc``: GET describes the provider; POST changes the test user and misbehaviours.

    POST fields (all optional): ``email``, ``email_verified`` (true, false, or null to leave the
    claim out), ``sub``, ``name``, ``personnummer`` for the user /authorize signs in; ``deny`` (an
    OAuth error code /authorize answers with, "" for none); ``token_error`` (the same for /token, any
    text); ``wrong_key`` (sign ID tokens with a key not in the JWKS); ``audience`` and ``nonce`` (put
    these in the ID token instead of the right ones); ``issuer_trailing_slash`` (name the issuer
    ``.../oidc/`` in discovery and ID tokens); ``discovery_down`` (answer discovery with 503). GET also
    tells the last authorization request's ``prompt`` and how often discovery was asked for.
    """
    with provider.lock:
        if method == "POST":
            if "email" in data and data["email"] != provider.user.get("email"):
                provider.user = _default_user(str(data["email"]))
            for name in USER_FIELDS:
                if name in data and name != "email":
                    provider.user[name] = data[name]
            for name in ("deny", "token_error"):
                if name in data:
                    setattr(provider, name, str(data[name] or ""))
            for name in ("wrong_key", "issuer_trailing_slash", "discovery_down"):
                if name in data:
                    setattr(provider, name, bool(data[name]))
            for name in ("audience", "nonce"):
                if name in data:
                    setattr(provider, name, str(data[name] or ""))
        return Response(200, {"client_id": provider.client_id, "kid": provider.kid,
                              "user": {k: v for k, v in provider.user.items() if k != "personnummer"},
                              "deny": provider.deny, "token_error": provider.token_error,
                              "wrong_key": provider.wrong_key, "audience": provider.audience,
                              "nonce": provider.nonce, "issuer_trailing_slash": provider.issuer_trailing_slash,
                              "discovery_down": provider.discovery_down,
                              "discovery_requests": provider.discovery_requests, "last_prompt": provider.last_prompt})
