"""Single sign-on with the municipality's identity provider, walked against the simulator's real
OpenID Connect provider over HTTP: start -> provider -> callback -> logged in, or refused with a
Swedish message and nothing changed. Off by default: then there are no routes, no backend, no button."""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, get_resolver, reverse

from channels.simulator.platforms import oidc as simulated_idp
from channels.tests.conftest import platform_simulator, sim  # noqa: F401 (pytest fixtures)
from ludvika_social import oidc
from ludvika_social.tests.access_table import OIDC_ACCESS
from registry.models import ChangeRecord, ExternalIdentity, Role
from tests.factories import UserFactory
from tests.test_url_access import _walk

pytestmark = pytest.mark.django_db

BACKEND = "ludvika_social.oidc.MunicipalOIDCBackend"
SSO_BUTTON = "Logga in med kommunens konto"
PASSWORD = "korrekt-hast-batteri"  # tests/factories.py


def _reload_urls() -> None:
    importlib.reload(importlib.import_module("ludvika_social.urls"))
    clear_url_caches()


@pytest.fixture
def idp(settings, sim):  # noqa: F811 (the simulator fixture imported above)
    """SSO switched on against the simulator's identity provider (discovery from the issuer)."""
    was_enabled = settings.OIDC_ENABLED
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = sim.url("oidc")
    settings.OIDC_RP_CLIENT_ID = simulated_idp.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = simulated_idp.CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", BACKEND]
    oidc.discovery_cache_clear()
    _reload_urls()
    yield sim
    settings.OIDC_ENABLED = was_enabled
    _reload_urls()
    oidc.discovery_cache_clear()


@pytest.fixture
def explicit_endpoints(idp, settings):
    """All four endpoints configured, so no discovery request is made."""
    issuer = idp.url("oidc")
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    return issuer


def idp_set(sim, **data) -> dict:  # noqa: F811
    response = requests.post(f"{sim.base_url}/_sim/oidc", json=data, timeout=5)
    response.raise_for_status()
    return response.json()


def idp_state(sim) -> dict:  # noqa: F811
    return requests.get(f"{sim.base_url}/_sim/oidc", timeout=5).json()


def start(client, **params):
    """Our start view's redirect to the provider, and the provider's redirect back (not yet followed)."""
    begin = client.get(reverse("oidc-login"), params)
    assert begin.status_code == 302
    at_idp = requests.get(begin["Location"], allow_redirects=False, timeout=5)
    assert at_idp.status_code == 302
    back = urlsplit(at_idp.headers["Location"])
    assert back.path == reverse("oidc-callback")
    return begin, back


def sign_in(client, **params):
    _, back = start(client, **params)
    return client.get(f"{back.path}?{back.query}")


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def refused_with(client, response, reason: str) -> None:
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert logged_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert str(oidc.REFUSAL_MESSAGES[reason]) in page


def our_log(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("ludvika_social"))


# --- switched on -----------------------------------------------------------------------------------


def test_an_active_account_with_the_providers_email_is_logged_in(client, idp, informator, settings):
    idp_set(idp, email="Informator@Ludvika.SE")  # matched case-insensitively with informator@ludvika.se
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("staff-home")
    assert logged_in_user_id(client) == str(informator.pk)
    assert client.get(reverse("staff-home")).status_code == 200
    # The same session expiry as a password login.
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(client, idp, informator):
    begin, back = start(client)
    sent = parse_qs(urlsplit(begin["Location"]).query)
    assert begin["Location"].startswith(f"{idp.url('oidc')}/authorize?")
    assert sent["response_type"] == ["code"] and "openid" in sent["scope"][0].split()
    assert sent["code_challenge_method"] == ["S256"] and len(sent["code_challenge"][0]) >= 43
    assert sent["state"][0] and sent["nonce"][0]
    assert parse_qs(back.query)["state"] == sent["state"]


def test_the_authorization_request_asks_the_provider_for_a_new_login(client, idp, informator):
    begin, _ = start(client)
    assert parse_qs(urlsplit(begin["Location"]).query)["prompt"] == ["login"]
    assert idp_state(idp)["last_prompt"] == "login"


def test_without_prompt_login_the_providers_own_session_may_be_reused(client, idp, informator, settings):
    settings.OIDC_PROMPT_LOGIN = False
    begin, _ = start(client)
    assert "prompt" not in parse_qs(urlsplit(begin["Location"]).query)
    assert idp_state(idp)["last_prompt"] is None


def test_sso_keeps_a_safe_next_address(client, idp, informator):
    response = sign_in(client, next=reverse("password_change"))
    assert response["Location"] == reverse("password_change")


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "/\\evil.example"],
                         ids=["absolute", "scheme-relative", "backslash"])
def test_an_unsafe_next_address_ends_at_staff_home(client, idp, informator, unsafe):
    response = sign_in(client, next=unsafe)
    assert response.status_code == 302 and response["Location"] == reverse("staff-home")
    assert logged_in_user_id(client) == str(informator.pk)


def test_the_session_key_changes_at_sso_login(client, idp, informator):
    _, back = start(client)
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.get(f"{back.path}?{back.query}")
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert logged_in_user_id(client) == str(informator.pk)
    assert after != before and not SessionStore().exists(before)


def test_signing_in_changes_neither_roles_nor_the_account(client, idp, informator):
    before = get_user_model().objects.get(pk=informator.pk)
    idp_set(idp, name="Någon Annan", sub="annan-identitet")
    sign_in(client)
    after = get_user_model().objects.get(pk=informator.pk)
    assert logged_in_user_id(client) == str(informator.pk)
    assert set(after.groups.values_list("name", flat=True)) == {Role.INFORMATOR}
    assert (after.first_name, after.last_name, after.email, after.username, after.password) == (
        before.first_name, before.last_name, before.email, before.username, before.password)


def test_an_unknown_email_is_refused_and_no_account_is_created(client, idp, informator):
    idp_set(idp, email="okand.person@ludvika.se")
    users, groups = get_user_model().objects.count(), Group.objects.count()
    refused_with(client, sign_in(client), oidc.NO_ACCOUNT)
    assert get_user_model().objects.count() == users and Group.objects.count() == groups


def test_an_inactive_account_is_refused_and_left_as_it_was(client, idp, informator):
    get_user_model().objects.filter(pk=informator.pk).update(is_active=False)
    refused_with(client, sign_in(client), oidc.NO_ACCOUNT)
    informator.refresh_from_db()
    assert informator.is_active is False and informator.last_login is None


def test_two_active_accounts_sharing_the_email_are_refused(client, idp, informator):
    UserFactory(username="informator2", email="INFORMATOR@ludvika.se", roles=[Role.RECORDS_OFFICER])
    refused_with(client, sign_in(client), oidc.NO_ACCOUNT)


def test_an_email_the_provider_says_is_unverified_is_refused(client, idp, informator):
    idp_set(idp, email_verified=False)
    refused_with(client, sign_in(client), oidc.UNVERIFIED)


@pytest.mark.parametrize("claim", [None, "true"], ids=["left-out", "a-string"])
def test_an_email_not_verified_by_a_json_true_is_refused(client, idp, informator, claim):
    idp_set(idp, email_verified=claim)  # None: the claim left out, as Entra ID does
    refused_with(client, sign_in(client), oidc.UNVERIFIED)
    assert not ExternalIdentity.objects.exists()


def test_an_authoritative_provider_may_leave_out_the_verified_claim(client, idp, informator, settings):
    settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = True
    idp_set(idp, email_verified=None)
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)


def test_an_authoritative_provider_saying_unverified_is_still_refused(client, idp, informator, settings):
    settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = True
    idp_set(idp, email_verified=False)
    refused_with(client, sign_in(client), oidc.UNVERIFIED)


def test_an_address_outside_the_allowed_domains_is_refused(client, idp, settings, caplog):
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["ludvika.se"]
    UserFactory(username="konsult", email="konsult@ludvika.se.example.com", roles=[Role.INFORMATOR])
    idp_set(idp, email="konsult@ludvika.se.example.com")
    refused_with(client, sign_in(client), oidc.DOMAIN)
    assert "outside the allowed domains (domain ludvika.se.example.com)" in our_log(caplog)
    assert not ExternalIdentity.objects.exists()


def test_an_address_in_an_allowed_domain_is_logged_in(client, idp, informator, settings):
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["example.org", "ludvika.se"]
    idp_set(idp, email="Informator@LUDVIKA.se")
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)


def test_the_first_login_binds_the_providers_subject_to_the_account(client, idp, informator):
    idp_set(idp, sub="abc-123")
    sign_in(client)
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (informator, idp.url("oidc"), "abc-123")
    first_login = identity.last_login_at
    client.post(reverse("logout"))
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)
    identity.refresh_from_db()
    assert ExternalIdentity.objects.count() == 1 and identity.last_login_at > first_login


def test_a_subject_bound_to_another_account_is_refused(client, idp, informator, records_officer, caplog):
    idp_set(idp, sub="ägare-1")
    sign_in(client)
    client.post(reverse("logout"))
    # The provider now gives the same person another account's address.
    idp_set(idp, email=records_officer.email, sub="ägare-1")
    refused_with(client, sign_in(client), oidc.OTHER_IDENTITY)
    assert list(ExternalIdentity.objects.values_list("user", flat=True)) == [informator.pk]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "the subject is bound to another account" in logged and "ägare-1" not in logged


def test_an_account_bound_to_another_subject_is_refused(client, idp, informator, caplog):
    idp_set(idp, sub="den-riktiga")
    sign_in(client)
    client.post(reverse("logout"))
    # Someone else at the provider got (or claimed) the address: nOAuth.
    idp_set(idp, sub="en-annan")
    refused_with(client, sign_in(client), oidc.OTHER_IDENTITY)
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["den-riktiga"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "the account is bound to another subject" in logged
    assert "den-riktiga" not in logged and "en-annan" not in logged


def test_after_the_provider_recreated_a_person_the_informator_unbinds_and_the_next_login_binds_anew(
        client, idp, representative, informator):
    # Issue 17 item 9: a staff page instead of a shell snippet.
    idp_set(idp, email=representative.email, sub="197001011234")
    sign_in(client)
    client.post(reverse("logout"))
    idp_set(idp, email=representative.email, sub="ny-identitet")
    refused_with(client, sign_in(client), oidc.OTHER_IDENTITY)

    admin = Client()
    admin.force_login(informator)
    page = admin.get(reverse("sso-bindings")).content.decode()
    assert representative.username in page and idp.url("oidc") in page and "197001011234" not in page
    binding = ExternalIdentity.objects.get(user=representative)
    response = admin.post(reverse("sso-binding-unbind", kwargs={"pk": binding.pk}), follow=True)
    assert "Kopplingen för Rut Representant är borttagen" in response.content.decode()
    assert not ExternalIdentity.objects.filter(user=representative).exists()

    sign_in(client)
    assert logged_in_user_id(client) == str(representative.pk)
    assert ExternalIdentity.objects.get(user=representative).subject == "ny-identitet"


def test_unbinding_is_in_the_accounts_history_without_the_subject(client, informator, representative):
    binding = ExternalIdentity.objects.create(user=representative, issuer="https://idp.ludvika.se",
                                              subject="197001011234")
    client.force_login(informator)
    client.post(reverse("sso-binding-unbind", kwargs={"pk": binding.pk}))
    record = ChangeRecord.objects.get(object_type=ChangeRecord.ObjectType.USER, object_id=representative.pk,
                                      action="sso_unbind")
    assert record.actor == informator
    assert "https://idp.ludvika.se" in record.before["single_sign_on"] and record.after["single_sign_on"] is None
    assert "197001011234" not in str(record.before) + str(record.after)
    history = client.get(reverse("registry-user-detail", kwargs={"pk": representative.pk})).content.decode()
    assert "koppling till kommunens inloggning borttagen" in history and "197001011234" not in history
    again = client.post(reverse("sso-binding-unbind", kwargs={"pk": binding.pk}))
    assert again.status_code == 404, "a binding already removed is not found, and nothing more is recorded"
    assert ChangeRecord.objects.filter(action="sso_unbind").count() == 1


def test_only_the_informator_manages_bindings(client, representative, dept_admin):
    binding = ExternalIdentity.objects.create(user=representative, issuer="https://idp.ludvika.se", subject="x")
    client.force_login(dept_admin)
    assert client.get(reverse("sso-bindings")).status_code == 403
    assert client.post(reverse("sso-binding-unbind", kwargs={"pk": binding.pk})).status_code == 403
    assert ExternalIdentity.objects.filter(pk=binding.pk).exists()


def test_a_binding_with_another_issuer_does_not_count(client, idp, informator):
    ExternalIdentity.objects.create(user=informator, issuer="https://gammal.example/", subject="gammal")
    idp_set(idp, sub="ny")
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)
    assert ExternalIdentity.objects.filter(user=informator).count() == 2


def test_a_tampered_state_is_refused(client, idp, informator):
    _, back = start(client)
    query = parse_qs(back.query)
    response = client.get(back.path, {"code": query["code"][0], "state": query["state"][0] + "x"})
    refused_with(client, response, oidc.FAILED)


def test_a_replayed_callback_is_refused(client, idp, informator):
    _, back = start(client)
    client.get(f"{back.path}?{back.query}")
    assert logged_in_user_id(client) == str(informator.pk)
    client.post(reverse("logout"))
    refused_with(client, client.get(f"{back.path}?{back.query}"), oidc.FAILED)


@pytest.mark.parametrize(
    ("misbehaviour", "logged_reason"),
    [({"wrong_key": True}, "InvalidSignatureError"), ({"audience": "en-annan-tjanst"}, "InvalidAudienceError"),
     ({"nonce": "fel-nonce"}, "Nonce verification failed")],
    ids=["signed-with-a-key-not-in-the-jwks", "another-audience", "another-nonce"],
)
def test_an_id_token_that_fails_its_checks_is_refused(client, idp, informator, misbehaviour, logged_reason, caplog):
    idp_set(idp, **misbehaviour)
    refused_with(client, sign_in(client), oidc.FAILED)
    assert logged_reason in caplog.text


def test_an_id_token_from_another_issuer_is_refused(client, explicit_endpoints, informator, settings, caplog):
    # Explicit endpoints at 127.0.0.1, but the configured issuer is named differently.
    settings.OIDC_ISSUER = explicit_endpoints.replace("127.0.0.1", "localhost")
    refused_with(client, sign_in(client), oidc.FAILED)
    assert "InvalidIssuerError" in caplog.text


def test_explicit_endpoints_need_no_discovery(client, idp, explicit_endpoints, informator):
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)
    assert oidc._discovery == {} and idp_state(idp)["discovery_requests"] == 0


def test_an_issuer_with_a_trailing_slash_logs_in(client, idp, informator, settings):
    idp_set(idp, issuer_trailing_slash=True)
    settings.OIDC_ISSUER = idp.url("oidc") + "/"  # kept exactly: the ID token's iss has the slash too
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)
    assert ExternalIdentity.objects.get().issuer == idp.url("oidc") + "/"


def test_an_issuer_differing_only_by_a_trailing_slash_is_another_issuer(client, idp, informator, caplog):
    idp_set(idp, issuer_trailing_slash=True)  # configured without the slash (the idp fixture)
    refused_with(client, client.get(reverse("oidc-login")), oidc.FAILED)
    assert "discovery document names another issuer" in caplog.text


def test_an_id_token_naming_the_issuer_without_its_slash_is_refused(
        client, explicit_endpoints, informator, settings, caplog):
    settings.OIDC_ISSUER = explicit_endpoints + "/"  # the provider's tokens say .../oidc
    refused_with(client, sign_in(client), oidc.FAILED)
    assert "InvalidIssuerError" in caplog.text


@pytest.mark.parametrize(("deny", "logged"), [("access_denied", "answered access_denied"),
                                              ("kalle_anka_19700101", "answered unrecognised")])
def test_the_provider_refusing_sends_the_person_back_to_login(client, idp, informator, deny, logged, caplog):
    idp_set(idp, deny=deny)
    refused_with(client, sign_in(client), oidc.FAILED)
    assert logged in our_log(caplog) and "kalle" not in caplog.text


def test_a_wrong_client_secret_is_logged_as_invalid_client(client, idp, informator, settings, caplog):
    settings.OIDC_RP_CLIENT_SECRET = "fel-hemlighet"
    refused_with(client, sign_in(client), oidc.FAILED)
    assert "the token endpoint answered HTTP 401 invalid_client" in our_log(caplog)


def test_a_token_endpoint_error_outside_the_known_codes_is_not_logged(client, idp, informator, caplog):
    idp_set(idp, token_error="fel för 19700101-1234")
    refused_with(client, sign_in(client), oidc.FAILED)
    assert "the token endpoint answered HTTP 400 unrecognised" in our_log(caplog)
    assert "19700101-1234" not in caplog.text and "told to refuse" not in caplog.text


def test_an_error_answer_at_the_callback_does_not_log_anyone_out(client, idp, informator):
    client.force_login(informator)
    response = client.get(reverse("oidc-callback"), {"error": "access_denied", "state": "x"})
    assert response["Location"] == reverse("login")
    assert logged_in_user_id(client) == str(informator.pk)


def test_an_unreachable_provider_sends_the_person_back_to_login(client, idp, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/oidc"  # the discard port: nothing listens
    response = client.get(reverse("oidc-login"))
    refused_with(client, response, oidc.FAILED)


def test_a_failed_discovery_is_not_retried_for_a_minute(client, idp, informator):
    idp_set(idp, discovery_down=True)
    for _ in range(3):
        refused_with(client, client.get(reverse("oidc-login")), oidc.FAILED)
    assert idp_state(idp)["discovery_requests"] == 1
    idp_set(idp, discovery_down=False)
    refused_with(client, client.get(reverse("oidc-login")), oidc.FAILED)  # still the cached failure
    expires, _, _ = oidc._discovery[idp.url("oidc")]
    assert 55 < expires - time.monotonic() <= oidc.DISCOVERY_FAILURE_TTL_SECONDS
    oidc.discovery_cache_clear()  # as when the minute has passed
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)
    assert idp_state(idp)["discovery_requests"] == 2


def test_many_login_starts_from_one_address_are_slowed_but_never_refused(client, idp, settings):
    # Issue 17: 31 starts used to close single sign-on for everyone behind the same proxy.
    settings.OIDC_START_LIMIT = 2
    settings.OIDC_START_DELAY_MAX_SECONDS = 0.01
    for _ in range(35):
        assert client.get(reverse("oidc-login"))["Location"].startswith(idp.url("oidc"))
    assert oidc.login_start_delay(address="127.0.0.1") == 0.01, "past the limit, each start waits"
    assert oidc.login_start_delay(address="10.1.2.3") == 0.0, "another address is counted on its own"


def test_login_starts_are_counted_per_client_behind_a_trusted_proxy(client, idp, settings):
    settings.OIDC_START_LIMIT = 1
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    for n in range(3):
        response = client.get(reverse("oidc-login"), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert response["Location"].startswith(idp.url("oidc"))
    assert oidc.login_start_delay(address="10.0.0.0") == 0.1
    assert oidc.login_start_delay(address="10.0.0.9") == 0.0


def test_a_deactivated_accounts_sso_session_ends(client, idp, informator):
    sign_in(client)
    get_user_model().objects.filter(pk=informator.pk).update(is_active=False)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_login_still_works_with_sso_on(client, idp, informator):
    response = client.post(reverse("login"), {"username": "informator", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("staff-home")
    assert logged_in_user_id(client) == str(informator.pk)


def test_a_password_login_with_code_and_state_in_its_address_is_not_an_sso_login(client, idp, informator):
    _, back = start(client)
    response = client.post(f"{reverse('login')}?{back.query}", {"username": "informator", "password": "fel"})
    assert response.status_code == 200 and logged_in_user_id(client) is None


def test_the_login_page_offers_the_municipal_account(client, idp):
    page = client.get(reverse("login"), {"next": "/personal/"}).content.decode()
    assert SSO_BUTTON in page
    assert f'href="{reverse("oidc-login")}?next=/personal/"' in page
    assert 'name="password"' in page


def test_the_subject_personnummer_and_tokens_never_reach_the_logs(client, idp, informator, caplog):
    caplog.set_level(logging.DEBUG)
    idp_set(idp, sub="197001011234", personnummer="19700101-1234")
    sign_in(client)
    assert logged_in_user_id(client) == str(informator.pk)
    client.post(reverse("logout"))
    idp_set(idp, email="okand@ludvika.se", sub="197001011234", personnummer="19700101-1234")
    sign_in(client)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"logged in with the municipality's account: user id {informator.pk}" in logged
    assert "refused: no account has the e-mail address" in logged
    assert informator.username not in our_log(caplog)  # the id, not the (often personal) username
    # The subject is kept in one place only: the binding.
    assert ExternalIdentity.objects.get().subject == "197001011234"
    issued = idp.httpd.oidc.issued
    assert len(issued) == 4
    for secret in ("197001011234", "19700101-1234", *issued):
        assert secret not in logged


def test_sso_urls_are_public_and_listed_in_the_access_table(client, idp, informator):
    names = {name: callback for name, callback in _walk(get_resolver().url_patterns) if name}
    assert {name for name in names if name.startswith("oidc")} == set(OIDC_ACCESS)
    assert all(names[name].access_rule == "public" for name in OIDC_ACCESS)
    # Anyone may start (it goes to the provider); a bare callback goes back to the login page.
    client.force_login(informator)
    assert client.get(reverse("oidc-login"))["Location"].startswith(idp.url("oidc"))
    assert client.get(reverse("oidc-callback"))["Location"] == reverse("login")


# --- the simulated provider ------------------------------------------------------------------------


def test_the_simulated_provider_checks_the_pkce_verifier_the_secret_and_single_use(client, idp, informator, caplog):
    _, back = start(client)
    code = parse_qs(back.query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": f"http://testserver{back.path}",
            "client_id": simulated_idp.CLIENT_ID, "client_secret": "fel", "code_verifier": "x" * 64}
    token_url = f"{idp.url('oidc')}/token"
    assert requests.post(token_url, data=form, timeout=5).status_code == 401
    form["client_secret"] = simulated_idp.CLIENT_SECRET
    wrong_verifier = requests.post(token_url, data=form, timeout=5)
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    # The code was spent on the failed attempt: the real callback cannot use it either.
    refused_with(client, client.get(f"{back.path}?{back.query}"), oidc.FAILED)
    assert "the token endpoint answered HTTP 400 invalid_grant" in our_log(caplog)


def test_the_simulated_provider_publishes_discovery_and_an_rsa_jwks(idp):
    issuer = idp.url("oidc")
    document = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    assert document["issuer"] == issuer and document["code_challenge_methods_supported"] == ["S256"]
    keys = requests.get(document["jwks_uri"], timeout=5).json()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")]


# --- switched off (the default) --------------------------------------------------------------------


def test_the_simulated_provider_accepts_prompt_values_and_refuses_unknown_ones(idp):
    params = {"client_id": simulated_idp.CLIENT_ID, "redirect_uri": "http://testserver/retur/", "state": "s",
              "response_type": "code", "scope": "openid", "code_challenge": "x" * 43, "code_challenge_method": "S256"}
    authorize = f"{idp.url('oidc')}/authorize"
    for prompt, error in [("login", None), ("consent select_account", None), ("none login", "invalid_request"),
                          ("fel", "invalid_request")]:
        answer = requests.get(authorize, {**params, "prompt": prompt}, allow_redirects=False, timeout=5)
        back = parse_qs(urlsplit(answer.headers["Location"]).query)
        assert back.get("error") == ([error] if error else None) and ("code" in back) == (error is None)


def test_a_developer_environment_cannot_switch_sso_on_in_the_tests():
    # As a .env would set them (base.py reads .env into the environment without overwriting it).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ludvika_social.settings.test", "OIDC_ENABLED": "true",
           "OIDC_ISSUER": "https://idp.example", "OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "hemlig",
           "OIDC_TOKEN_ENDPOINT": "https://idp.example/token", "OIDC_ALLOWED_EMAIL_DOMAINS": "example.org"}
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.OIDC_ENABLED, s.OIDC_OP_TOKEN_ENDPOINT or '-', s.OIDC_ALLOWED_EMAIL_DOMAINS, "
            "[b for b in s.AUTHENTICATION_BACKENDS if 'oidc' in b])")
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR,
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["False", "-", "[]", "[]"]


def test_switched_off_there_are_no_routes_no_backend_and_no_button(client, settings):
    assert settings.OIDC_ENABLED is False
    with pytest.raises(NoReverseMatch):
        reverse("oidc-login")
    assert client.get("/logga-in/kommunkonto/").status_code == 404
    assert client.get("/logga-in/kommunkonto/retur/?code=x&state=y").status_code == 404
    assert not [b for b in settings.AUTHENTICATION_BACKENDS if "oidc" in b.lower()]
    page = client.get(reverse("login")).content.decode()
    assert SSO_BUTTON not in page and 'name="password"' in page
