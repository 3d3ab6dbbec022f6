"""Helpers for the backend tests: request bodies, a thin API client, direct database access.

Kept out of conftest.py so test modules can import them (`from kg_testkit import ...`).
"""
from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlmodel import select
from backend.swedish_time import local_date

SERVICE_TOKEN = "test-service-token"
SECRET_KEY = "test-secret-key-for-the-backend-suite"
DEMO_PASSWORD = "demo-losen-1"

# organisations of the demo catalogue
PN_JAMTLAND = "SE2321000207-PN01"
PN_UPPSALA = "SE2321000024-PN01"
REGION_JH = "SE2321000207"
REGION_UPPSALA = "SE2321000024"
DENTIST_AB = "SE5565301000"

# units
AKUTEN_OSD = "SE2321000207-E2100"
ORTOPED_OSD = "SE2321000207-E2101"
HC_BRUNFLO = "SE2321000207-E1100"
HC_FROSO = "SE2321000207-E1101"
NOT_CONNECTED_UNIT = "SE5565301000-E0001"
AKUTEN_UPPSALA = "SE2321000024-E4100"

# demo officers (backend/__main__.py DEMO_OFFICERS)
PN_HANDLER = "handlaggare@pn.jamtland.example"
PN_RECEIVER = "mottagare@pn.jamtland.example"
JH_RECEIVER = "mottagare@regionjh.example"
JH_HANDLER = "handlaggare@regionjh.example"
JH_ADMIN = "admin@regionjh.example"
PN_UPPSALA_HANDLER = "handlaggare@pn.uppsala.example"
UPPSALA_HANDLER = "handlaggare@regionuppsala.example"

PNR = "19121212-1212"          # the Skatteverket test number
SAMORDNINGSNUMMER = "701063-2391"

REPORTER_NAME = "Anna Andersson"
REPORTER_EMAIL = "anna.andersson@example.se"
REPORTER_PHONE = "0701234567"
PATIENT_NAME = "Karl Andersson"
DESCRIPTION = "Min pappa fick vänta i elva timmar på akuten och ingen sa något till oss."


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def case_body(**over: Any) -> dict[str, Any]:
    """A valid intake body (a relative complaining about the emergency department in Östersund)."""
    body = {
        "channel": "chat",
        "recipient": "care_provider",
        "care_unit_hsa_id": AKUTEN_OSD,
        "care_unit_text": "akuten i Östersund",
        "region_code": None,
        "event_date": (local_date() - timedelta(days=10)).isoformat(),
        "reporter": {"role": "relative", "name": REPORTER_NAME, "email": REPORTER_EMAIL,
                     "phone": REPORTER_PHONE, "preferred_contact": "email"},
        "patient": {"name": PATIENT_NAME, "personnummer": PNR},
        "patient_consent": "yes",
        "consent_note": "",
        "child_age": None,
        "description": DESCRIPTION,
        "reporter_category": "bemotande",
        "desired_outcome": "En förklaring och en ursäkt",
        "reply_wanted": True,
        "tags": [],
        "personal_data_consent": True,
    }
    return deep_merge(body, over)


def new_key() -> str:
    return str(uuid.uuid4())


def service_headers(key: str | None = None, **extra: str) -> dict[str, str]:
    h = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    if key is not None:
        h["Idempotency-Key"] = key
    h.update(extra)
    return h


@dataclass
class KG:
    """One app on its own database, with the demo catalogue and officers, plus a test client."""

    client: TestClient
    app: web.Application
    tokens: dict[str, str]                # demo officer e-mail -> API bearer token (made in the template)
    db_url: str
    attachments_dir: str
    extra: dict[str, Any] = field(default_factory=dict)
    browsers: list["Browser"] = field(default_factory=list)

    # --- plumbing ----------------------------------------------------------------------------------
    def session(self):
        return self.app["sessionmaker"]()

    def browser(self) -> "Browser":
        """A separate cookie jar against the same server (one per person using the web pages)."""
        b = Browser(str(self.client.make_url("")).rstrip("/"))
        self.browsers.append(b)
        return b

    def logged_in(self, email: str) -> "Browser":
        b = self.browser()
        b.use_session(self.tokens["web:" + email])
        return b

    async def close_browsers(self) -> None:
        for b in self.browsers:
            await b.close()

    def auth(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[email]}"}

    # --- intake --------------------------------------------------------------------------------------
    async def intake(self, body: dict[str, Any] | None = None, key: str | None = None, **headers: str):
        return await self.client.post("/api/v1/cases", json=body if body is not None else case_body(),
                                      headers=service_headers(key or new_key(), **headers))

    async def new_case(self, **over: Any) -> dict[str, Any]:
        r = await self.intake(case_body(**over))
        data = await r.json()
        assert r.status == 201, data
        return data

    # --- reporter ---------------------------------------------------------------------------------------
    async def reporter_get(self, reference: str, code: str, **headers: str):
        return await self.client.get(f"/api/v1/reporter/cases/{reference}", headers={"X-Access-Code": code, **headers})

    async def reporter_view(self, reference: str, code: str) -> dict[str, Any]:
        r = await self.reporter_get(reference, code)
        data = await r.json()
        assert r.status == 200, data
        return data

    async def reporter_post(self, reference: str, code: str, body: str = "Här är mitt svar.", **headers: str):
        return await self.client.post(f"/api/v1/reporter/cases/{reference}/messages", json={"body": body},
                                      headers={"X-Access-Code": code, **headers})

    # --- officer ------------------------------------------------------------------------------------------
    async def officer_get(self, email: str, reference: str):
        return await self.client.get(f"/api/v1/officer/cases/{reference}", headers=self.auth(email))

    async def act(self, email: str, reference: str, action: str, payload: dict[str, Any] | None = None, **kw):
        return await self.client.post(f"/api/v1/officer/cases/{reference}/{action}", json=payload or {},
                                      headers=self.auth(email), **kw)

    async def ok(self, email: str, reference: str, action: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.act(email, reference, action, payload)
        data = await r.json()
        assert r.status == 200, (action, r.status, data)
        return data

    async def list_cases(self, email: str, **params: Any) -> dict[str, Any]:
        r = await self.client.get("/api/v1/officer/cases", params={k: str(v) for k, v in params.items()},
                                  headers=self.auth(email))
        data = await r.json()
        assert r.status == 200, data
        return data

    # --- database -------------------------------------------------------------------------------------------
    async def case_row(self, reference: str):
        from backend.models import Case
        async with self.session() as s:
            return (await s.exec(select(Case).where(Case.reference == reference))).first()

    async def update_case(self, reference: str, **values: Any) -> None:
        from backend.models import Case
        async with self.session() as s:
            case = (await s.exec(select(Case).where(Case.reference == reference))).one()
            for k, v in values.items():
                setattr(case, k, v)
            s.add(case)
            await s.commit()

    async def count(self, model) -> int:
        from sqlalchemy import func
        async with self.session() as s:
            return (await s.exec(select(func.count()).select_from(model))).one()

    async def rows(self, model, *where):
        async with self.session() as s:
            q = select(model)
            for w in where:
                q = q.where(w)
            return list((await s.exec(q)).all())


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A web browser stand-in: own cookies, no automatic redirects, CSRF token taken from the page."""

    def __init__(self, base: str):
        import aiohttp
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kw):
        return await self.http.get(self.base + path, allow_redirects=False, **kw)

    async def post(self, path: str, data: Any = None, **kw):
        return await self.http.post(self.base + path, data=data, allow_redirects=False, **kw)

    async def csrf(self, path: str) -> str:
        r = await self.get(path)
        m = CSRF_RE.search(await r.text())
        assert m, f"no CSRF token on {path} ({r.status})"
        return m.group(1)

    async def login(self, email: str, password: str = DEMO_PASSWORD):
        token = await self.csrf("/officer/login")
        return await self.post("/officer/login", {"csrf_token": token, "email": email, "password": password})

    def use_session(self, token: str) -> None:
        """Logged in with a web session made in advance (see conftest._seed)."""
        self.http.cookie_jar.update_cookies({"kg_session": token})

    def cookie(self, name: str) -> str | None:
        for c in self.http.cookie_jar:
            if c.key == name:
                return c.value
        return None


async def error_of(resp) -> dict[str, Any]:
    data = await resp.json()
    assert "error" in data, data
    return data["error"]
