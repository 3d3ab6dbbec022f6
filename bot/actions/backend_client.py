"""The one small HTTP client the action server uses to talk to the case backend.

Base URL from ``KG_BACKEND_URL`` (default http://127.0.0.1:8080), service token from
``KG_SERVICE_TOKEN`` (default ``dev-service-token``, allowed only with ``KG_ENV=dev``). Every call has a timeout; calls that
are safe to repeat are retried on connection errors, timeouts and 502/503/504. Case intake
is retried with the *same* ``Idempotency-Key`` so a retry can never create a second case.

Nothing personal is ever logged here: only method, path template, status and timing.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TOKEN = "dev-service-token"
RETRY_STATUSES = {502, 503, 504}


class InsecureServiceToken(RuntimeError):
    """The action server was started outside development without a real service token."""


def require_service_token(environ: Optional[Dict[str, str]] = None) -> None:
    """Refuse an empty or development ``KG_SERVICE_TOKEN`` unless ``KG_ENV=dev`` (``make run`` sets it)."""
    env = os.environ if environ is None else environ
    if (env.get("KG_ENV") or "").strip().lower() == "dev":
        return
    token = (env.get("KG_SERVICE_TOKEN") or "").strip()
    if not token or token == DEFAULT_TOKEN:
        problem = "is not set" if not token else f"is the development value '{DEFAULT_TOKEN}'"
        raise InsecureServiceToken(
            f"action server: refusing to start: KG_SERVICE_TOKEN {problem}. Set it to the backend's service "
            "token, or set KG_ENV=dev for local development (make run does).")


class BackendError(Exception):
    """The backend answered with an error (4xx) or could not be reached (``status`` 0)."""

    def __init__(self, status: int, code: str = "", message: str = "",
                 fields: Optional[Dict[str, str]] = None) -> None:
        super().__init__(f"backend error {status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}

    @property
    def unavailable(self) -> bool:
        return self.status == 0 or self.status >= 500


class BackendUnavailable(BackendError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(0, "unavailable", detail)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


# One aiohttp session per event loop (the action server has one loop; tests may have many).
_sessions: Dict[int, aiohttp.ClientSession] = {}
# Small TTL cache for public, rarely changing resources (taxonomy, regions).
_cache: Dict[str, Any] = {}
CACHE_TTL = 300.0


def clear_cache() -> None:
    _cache.clear()


async def close_sessions() -> None:
    """Close the session of the running loop (tests end a loop per test)."""
    session = _sessions.pop(id(asyncio.get_running_loop()), None)
    if session is not None and not session.closed:
        await session.close()


class BackendClient:
    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None,
                 timeout: float = 8.0, retries: int = 2, backoff: float = 0.4) -> None:
        self.base_url = (base_url or os.environ.get("KG_BACKEND_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.token = token or os.environ.get("KG_SERVICE_TOKEN") or DEFAULT_TOKEN
        self.timeout = float(os.environ.get("KG_BACKEND_TIMEOUT", timeout))
        self.retries = int(os.environ.get("KG_BACKEND_RETRIES", retries))
        self.backoff = backoff

    # -- plumbing -------------------------------------------------------------------------
    async def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        key = id(loop)
        session = _sessions.get(key)
        if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
            session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout, connect=min(3.0, self.timeout)))
            _sessions[key] = session
        return session

    async def _request(self, method: str, path: str, *, json: Any = None,
                       params: Optional[Dict[str, Any]] = None,
                       headers: Optional[Dict[str, str]] = None,
                       auth: bool = True, retry: bool = True) -> Dict[str, Any]:
        url = self.base_url + path
        hdrs = {"Accept": "application/json", "Accept-Language": "sv"}
        if auth:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if headers:
            hdrs.update(headers)
        attempts = 1 + (self.retries if retry else 0)
        last_exc: Optional[BaseException] = None
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.backoff * (2 ** (attempt - 1)))
            started = time.monotonic()
            try:
                session = await self._session()
                async with session.request(method, url, json=json, params=params, headers=hdrs) as resp:
                    status = resp.status
                    try:
                        body = await resp.json(content_type=None)
                    except Exception:  # not JSON (proxy error page, …)
                        body = None
                    logger.debug("backend %s %s -> %s in %.0f ms", method, path.split("?")[0], status,
                                 (time.monotonic() - started) * 1000)
                    if status in RETRY_STATUSES and attempt + 1 < attempts:
                        last_exc = BackendError(status, "unavailable")
                        continue
                    if status >= 400:
                        err = (body or {}).get("error", {}) if isinstance(body, dict) else {}
                        raise BackendError(status, err.get("code", ""), err.get("message", ""),
                                           err.get("fields") or {})
                    return body if isinstance(body, dict) else {}
            except BackendError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                logger.info("backend %s %s failed (attempt %d/%d): %s", method, path.split("?")[0],
                            attempt + 1, attempts, type(exc).__name__)
                last_exc = exc
        if isinstance(last_exc, BackendError):
            raise last_exc
        raise BackendUnavailable(type(last_exc).__name__ if last_exc else "")

    async def _cached(self, key: str, path: str) -> Dict[str, Any]:
        ck = f"{self.base_url}|{key}"
        hit = _cache.get(ck)
        if hit and time.monotonic() - hit[0] < CACHE_TTL:
            return hit[1]
        data = await self._request("GET", path, auth=False)
        _cache[ck] = (time.monotonic(), data)
        return data

    # -- public resources -----------------------------------------------------------------
    async def health(self) -> bool:
        try:
            data = await self._request("GET", "/health", auth=False, retry=False)
            return data.get("status") == "ok"
        except BackendError:
            return False

    async def taxonomy(self) -> Dict[str, Any]:
        return await self._cached("taxonomy", "/api/v1/taxonomy")

    async def regions(self) -> List[Dict[str, Any]]:
        return (await self._cached("regions", "/api/v1/regions")).get("regions", [])

    async def search_units(self, q: str, limit: int = 5, region: Optional[str] = None) -> List[Dict[str, Any]]:
        params: Dict[str, Any] = {"q": q, "limit": limit}
        if region:
            params["region"] = region
        return (await self._request("GET", "/api/v1/units", params=params, auth=False)).get("results", [])

    async def get_unit(self, hsa_id: str) -> Dict[str, Any]:
        return await self._request("GET", f"/api/v1/units/{quote(hsa_id, safe='')}", auth=False)

    # -- intake ---------------------------------------------------------------------------
    async def create_case(self, payload: Dict[str, Any], idempotency_key: str) -> Dict[str, Any]:
        """POST /api/v1/cases. Retried with the same key: the backend answers a repeat with
        the identical body, so a lost response never turns into a second case."""
        return await self._request("POST", "/api/v1/cases", json=payload,
                                   headers={"Idempotency-Key": idempotency_key})

    # -- e-ID -----------------------------------------------------------------------------
    async def exchange_identity_ticket(self, ticket: str) -> Optional[Dict[str, Any]]:
        """POST /api/v1/identity/tickets/exchange: the widget's one-time ticket for the verified
        personnummer, given_name, family_name and an identity_token for the intake; None when the
        ticket is unknown, used or expired. Not retried: a ticket is used up by the first answer."""
        try:
            return await self._request("POST", "/api/v1/identity/tickets/exchange", json={"ticket": ticket},
                                       retry=False)
        except BackendError as exc:
            if exc.status == 404:
                return None
            raise

    # -- reporter -------------------------------------------------------------------------
    async def reporter_case(self, reference: str, access_code: str) -> Dict[str, Any]:
        return await self._request("GET", f"/api/v1/reporter/cases/{quote(reference, safe='')}",
                                   headers={"X-Access-Code": access_code}, retry=True)

    async def reporter_message(self, reference: str, access_code: str, body: str) -> Dict[str, Any]:
        # Not retried automatically: a repeated message would show twice in the thread.
        return await self._request("POST", f"/api/v1/reporter/cases/{quote(reference, safe='')}/messages",
                                   json={"body": body}, headers={"X-Access-Code": access_code},
                                   retry=False)


# -- the one client the actions share --------------------------------------------------------
_client: Optional[BackendClient] = None


def client() -> BackendClient:
    """The client every action uses, created from the environment on first use."""
    global _client
    if _client is None:
        _client = BackendClient()
    return _client


def set_client(c: Optional[BackendClient]) -> None:
    """Point the actions at another backend (the tests start their own); ``None`` resets it."""
    global _client
    _client = c
