"""The OpenID Connect relying party for e-ID (BankID, Freja eID+ through the region's identity provider).

The Swedish OIDC profile (https://www.oidc.se): the authorization code flow with PKCE (S256), `state` and
`nonce`, and the ID token validated against the issuer's JWKS — signature, `iss`, `aud`, `azp`, `exp`/`iat`/`nbf`
within a clock-skew leeway, `nonce`, `at_hash` — with authlib (claims) and joserfc (signatures). The identity
is read from `https://id.oidc.se/claim/personalIdentityNumber`, `given_name` and `family_name`; when the
provider puts them only in the userinfo response, that is fetched too (and its `sub` must match).

The `iss` parameter of the authorization response (RFC 9207) is checked when the provider sends it, so a
code from another provider (a mix-up) is refused before it is used. HTTP goes through aiohttp; the state
of a log-in waiting for its callback is in the database (services.identities), never in one process.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import aiohttp
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, InvalidKeyIdError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from .. import pnr
from ..settings import Settings

log = logging.getLogger(__name__)

CLAIM_PNR = "https://id.oidc.se/claim/personalIdentityNumber"
METADATA_TTL_S = 3600


class OidcError(Exception):
    """A log-in that could not be completed. `reason` picks the Swedish message (web.pages_eid); the
    technical detail goes to the log, never a token, a code or a personnummer."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# reasons
PROVIDER_DOWN = "provider_down"          # no answer, or an error, from the identity provider
WRONG_ISSUER = "wrong_issuer"            # metadata, authorization response or ID token from another issuer
WRONG_STATE = "wrong_state"              # unknown/expired state, or another browser's log-in
WRONG_NONCE = "wrong_nonce"              # the ID token was not made for this log-in
EXPIRED = "expired"                      # the ID token is too old (or from a clock too far off)
INVALID_TOKEN = "invalid_token"          # bad signature, wrong audience, missing claims, …
CANCELLED = "cancelled"                  # the person stopped at the identity provider
NO_PERSONNUMMER = "no_personnummer"      # the provider did not say who it is


@dataclass(frozen=True)
class Identity:
    personnummer: str        # 12 digits
    given_name: str
    family_name: str


@dataclass(frozen=True)
class AuthRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


class RelyingParty:
    """One per app. Caches the provider's metadata and JWKS for an hour (the JWKS is fetched again when a
    token names a key it does not know: key rotation)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    # --- HTTP --------------------------------------------------------------------------------------------

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.settings.oidc_timeout_s)

    async def _get_json(self, url: str, **kw: Any) -> dict[str, Any]:
        try:
            async with aiohttp.ClientSession(timeout=self._timeout()) as http:
                async with http.get(url, **kw) as resp:
                    if resp.status != 200:
                        raise OidcError(PROVIDER_DOWN, f"GET {url}: HTTP {resp.status}")
                    data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise OidcError(PROVIDER_DOWN, f"GET {url}: {type(exc).__name__}") from None
        if not isinstance(data, dict):
            raise OidcError(PROVIDER_DOWN, f"GET {url}: not a JSON object")
        return data

    async def metadata(self) -> dict[str, Any]:
        async with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_S:
                issuer = self.settings.oidc_issuer
                meta = await self._get_json(f"{issuer}/.well-known/openid-configuration")
                # OpenID Connect Discovery 1.0 §4.3: the issuer in the document is exactly the configured one
                if meta.get("issuer") != issuer:
                    raise OidcError(WRONG_ISSUER, "the discovery document names another issuer")
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(meta.get(key), str):
                        raise OidcError(PROVIDER_DOWN, f"discovery document without {key}")
                self._metadata, self._metadata_at, self._jwks = meta, time.monotonic(), None
            return self._metadata

    async def _key_set(self, force: bool = False) -> KeySet:
        if self._jwks is None or force:
            self._jwks = await self._get_json((await self.metadata())["jwks_uri"])
        try:
            return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise OidcError(PROVIDER_DOWN, f"unusable JWKS: {type(exc).__name__}") from None

    # --- the flow ------------------------------------------------------------------------------------------

    async def authorization_request(self) -> AuthRequest:
        meta = await self.metadata()
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        url = add_params_to_uri(meta["authorization_endpoint"], [
            ("response_type", "code"),
            ("client_id", self.settings.oidc_client_id),
            ("redirect_uri", self.settings.oidc_callback_url),
            ("scope", self.settings.oidc_scopes),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", create_s256_code_challenge(verifier)),
            ("code_challenge_method", "S256"),
            ("ui_locales", "sv"),
        ])
        return AuthRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)

    async def check_response_issuer(self, iss: str | None) -> None:
        """RFC 9207: a provider that sends `iss` in its authorization response must be ours."""
        meta = await self.metadata()
        if iss is None:
            if meta.get("authorization_response_iss_parameter_supported"):
                raise OidcError(WRONG_ISSUER, "the authorization response has no iss")
            return
        if iss != self.settings.oidc_issuer:
            raise OidcError(WRONG_ISSUER, "the authorization response comes from another issuer")

    async def finish(self, code: str, nonce: str, code_verifier: str) -> Identity:
        """Exchanges the code, validates the ID token, and returns who logged in."""
        meta = await self.metadata()
        token = await self._token(meta["token_endpoint"], code, code_verifier)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError(INVALID_TOKEN, "the token response has no id_token")
        claims = await self._validate_id_token(id_token, token.get("access_token"), nonce, meta)
        if CLAIM_PNR not in claims and meta.get("userinfo_endpoint") and token.get("access_token"):
            info = await self._get_json(meta["userinfo_endpoint"],
                                        headers={"Authorization": f"Bearer {token['access_token']}"})
            if info.get("sub") != claims.get("sub"):
                raise OidcError(INVALID_TOKEN, "userinfo is about another subject")
            claims = {**info, **claims}
        raw = claims.get(CLAIM_PNR)
        try:
            normalised = pnr.parse(str(raw)).normalised if raw else ""
        except ValueError:
            normalised = ""
        if not normalised:
            raise OidcError(NO_PERSONNUMMER, "no valid personalIdentityNumber")
        return Identity(personnummer=normalised, given_name=str(claims.get("given_name") or "")[:200],
                        family_name=str(claims.get("family_name") or "")[:200])

    async def _token(self, endpoint: str, code: str, verifier: str) -> dict[str, Any]:
        s = self.settings
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": s.oidc_callback_url,
                "code_verifier": verifier}
        try:
            async with aiohttp.ClientSession(timeout=self._timeout()) as http:
                async with http.post(endpoint, data=form,
                                     auth=aiohttp.BasicAuth(_form_encode(s.oidc_client_id),
                                                            _form_encode(s.oidc_client_secret))) as resp:
                    data = await resp.json(content_type=None)
                    status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise OidcError(PROVIDER_DOWN, f"token endpoint: {type(exc).__name__}") from None
        if status != 200 or not isinstance(data, dict):
            error = data.get("error") if isinstance(data, dict) else None
            if status == 400 and error == "invalid_grant":
                # the code was used, has expired, or was issued with another PKCE challenge
                raise OidcError(WRONG_STATE, "the token endpoint refused the code (invalid_grant)")
            raise OidcError(PROVIDER_DOWN, f"token endpoint: HTTP {status} {error or ''}".strip())
        return data

    async def _validate_id_token(self, id_token: str, access_token: str | None, nonce: str,
                                 meta: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        registry = JWSRegistry(algorithms=meta.get("id_token_signing_alg_values_supported") or ["RS256"])
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(), registry=registry)
            except InvalidKeyIdError:
                decoded = jwt.decode(id_token, await self._key_set(force=True), registry=registry)
        except OidcError:
            raise
        except (JoseError, ValueError) as exc:
            raise OidcError(INVALID_TOKEN, f"ID token signature: {type(exc).__name__}") from None
        params: dict[str, Any] = {"nonce": nonce, "client_id": s.oidc_client_id}
        if access_token:
            params["access_token"] = access_token
        options = {"iss": {"essential": True, "value": s.oidc_issuer},
                   "aud": {"essential": True, "value": s.oidc_client_id}}
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        try:
            claims.validate(leeway=s.oidc_leeway_s)
        except ExpiredTokenError:
            raise OidcError(EXPIRED, "the ID token has expired") from None
        except (InvalidClaimError, MissingClaimError) as exc:
            name = getattr(exc, "claim", "")
            if name == "iss":
                raise OidcError(WRONG_ISSUER, "the ID token comes from another issuer") from None
            if name == "nonce":
                raise OidcError(WRONG_NONCE, "the ID token's nonce is not this log-in's") from None
            if name in ("iat", "nbf"):
                raise OidcError(EXPIRED, f"the ID token's {name} is beyond the clock-skew leeway") from None
            raise OidcError(INVALID_TOKEN, f"ID token claim {name}") from None
        except JoseError as exc:
            raise OidcError(INVALID_TOKEN, f"ID token: {type(exc).__name__}") from None
        return dict(claims)


def _form_encode(value: str) -> str:
    """client_secret_basic: RFC 6749 §2.3.1 form-encodes the id and secret before Basic."""
    return quote_plus(value)
