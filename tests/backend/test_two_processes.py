"""Two real backend processes (`python -m backend serve`) on one database behave as one service: a limit
reached through one holds on the other, a session made on one works on the other, and the periodic work runs
once per period across both. SQLite here; PostgreSQL when KG_TEST_DATABASE_URL is set (the postgres suite)."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
from kg_testkit import CSRF_RE, DEMO_PASSWORD, JH_HANDLER, SECRET_KEY, case_body, new_key, service_headers
from kg_testkit import SERVICE_TOKEN

from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
INTERVAL_S = 1
RUN_LINE = re.compile(r"periodic work deadlines done \(claimed at (\S+)\)")


class Backend:
    def __init__(self, name: str, db_url: str, workdir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "KG_SECRET_KEY": SECRET_KEY,
                    "KG_SERVICE_TOKEN": SERVICE_TOKEN, "KG_PORT": str(self.port), "KG_PUBLIC_URL": self.url,
                    "KG_ATTACHMENTS_DIR": str(workdir / "attachments"), "RASA_TELEMETRY_ENABLED": "false",
                    "KG_DEADLINE_CHECK_INTERVAL_S": str(INTERVAL_S), "SMTP_HOST": "",
                    "KG_ENV": "dev"}  # password-only log-in for the demo officers, as in `make run`
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "backend", "serve", "--port", str(self.port)],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    async def wait_up(self, http: aiohttp.ClientSession, seconds: float = 60) -> None:
        for _ in range(int(seconds * 5)):
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                async with http.get(self.url + "/health") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} did not come up\n{self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def runs(self) -> list[datetime]:
        """When this process ran the periodic work (the claim times it logged)."""
        return [datetime.fromisoformat(m.group(1)) for m in RUN_LINE.finditer(self.log.read_text())]


@pytest.fixture
async def pair(db_url, tmp_path):
    a, b = Backend("a", db_url, tmp_path), Backend("b", db_url, tmp_path)
    async with aiohttp.ClientSession() as http:
        try:
            a.start()
            b.start()
            await a.wait_up(http)
            await b.wait_up(http)
            yield a, b
        finally:
            a.stop()
            b.stop()


def browser(url: str) -> "Page":
    return Page(url)


class Page:
    """A browser stand-in whose cookies go to whichever backend it talks to (both are 127.0.0.1)."""

    def __init__(self, url: str):
        self.jar = aiohttp.CookieJar(unsafe=True)
        self.http = aiohttp.ClientSession(cookie_jar=self.jar)

    async def get(self, url: str) -> tuple[int, str, dict]:
        async with self.http.get(url, allow_redirects=False) as r:
            return r.status, await r.text(), dict(r.headers)

    async def post(self, url: str, data: dict) -> tuple[int, str, dict]:
        async with self.http.post(url, data=data, allow_redirects=False) as r:
            return r.status, await r.text(), dict(r.headers)

    async def csrf(self, url: str) -> str:
        _status, text, _h = await self.get(url)
        m = CSRF_RE.search(text)
        assert m, f"no CSRF token on {url}"
        return m.group(1)

    async def close(self) -> None:
        await self.http.close()


async def new_case(url: str) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.post(url + "/api/v1/cases", json=case_body(), headers=service_headers(new_key())) as r:
            assert r.status == 201, await r.text()
            return await r.json()


async def test_a_limit_reached_through_one_process_holds_on_the_other(pair):
    a, b = pair
    case = await new_case(a.url)
    ref = case["reference"]
    async with aiohttp.ClientSession() as http:
        for _ in range(5):  # the cap per case reference
            async with http.get(f"{a.url}/api/v1/reporter/cases/{ref}", headers={"X-Access-Code": "WRNG-WRNG-WRNG"}) as r:
                assert r.status == 404
        # the right code, on the other process: still refused until the window has passed
        async with http.get(f"{b.url}/api/v1/reporter/cases/{ref}", headers={"X-Access-Code": case["access_code"]}) as r:
            assert r.status == 429, await r.text()
        async with http.get(f"{a.url}/api/v1/reporter/cases/{ref}", headers={"X-Access-Code": case["access_code"]}) as r:
            assert r.status == 429

        # the officer log-in: ten wrong passwords through b lock the account on a too
        for _ in range(10):
            async with http.post(f"{b.url}/api/v1/officer/login", json={"email": JH_HANDLER, "password": "fel"}) as r:
                assert r.status == 401
        async with http.post(f"{a.url}/api/v1/officer/login", json={"email": JH_HANDLER, "password": DEMO_PASSWORD}) as r:
            assert r.status == 429, await r.text()


async def test_a_reporter_session_made_on_one_process_works_on_the_other(pair):
    a, b = pair
    case = await new_case(a.url)
    page = browser(a.url)
    try:
        token = await page.csrf(a.url + "/arende")
        # the form from a, sent to b: the CSRF token is no process's secret either
        status, _text, headers = await page.post(b.url + "/arende", {"csrf_token": token, "reference": case["reference"],
                                                                      "access_code": case["access_code"]})
        assert status == 303 and headers["Location"] == "/arende"
        for url in (a.url, b.url):
            status, text, _h = await page.get(url + "/arende")
            assert status == 200 and case["reference"] in text, url
        # signed out on a: b no longer knows the session either
        status, _t, _h = await page.post(a.url + "/arende/logga-ut", {"csrf_token": await page.csrf(b.url + "/arende")})
        assert status == 303
        status, text, _h = await page.get(b.url + "/arende")
        assert status == 200 and case["reference"] not in text and 'name="access_code"' in text
    finally:
        await page.close()


async def test_an_officer_session_made_on_one_process_works_on_the_other(pair):
    a, b = pair
    page = browser(a.url)
    try:
        token = await page.csrf(a.url + "/officer/login")
        status, _t, _h = await page.post(a.url + "/officer/login", {"csrf_token": token, "email": JH_HANDLER,
                                                                    "password": DEMO_PASSWORD})
        assert status == 303
        status, text, _h = await page.get(b.url + "/officer")
        assert status == 200 and "Logga ut" in text
        # a form rendered by b (its CSRF token bound to the session) is accepted by a
        token = await page.csrf(b.url + "/officer")
        status, _t, headers = await page.post(a.url + "/officer/logout", {"csrf_token": token})
        assert status == 303 and "utloggad" in headers["Location"]
        status, _t, headers = await page.get(b.url + "/officer")
        assert status == 303 and headers["Location"].startswith("/officer/login")
    finally:
        await page.close()
    async with aiohttp.ClientSession() as http:  # the JSON API's bearer token, likewise
        async with http.post(f"{a.url}/api/v1/officer/login", json={"email": JH_HANDLER, "password": DEMO_PASSWORD}) as r:
            bearer = (await r.json())["token"]
        async with http.get(f"{b.url}/api/v1/officer/me", headers={"Authorization": f"Bearer {bearer}"}) as r:
            assert r.status == 200 and (await r.json())["email"] == JH_HANDLER


async def test_the_periodic_work_runs_once_per_period_across_both(pair):
    a, b = pair
    await asyncio.sleep(6 * INTERVAL_S)
    runs = sorted(a.runs() + b.runs())
    # each process asks every second; without the lease both would run every second
    assert 4 <= len(runs) <= 8, (a.runs(), b.runs())
    gaps = [(y - x).total_seconds() for x, y in zip(runs, runs[1:])]
    assert min(gaps) >= INTERVAL_S, gaps
    # the one that runs it dies: the other takes over
    survivor, dead = (b, a) if a.runs() and a.runs()[-1] == runs[-1] else (a, b)
    dead.stop(signal.SIGKILL)
    before = len(survivor.runs())
    await asyncio.sleep(3 * INTERVAL_S)
    assert len(survivor.runs()) >= before + 2
