"""e-ID for the chat tests (tests/bot, tests/e2e): a REAL backend subprocess with e-ID configured against the
real OpenID provider (tests/oidc, see tests/backend/oidc_harness.py), and the log-in in the chat's window
played over HTTP: begin at /e-legitimation/logga-in?for=chat, log in at the provider, come back to the
callback and read the one-time ticket the result page hands to the widget (static/js/eid.js)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import aiohttp

from tests.backend.oidc_harness import (CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Provider, callback_path,
                                        log_in_at_provider)
from tests.conftest_servers import BackendServer


def oidc_env(provider: Provider) -> Dict[str, str]:
    """The settings that turn e-ID on (the backend's, and the action server's offer of the log-in)."""
    return {"KG_OIDC_ISSUER": provider.issuer, "KG_OIDC_CLIENT_ID": CLIENT_ID,
            "KG_OIDC_CLIENT_SECRET": CLIENT_SECRET, "KG_OIDC_TIMEOUT_S": "5"}


def eid_backend(workdir: Path, provider: Provider) -> BackendServer:
    """A started backend with e-ID. The provider only knows the harness's redirect URI (kg.test), so the
    backend uses it; the "browser" below takes the callback to the backend itself."""
    workdir.mkdir(parents=True, exist_ok=True)
    srv = BackendServer(workdir)
    srv.env.update({**oidc_env(provider), "KG_OIDC_REDIRECT_URL": REDIRECT_URI})
    srv.prepare()
    srv.start()
    return srv


async def chat_ticket(backend_url: str, account: str = "anna") -> str:
    """A real one-time ticket, as the chat's log-in window gets it."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(backend_url + "/e-legitimation/logga-in?for=chat", allow_redirects=False) as r:
            assert r.status == 303, await r.text()
            authorize = r.headers["Location"]
        back = await log_in_at_provider(authorize, account)
        async with browser.get(backend_url + callback_path(back), allow_redirects=False) as r:
            page = await r.text()
            assert r.status == 200, page
    return page.split('data-ticket="', 1)[1].split('"', 1)[0]
