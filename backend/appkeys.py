"""Typed keys (web.AppKey) for the application state that handlers share; see app.create_app."""
from __future__ import annotations

from aiohttp import web

from .services.ratelimit import FailureLimiter

# failed access codes (reporter API and page) and failed officer log-ins (API and page); kept in the database
REPORTER_LIMITER = web.AppKey("reporter_limiter", FailureLimiter)
LOGIN_LIMITER = web.AppKey("login_limiter", FailureLimiter)
