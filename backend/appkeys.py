"""Typed keys (web.AppKey) for the application state that handlers share; see app.create_app."""
from __future__ import annotations

from aiohttp import web

from .services.oidc import RelyingParty
from .services.ratelimit import FailureLimiter

# failed access codes (reporter API and page) and failed officer log-ins (API and page); kept in the database
REPORTER_LIMITER = web.AppKey("reporter_limiter", FailureLimiter)
LOGIN_LIMITER = web.AppKey("login_limiter", FailureLimiter)
# e-ID: the OpenID Connect relying party (only when KG_OIDC_* are set; see settings.oidc_enabled)
OIDC_RP = web.AppKey("oidc_rp", RelyingParty)
