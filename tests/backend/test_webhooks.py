"""Webhooks to the region's diary system (issue 10 §3): the outbox, delivery through failures, time-outs and a
restart, Standard Webhooks signatures, the order per case, the dead letter and re-send, and the write-back of
the diary number. A real receiver (tests/backend/webhook_receiver.py) on a free port; SQLite here, PostgreSQL
in the postgres suite."""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import aiohttp
import jsonschema_rs
import pytest
from kg_testkit import (DESCRIPTION, JH_ADMIN, JH_HANDLER, JH_RECEIVER, PATIENT_NAME, PN_HANDLER, PN_JAMTLAND, PNR,
                        REGION_JH, REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, SECRET_KEY, SERVICE_TOKEN,
                        case_body, error_of, new_key, service_headers)
from sqlmodel import col, select
from webhook_receiver import Receiver

from backend.models import AuditEntry, Officer, WebhookDelivery, WebhookEvent
from backend.services import webhooks
from conftest import base_settings, free_port, in_thread

ROOT = Path(__file__).resolve().parents[2]
FAST = {"webhook_poll_s": 0.05, "webhook_timeout_s": 0.5, "webhook_backoff_s": (0.1, 0.1, 0.2, 0.2, 0.2)}


# --- helpers ---------------------------------------------------------------------------------------------

async def start_receiver(aiohttp_server, **kw) -> tuple[Receiver, str]:
    rec = Receiver(**kw)
    server = await aiohttp_server(rec.app())
    return rec, str(server.make_url("/hook"))


async def subscribe(sessions, email: str, url: str) -> str:
    async with sessions() as s:
        officer = (await s.exec(select(Officer).where(Officer.email == email))).one()
        _sub, secret = await webhooks.create_subscription(s, officer, url, "test")
    return secret


async def events_of(sessions, org: str) -> list[WebhookEvent]:
    async with sessions() as s:
        return list((await s.exec(select(WebhookEvent).where(WebhookEvent.organisation_id == org)
                                  .order_by(col(WebhookEvent.id)))).all())


async def deliveries(sessions) -> list[WebhookDelivery]:
    async with sessions() as s:
        return list((await s.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id)))).all())


async def settled(sessions, seconds: float = 60) -> list[WebhookDelivery]:
    """Waits until every event is fanned out and no delivery is pending."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with sessions() as s:
            unfanned = (await s.exec(select(WebhookEvent).where(col(WebhookEvent.fanned_out).is_(False)))).first()
            pending = (await s.exec(select(WebhookDelivery).where(WebhookDelivery.status == "pending"))).first()
        if unfanned is None and pending is None:
            return await deliveries(sessions)
        await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries still pending after {seconds}s: {await deliveries(sessions)}")


def documented_schemas() -> dict[str, dict]:
    """docs/events.md: the envelope, and the `data` schema under each event's heading."""
    text = (ROOT / "docs" / "events.md").read_text()
    blocks = re.findall(r"### `([a-z_.]+)`.*?```json\n(.*?)```", text, re.S)
    envelope = re.search(r'```json\n(\{"\$schema".*?)```', text, re.S).group(1)
    return {"envelope": json.loads(envelope), **{name: json.loads(body) for name, body in blocks}}


def personal_data_absent(body: str) -> None:
    for secret in (PNR, PNR.replace("-", ""), "121212", PATIENT_NAME, "Karl", REPORTER_NAME, REPORTER_EMAIL,
                   REPORTER_PHONE, DESCRIPTION[:20], "När var det", "I tisdags", "Vi beklagar", "Vad hände",
                   "Så här var det", "Fel mottagare"):
        assert secret not in body, f"{secret!r} in a webhook body"


# --- signatures --------------------------------------------------------------------------------------------

def test_signature_follows_the_standard_webhooks_example() -> None:
    """The specification's own example (standard-webhooks, libraries' test vector)."""
    sig = webhooks.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                        '{"test": 2432232314}')
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 32
    assert webhooks.sign(secret, "evt_1", 1, "{}") != webhooks.sign(webhooks.new_secret(), "evt_1", 1, "{}")


# --- the outbox -------------------------------------------------------------------------------------------------

async def test_events_are_written_with_the_change_and_not_without_it(kg):
    """Transactional outbox: a change writes its events; a refused change (rolled back) writes none."""
    ref = (await kg.new_case())["reference"]
    sessions = kg.app["sessionmaker"]
    assert [e.type for e in await events_of(sessions, REGION_JH)] == ["case.created"]
    r = await kg.act(JH_HANDLER, ref, "close")  # not categorised yet: 409
    assert r.status == 409
    r = await kg.act(JH_HANDLER, ref, "categorise", {"subs": ["nope"]})
    assert r.status == 422
    assert [e.type for e in await events_of(sessions, REGION_JH)] == ["case.created"]
    await kg.ok(JH_HANDLER, ref, "take")
    evs = await events_of(sessions, REGION_JH)
    assert [e.type for e in evs] == ["case.created", "case.status_changed"]
    assert evs[1].payload["data"] == {"reference": ref, "organisation_id": REGION_JH, "from": "received",
                                      "to": "in_progress", "reason": "taken"}
    assert len({e.event_id for e in evs}) == 2


# --- delivery ----------------------------------------------------------------------------------------------------

async def test_every_event_arrives_in_order_once_through_failures_and_a_time_out(make_kg, aiohttp_server):
    """The receiver fails the first three deliveries, lets the fourth time out, then accepts: every event
    for the organisation arrives, signed, in order per case, and none is accepted twice."""
    rec, url = await start_receiver(aiohttp_server, sleep_s=1.5,
                                    script=lambda n, p: "fail" if n < 3 else "timeout" if n == 3 else "ok")
    kg = await make_kg(**FAST)
    sessions = kg.app["sessionmaker"]
    rec.secret = await subscribe(sessions, JH_ADMIN, url)
    refs = await run_story(kg)
    rows = await settled(sessions)

    events = await events_of(sessions, REGION_JH)
    assert {e.type for e in events} == set(webhooks.EVENT_TYPES)  # every kind of event happened
    assert rec.bad_signatures == 0
    assert [a.outcome for a in rec.arrivals[:4]] == ["failed", "failed", "failed", "timed_out"]
    accepted_ids = [a.id for a in rec.accepted]
    assert len(accepted_ids) == len(set(accepted_ids)), "an event was accepted twice"
    assert not [a for a in rec.arrivals if a.outcome == "duplicate"], "a delivered event was sent again"
    assert set(accepted_ids) == {e.event_id for e in events}
    for ref in refs.values():  # in order per case
        sent = [a.id for a in rec.accepted if a.reference == ref]
        assert sent == [e.event_id for e in events if e.payload["data"]["reference"] == ref], ref
    # what failed was sent again with the same id and then accepted
    for a in rec.arrivals[:4]:
        assert a.id in accepted_ids
    assert all(d.status == "delivered" for d in rows)
    assert max(d.attempts for d in rows) >= 2
    schemas = documented_schemas()
    assert set(schemas) == {"envelope", *webhooks.EVENT_TYPES}
    for a in rec.arrivals:  # as docs/events.md says, and nothing personal
        jsonschema_rs.validate(schemas["envelope"], a.payload)
        jsonschema_rs.validate(schemas[a.type], a.payload["data"])
        personal_data_absent(a.body)
        assert a.payload["data"]["organisation_id"] == REGION_JH
    statement = [a.payload["data"] for a in rec.accepted if a.type == "case.statement_requested"]
    assert statement == [{"reference": refs["statement"], "organisation_id": REGION_JH,
                          "statement_organisation_id": REGION_JH, "statement_due": statement[0]["statement_due"]}]
    moved = [a.payload["data"] for a in rec.accepted if a.type == "case.reassigned"]
    assert moved[0]["from_organisation_id"] == REGION_JH and moved[0]["to_organisation_id"] == PN_JAMTLAND


async def run_story(kg) -> dict[str, str]:
    """Every kind of event for Region Jämtland Härjedalen (REGION_JH): its own case handled to the end, a case
    where the patient board asks it for a statement, and a case it passes on to the patient board."""
    first = await kg.new_case()
    a = first["reference"]
    await kg.ok(JH_HANDLER, a, "take")
    await kg.ok(JH_HANDLER, a, "counter-question", {"body": "När var det?"})
    r = await kg.reporter_post(a, first["access_code"], "I tisdags.")
    assert r.status == 201, await r.text()
    await kg.ok(JH_HANDLER, a, "answer", {"body": "Vi beklagar."})
    await kg.ok(JH_HANDLER, a, "categorise", {"subs": ["bemotande"]})
    await kg.ok(JH_HANDLER, a, "close")
    b = (await kg.new_case(recipient="patient_board"))["reference"]
    await kg.ok(PN_HANDLER, b, "request-statement", {"organisation_id": REGION_JH, "body": "Vad hände?"})
    await kg.ok(JH_HANDLER, b, "statement", {"body": "Så här var det."})
    c = (await kg.new_case())["reference"]
    await kg.ok(JH_RECEIVER, c, "reassign", {"organisation_id": PN_JAMTLAND, "reason": "Fel mottagare"})
    return {"own": a, "statement": b, "reassigned": c}


async def test_a_failing_event_waits_its_case_not_the_others_then_is_dead_and_can_be_sent_again(make_kg, aiohttp_server):
    """The first event of case A always fails: A's next event waits until it is dead-lettered, case B's events
    go meanwhile; re-sent after the receiver is mended, it arrives with the same id."""
    mended = asyncio.Event()
    state: dict[str, str] = {}
    rec, url = await start_receiver(aiohttp_server, script=lambda n, p: "fail" if (
        p["data"]["reference"] == state.get("a") and p["type"] == "case.created" and not mended.is_set()) else "ok")
    kg = await make_kg(webhook_poll_s=0.05, webhook_timeout_s=0.5, webhook_backoff_s=(0.4, 0.4))
    sessions = kg.app["sessionmaker"]
    rec.secret = await subscribe(sessions, JH_ADMIN, url)
    async with sessions() as s:  # the worker takes nothing until both cases and A's second event exist
        admin = (await s.exec(select(Officer).where(Officer.email == JH_ADMIN))).one()
        sub = (await webhooks.subscriptions(s, REGION_JH))[0]
        await webhooks.set_active(s, admin, sub.id, False)
    a = (await kg.new_case())["reference"]
    state["a"] = a
    await kg.ok(JH_HANDLER, a, "take")
    b = (await kg.new_case())["reference"]
    await kg.ok(JH_HANDLER, b, "take")
    async with sessions() as s:
        admin = (await s.exec(select(Officer).where(Officer.email == JH_ADMIN))).one()
        await webhooks.set_active(s, admin, sub.id, True)
    rows = await settled(sessions)

    by_type = {(e.payload["data"]["reference"], e.type): e for e in await events_of(sessions, REGION_JH)}
    created_a, taken_a = by_type[(a, "case.created")], by_type[(a, "case.status_changed")]
    status = {d.event_row_id: d for d in rows}
    assert status[created_a.id].status == "dead" and status[created_a.id].attempts == 3
    assert status[created_a.id].last_error == "HTTP 503" and status[created_a.id].last_status_code == 503
    assert status[taken_a.id].status == "delivered" and status[taken_a.id].attempts == 1
    tries = [x for x in rec.arrivals if x.id == created_a.event_id]
    assert len(tries) == 3 and all(x.outcome == "failed" for x in tries)
    taken_at = next(x.at for x in rec.arrivals if x.id == taken_a.event_id)
    assert taken_at > tries[-1].at, "case A's second event went before its first was given up"
    b_done = max(x.at for x in rec.accepted if x.reference == b)
    assert b_done < tries[-1].at, "case B waited for case A"

    mended.set()
    async with sessions() as s:
        admin = (await s.exec(select(Officer).where(Officer.email == JH_ADMIN))).one()
        await webhooks.resend(s, admin, status[created_a.id].id)
    rows = await settled(sessions)
    assert {d.status for d in rows} == {"delivered"}
    assert [x.id for x in rec.accepted].count(created_a.event_id) == 1
    async with sessions() as s:
        actions = (await s.exec(select(AuditEntry.action).where(col(AuditEntry.action).like("webhook_%")))).all()
    assert sorted(actions) == ["webhook_create", "webhook_pause", "webhook_resend", "webhook_resume"]


async def test_two_workers_never_send_the_same_attempt(make_kg, aiohttp_server):
    """Claims are rows in the database: two workers racing over the same due deliveries split them."""
    rec, url = await start_receiver(aiohttp_server)
    kg = await make_kg()  # no worker of its own: this test runs two by hand
    sessions = kg.app["sessionmaker"]
    rec.secret = await subscribe(sessions, JH_ADMIN, url)
    for _ in range(4):
        ref = (await kg.new_case())["reference"]
        await kg.ok(JH_HANDLER, ref, "take")
    settings = kg.app["settings"]
    async with aiohttp.ClientSession() as http:
        for _ in range(10):
            sent = await asyncio.gather(webhooks.run_once(sessions, settings, http),
                                        webhooks.run_once(sessions, settings, http))
            if not any(sent) and len(rec.accepted) == 8:
                break
    assert len(rec.arrivals) == 8 and len(rec.accepted) == 8
    assert len({a.id for a in rec.accepted}) == 8


# --- a restart in the middle ------------------------------------------------------------------------------------

class Backend:
    def __init__(self, db_url: str, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "backend.log"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "KG_SECRET_KEY": SECRET_KEY,
                    "KG_SERVICE_TOKEN": SERVICE_TOKEN, "KG_PORT": str(self.port), "KG_PUBLIC_URL": self.url,
                    "KG_ATTACHMENTS_DIR": str(workdir / "attachments"), "RASA_TELEMETRY_ENABLED": "false",
                    "KG_DEADLINE_CHECK_INTERVAL_S": "0", "SMTP_HOST": "", "KG_WEBHOOK_POLL_S": "0.1",
                    "KG_WEBHOOK_TIMEOUT_S": "2", "KG_WEBHOOK_BACKOFF_S": "0.2,0.2,0.5,1,1,1,1,1"}
        self.proc: subprocess.Popen | None = None

    async def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "backend", "serve", "--port", str(self.port)],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                assert self.proc.poll() is None, self.log.read_text()[-3000:]
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(self.url + "/health") as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.2)
        raise AssertionError(self.log.read_text()[-3000:])

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


async def test_a_backend_killed_mid_delivery_loses_nothing(db_url, template_db, aiohttp_server, tmp_path):
    """A real `python -m backend serve`, killed (SIGKILL) while a receiver holds a delivery, then started
    again: every event arrives, in order per case, exactly once by webhook-id."""
    from backend.db import make_engine, make_sessionmaker
    tokens = template_db[2]
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    rec, url = await start_receiver(aiohttp_server, script=lambda n, p: "hold" if n == 2 else "ok")
    backend = Backend(db_url, tmp_path)
    try:
        rec.secret = await subscribe(sessions, JH_ADMIN, url)
        await backend.start()
        auth = {"Authorization": f"Bearer {tokens[JH_HANDLER]}"}
        refs = []
        async with aiohttp.ClientSession() as http:
            async def post(path: str, **kw) -> dict:
                async with http.post(backend.url + path, **kw) as r:
                    assert r.status in (200, 201), await r.text()
                    return await r.json()
            for _ in range(3):
                ref = (await post("/api/v1/cases", json=case_body(), headers=service_headers(new_key())))["reference"]
                refs.append(ref)
                await post(f"/api/v1/officer/cases/{ref}/take", json={}, headers=auth)
                await post(f"/api/v1/officer/cases/{ref}/partial-answer", json={"body": "Vi tittar på det."}, headers=auth)
            await asyncio.wait_for(rec.held.wait(), 30)
            backend.kill()  # mid-delivery: the third request is being answered right now
            held = next(a for a in rec.arrivals if a.outcome == "held")
            assert len(rec.accepted) < 9
            await backend.start()
            async with http.get(backend.url + "/health") as r:
                assert r.status == 200
            rows = await settled(sessions, 90)
        events = await events_of(sessions, REGION_JH)
        assert len(events) == 9
        assert {d.status for d in rows} == {"delivered"}
        ids = [a.id for a in rec.accepted]
        assert sorted(ids) == sorted(e.event_id for e in events) and len(ids) == len(set(ids))
        assert held.id in ids  # the held one was sent again after the restart, with the same id
        for ref in refs:
            assert [a.id for a in rec.accepted if a.reference == ref] == \
                [e.event_id for e in events if e.payload["data"]["reference"] == ref]
        assert rec.bad_signatures == 0
    finally:
        backend.kill()
        rec.release.set()
        await engine.dispose()


# --- the diary number written back ---------------------------------------------------------------------------------

def make_token(db_url: str, organisation: str) -> str:
    from backend import __main__ as cli
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        in_thread(lambda: cli.cmd_create_integration_token(Namespace(organisation=organisation, label="W3D3"),
                                                           base_settings(db_url, "/nonexistent")))
    return out.getvalue().strip().split()[-1]


async def test_the_diary_system_sets_its_diary_number(kg):
    jh_token = make_token(kg.db_url, REGION_JH)
    pn_token = make_token(kg.db_url, PN_JAMTLAND)
    assert jh_token.startswith("kgi_") and jh_token != pn_token
    ref = (await kg.new_case())["reference"]
    path = f"/api/v1/integration/cases/{ref}/diary-number"

    r = await kg.client.put(path, json={"diary_number": "RS 2026/123"})
    assert r.status == 401
    for token in ("kgi_fel", SERVICE_TOKEN, kg.tokens[JH_ADMIN]):  # neither a guess nor another kind of token
        r = await kg.client.put(path, json={"diary_number": "RS 2026/123"}, headers={"Authorization": f"Bearer {token}"})
        assert r.status == 401, token
    r = await kg.client.put(path, json={"diary_number": "RS 2026/123"}, headers={"Authorization": f"Bearer {pn_token}"})
    assert r.status == 404  # another organisation's case does not exist for this token
    jh = {"Authorization": f"Bearer {jh_token}"}
    for bad, field in ((["x"], "diary_number"), ("", "diary_number"), ("a" * 101, "diary_number"),
                       ("RS<script>", "diary_number")):
        r = await kg.client.put(path, json={"diary_number": bad}, headers=jh)
        assert r.status == 422, bad
        assert field in (await error_of(r))["fields"]
    r = await kg.client.put(path, json={"diary_number": "RS 2026/123", "extra": 1}, headers=jh)
    assert r.status == 422
    assert (await kg.case_row(ref)).diary_number is None  # nothing half-written

    r = await kg.client.put(path, json={"diary_number": " RS 2026/123 "}, headers=jh)
    assert r.status == 200, await r.text()
    assert await r.json() == {"reference": ref, "diary_number": "RS 2026/123"}
    view = await (await kg.officer_get(JH_HANDLER, ref)).json()
    assert view["diary_number"] == "RS 2026/123"
    assert any(a["action"] == "set_diary_number" and "W3D3" in a["detail"] for a in view["audit"])
    page = await (await kg.logged_in(JH_HANDLER).get(f"/officer/arenden/{ref}")).text()
    assert 'data-testid="diary-number">RS 2026/123<' in page
    assert "Diariesystemet satte diarienummer" in page
