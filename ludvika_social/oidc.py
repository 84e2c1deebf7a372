"""Single sign-on with the municipality's identity provider (OpenID Connect), built on mozilla-django-oidc.

Only used when OIDC_ENABLED (settings/base.py adds the backend, urls.py the two URLs). The flow is the
authorization code flow with PKCE (S256), state and nonce; the ID token must be signed RS256 with a key
from the provider's JWKS, name our client as audience and the configured issuer, exactly as configured.

What it may do is narrow on purpose: roles and departments live in our own accounts, so SSO only
proves who someone is. It logs in an existing, active account whose e-mail matches the provider's
claim (case-insensitively), only when the provider vouches for that address (``email_verified`` true,
or OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM) and it lies in OIDC_ALLOWED_EMAIL_DOMAINS. The first such
login binds the provider's subject (issuer, sub) to the account (registry.ExternalIdentity); from then
on the two must stay together, so an e-mail address that changes hands at the provider cannot take an
account over. It never creates an account or changes one. A refusal sends the person back to the
login page with a Swedish message and changes nothing. Logs name the account's id, never the
subject, tokens or other claims (some providers use the personnummer as subject).
"""

from __future__ import annotations

import logging
import threading
import time

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from registry.services import external_identity_check_and_bind

from .access import public
from .throttling import address_attempt_count, address_delay, client_address

logger = logging.getLogger(__name__)

NO_ACCOUNT, UNVERIFIED, DOMAIN, OTHER_IDENTITY, FAILED = (
    "no_account", "unverified", "domain", "other_identity", "failed")
REFUSAL_MESSAGES = {
    NO_ACCOUNT: _(
        "Inloggningen med kommunens konto gick inte igenom: det finns inget aktivt konto här med din "
        "e-postadress. Kontakta informatören om du behöver tillgång."
    ),
    UNVERIFIED: _(
        "Inloggningen med kommunens konto gick inte igenom: kommunens inloggningstjänst har inte bekräftat "
        "din e-postadress. Kontakta kommunens IT-support."
    ),
    DOMAIN: _(
        "Inloggningen med kommunens konto gick inte igenom: din e-postadress hör inte till kommunens "
        "domäner. Kontakta informatören om du behöver tillgång."
    ),
    OTHER_IDENTITY: _(
        "Inloggningen med kommunens konto gick inte igenom: kontot här är kopplat till en annan identitet "
        "hos kommunens inloggningstjänst. Kontakta informatören."
    ),
    FAILED: _(
        "Inloggningen med kommunens konto kunde inte slutföras. Försök igen, eller logga in med "
        "användarnamn och lösenord."
    ),
}
# Clock skew allowed on the ID token's exp/iat between the provider and us.
LEEWAY_SECONDS = 60
DISCOVERY_TTL_SECONDS = 60 * 60
# A provider that is down is asked again only after this: each try holds a thread up to OIDC_TIMEOUT.
DISCOVERY_FAILURE_TTL_SECONDS = 60
# OpenID Connect Core §5.7: a subject is at most 255 ASCII characters (and our column is as long).
SUBJECT_MAX_LENGTH = 255
# Error codes logged as they are; anything else is logged as "unrecognised", since a provider's
# free text may quote names, addresses or tokens. RFC 6749 §4.1.2.1 and OpenID Connect Core §3.1.2.6:
AUTHORIZATION_ERRORS = frozenset({
    "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type", "invalid_scope",
    "server_error", "temporarily_unavailable", "interaction_required", "login_required",
    "account_selection_required", "consent_required", "invalid_request_uri", "invalid_request_object",
    "request_not_supported", "request_uri_not_supported", "registration_not_supported",
})
# RFC 6749 §5.2: invalid_client (our id or secret) and invalid_grant (the code) need different fixes.
TOKEN_ERRORS = frozenset({
    "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
    "invalid_scope",
})


def _known(code, known: frozenset[str]) -> str:
    return code if isinstance(code, str) and code in known else "unrecognised"


class ProviderUnavailable(Exception):
    """The discovery document could not be fetched or does not describe the configured issuer."""


class TokenEndpointError(requests.HTTPError):
    """The token endpoint refused; the message holds its status and known error code only."""


# issuer -> (expires at, the document or None after a failure, why it failed). Per process.
_discovery: dict[str, tuple[float, dict | None, str]] = {}
_discovery_lock = threading.Lock()
# One discovery request at a time: threads that wait here find its result, so a provider that is down
# costs one request per minute, not one per visitor.
_fetch_lock = threading.Lock()


def discovery_cache_clear() -> None:
    with _discovery_lock:
        _discovery.clear()


def discovery_url(issuer: str) -> str:
    # The only place the trailing slash goes (OpenID Connect Discovery §4): the issuer itself is
    # compared exactly, with the document's and with every ID token's iss.
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


def _cached(issuer: str) -> tuple[float, dict | None, str] | None:
    with _discovery_lock:
        entry = _discovery.get(issuer)
    return entry if entry and entry[0] > time.monotonic() else None


def _fetch(issuer: str) -> tuple[float, dict | None, str]:
    document, failure = None, ""
    try:
        response = requests.get(discovery_url(issuer), timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        failure = f"discovery failed: {type(exc).__name__}"
    else:
        # OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            document, failure = None, "discovery document names another issuer"
    ttl = DISCOVERY_TTL_SECONDS if document is not None else DISCOVERY_FAILURE_TTL_SECONDS
    entry = (time.monotonic() + ttl, document, failure)
    with _discovery_lock:
        _discovery[issuer] = entry
    return entry


def _discover(issuer: str) -> dict:
    entry = _cached(issuer)
    if entry is None:
        if not _fetch_lock.acquire(timeout=settings.OIDC_TIMEOUT):
            raise ProviderUnavailable("discovery already in progress")
        try:
            entry = _cached(issuer) or _fetch(issuer)
        finally:
            _fetch_lock.release()
    _, document, failure = entry
    if document is None:
        raise ProviderUnavailable(failure)
    return document


def provider_endpoints() -> dict[str, str]:
    """The provider's endpoints: those set in the environment, the rest from its discovery document."""
    endpoints = {
        "authorization": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo": settings.OIDC_OP_USER_ENDPOINT,
        "jwks": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    if all(endpoints.values()):
        return endpoints
    document = _discover(settings.OIDC_ISSUER)
    keys = {"authorization": "authorization_endpoint", "token": "token_endpoint",
            "userinfo": "userinfo_endpoint", "jwks": "jwks_uri"}
    for name, key in keys.items():
        endpoints[name] = endpoints[name] or str(document.get(key) or "")
    if not all(endpoints.values()):
        raise ProviderUnavailable("discovery document lacks an endpoint")
    return endpoints


def login_start_delay(*, address: str) -> float:
    """Count one login start from the client address and say how long it waits: nothing for the first
    OIDC_START_LIMIT within the window, then a tenth of a second more per start, at most
    OIDC_START_DELAY_MAX_SECONDS. Never a refusal: behind a proxy many people share an address, and
    single sign-on must not close for all of them (ludvika_social/throttling.py)."""
    count = address_attempt_count(kind="oidc-start", address=address, window=settings.OIDC_START_WINDOW_SECONDS)
    return address_delay(count=count, free=settings.OIDC_START_LIMIT, max_seconds=settings.OIDC_START_DELAY_MAX_SECONDS)


def _refuse(request, reason: str, why: str) -> None:
    """Remember why for the callback view's message, and log it (``why`` never holds claim values)."""
    request.oidc_refusal = reason
    logger.warning("login with the municipality's account refused: %s", why)


def _describe(exc: Exception) -> str:
    """Our and the library's check failures say what failed and hold no claim values; anything else
    (HTTP errors quote the token endpoint's answer) is named by its class only."""
    if isinstance(exc, SuspiciousOperation | ProviderUnavailable | TokenEndpointError):
        return " ".join(str(exc).split())[:160]
    return type(exc).__name__


def _explicitly_false(value) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _domain(address: str) -> str:
    return address.strip().rsplit("@", 1)[-1].lower()


class MunicipalOIDCBackend(OIDCAuthenticationBackend):
    """Logs in an existing active account matched by the provider's verified e-mail and bound to
    the provider's subject; nothing else."""

    def authenticate(self, request, **kwargs):
        # Only the callback view passes nonce and code_verifier; a password login that merely has
        # ?code=&state= in its URL must not start a token exchange.
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs:
            return None
        if kwargs.get("username") is not None or kwargs.get("password") is not None:
            return None
        request.oidc_refusal = None
        try:
            endpoints = provider_endpoints()
            self.OIDC_OP_TOKEN_ENDPOINT = endpoints["token"]
            self.OIDC_OP_USER_ENDPOINT = endpoints["userinfo"]
            self.OIDC_OP_JWKS_ENDPOINT = endpoints["jwks"]
            user = super().authenticate(request, **kwargs)
        except (ProviderUnavailable, SuspiciousOperation, requests.RequestException, jwt.PyJWTError,
                ValueError, KeyError, TypeError) as exc:
            _refuse(request, FAILED, f"code exchange or token check failed: {_describe(exc)}")
            return None
        if user is None and not getattr(request, "oidc_refusal", None):
            _refuse(request, FAILED, "no user from the code exchange")
        return user

    def raise_token_response_error(self, response):
        """Name the token endpoint's error code (from a fixed list) instead of quoting its answer."""
        if response.status_code == 200:
            return
        try:
            body = response.json()
        except ValueError:
            body = None
        code = _known(body.get("error") if isinstance(body, dict) else None, TOKEN_ERRORS)
        raise TokenEndpointError(f"the token endpoint answered HTTP {response.status_code} {code}", response=response)

    def _verify_jws(self, payload, key):
        """Check the signature, issuer, audience and lifetime (the library skips the audience)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token signed with an unexpected algorithm")
        try:
            return jwt.decode(
                payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token rejected ({type(exc).__name__})") from exc

    def verify_claims(self, claims):
        value = claims.get(settings.OIDC_MATCH_CLAIM)
        if not isinstance(value, str) or "@" not in value:
            _refuse(self.request, FAILED, f"no usable {settings.OIDC_MATCH_CLAIM} claim")
            return False
        domain = _domain(value)
        allowed = settings.OIDC_ALLOWED_EMAIL_DOMAINS
        if allowed and domain not in allowed:
            _refuse(self.request, DOMAIN, f"the e-mail address is outside the allowed domains (domain {domain})")
            return False
        verified = claims.get("email_verified")
        if verified is not True:
            # Anything but a JSON true is no promise: absent (Entra ID never sends it), "true" as a
            # string, or false. Absent passes only when the provider's e-mail is declared authoritative.
            trusted = settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM and not _explicitly_false(verified)
            if not trusted:
                said = "says" if _explicitly_false(verified) else "does not say"
                _refuse(self.request, UNVERIFIED, f"the provider {said} the e-mail address is verified")
                return False
        return True

    def filter_users_by_claims(self, claims):
        value = claims.get(settings.OIDC_MATCH_CLAIM) or ""
        return get_user_model().objects.filter(email__iexact=value.strip())

    def get_or_create_user(self, access_token, id_token, payload):
        """Find the one active account for the claims, bound to this subject; never create one and
        never change it."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core §5.3.2: the userinfo must be about the subject of the ID token.
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            _refuse(self.request, FAILED, "userinfo subject differs from the ID token's")
            return None
        claims = {**payload, **userinfo}
        if not self.verify_claims(claims):
            return None
        subject = payload.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_MAX_LENGTH:
            _refuse(self.request, FAILED, "the subject is empty or too long")
            return None
        matches = list(self.filter_users_by_claims(claims))
        active = [user for user in matches if self.user_can_authenticate(user)]
        if len(active) != 1:
            why = ("several active accounts share the e-mail address" if active
                   else "the matching account is inactive" if matches else "no account has the e-mail address")
            domain = _domain(str(claims.get(settings.OIDC_MATCH_CLAIM)))
            _refuse(self.request, NO_ACCOUNT, f"{why} (domain {domain})")
            return None
        user = active[0]
        mismatch = external_identity_check_and_bind(user=user, issuer=settings.OIDC_ISSUER, subject=subject)
        if mismatch:
            _refuse(self.request, OTHER_IDENTITY, mismatch)
            return None
        return self.update_user(user, claims)

    def create_user(self, claims):
        raise SuspiciousOperation("accounts are never created from single sign-on")

    def update_user(self, user, claims):
        # Roles, department and names are ours; the provider's claims change nothing.
        return user

    def get_user(self, user_id):
        # Like ModelBackend: a deactivated account's open sessions end (the library does not check).
        return ModelBackend.get_user(self, user_id)


def _to_login(request, reason: str):
    messages.error(request, REFUSAL_MESSAGES.get(reason, REFUSAL_MESSAGES[FAILED]))
    return redirect(settings.LOGIN_URL)


class LoginStartView(OIDCAuthenticationRequestView):
    """Redirect to the provider with state, nonce and a PKCE challenge kept in the session."""

    def get(self, request):
        # Before anything else: each start writes a session and may make a request to the provider, so
        # many starts from one address are slowed down (never refused).
        delay = login_start_delay(address=client_address(request))
        if delay:
            logger.info("login with the municipality's account slowed down for an address (%.1f s)", delay)
            time.sleep(delay)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoints()["authorization"]
        except ProviderUnavailable as exc:
            logger.warning("login with the municipality's account unavailable: %s", exc)
            return _to_login(request, FAILED)
        return super().get(request)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if settings.OIDC_PROMPT_LOGIN:
            # The provider asks again even when its own session is alive: after a logout here on a
            # shared computer, the next person is not signed in as the previous one.
            params["prompt"] = "login"
        return params


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: exchange the code, check the tokens, log in or refuse."""

    def get(self, request):
        error = request.GET.get("error", "")
        if error:
            # Handled here, not by the library, which also logs out whoever is logged in: a link to
            # this URL would then be a logout by GET, and logout is POST only.
            states = request.session.get("oidc_states") or {}
            if states.pop(request.GET.get("state", ""), None) is not None:
                request.session["oidc_states"] = states  # a refused state cannot be replayed
            _refuse(request, FAILED, f"the identity provider answered {_known(error, AUTHORIZATION_ERRORS)}")
            return self.login_failure()
        try:
            return super().get(request)
        except SuspiciousOperation:
            # The state is not one this session started: forged, replayed, or from another browser.
            _refuse(request, FAILED, "unknown state")
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        # The id only: usernames are often names, and logs travel further than the database.
        logger.info("logged in with the municipality's account: user id %s", self.user.pk)
        return response

    def login_failure(self):
        return _to_login(self.request, getattr(self.request, "oidc_refusal", None) or FAILED)


login_start_view = public(LoginStartView.as_view())
callback_view = public(CallbackView.as_view())
