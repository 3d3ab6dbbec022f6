"""The admin's webhook pages: subscriptions (secret shown once, bad address refused field by field, pause and
delete), the delivery log and re-send; other roles are refused; every admin action is in the audit log."""
from __future__ import annotations

import re

from kg_testkit import JH_ADMIN, JH_HANDLER, PN_HANDLER
from sqlmodel import col, select

from backend.models import AuditEntry, WebhookDelivery, WebhookSubscription
from backend.services import webhooks


async def test_an_admin_manages_subscriptions_and_resends_from_the_log(kg):
    admin = kg.logged_in(JH_ADMIN)
    r = await admin.get("/officer/webhooks")
    assert r.status == 200
    assert "Inga prenumerationer ännu." in await r.text()
    token = await admin.csrf("/officer/webhooks")

    r = await admin.post("/officer/webhooks", {"csrf_token": token, "url": "ftp://diarie.example", "description": ""})
    assert r.status == 422
    assert "Skriv en fullständig adress som börjar med https://." in await r.text()
    assert await kg.count(WebhookSubscription) == 0

    r = await admin.post("/officer/webhooks", {"csrf_token": token, "url": "https://diarie.regionjh.example/hook",
                                               "description": "W3D3"})
    assert r.status == 200
    page = await r.text()
    secret = re.search(r"<code>(whsec_[A-Za-z0-9+/=]+)</code>", page).group(1)
    sub = (await kg.rows(WebhookSubscription))[0]
    assert sub.secret == secret and sub.organisation_id == "SE2321000207"
    again = await (await admin.get("/officer/webhooks")).text()
    assert "https://diarie.regionjh.example/hook" in again and secret not in again  # shown once

    # an event, its delivery (given up on), and the log page with re-send
    ref = (await kg.new_case())["reference"]
    async with kg.session() as s:
        await webhooks.fan_out(s)
    async with kg.session() as s:
        d = (await s.exec(select(WebhookDelivery))).one()
        d.status, d.attempts, d.last_error = "dead", 7, "timeout"
        s.add(d)
        await s.commit()
    r = await admin.get("/officer/webhooks/leveranser?status=dead")
    log_page = await r.text()
    assert r.status == 200 and ref in log_page and "case.created" in log_page and "Gav upp" in log_page
    r = await admin.post(f"/officer/webhooks/leveranser/{d.id}/skicka-igen", {"csrf_token": token})
    assert r.status == 303
    (d,) = await kg.rows(WebhookDelivery)
    assert d.status == "pending" and d.attempts == 0
    r = await admin.post(f"/officer/webhooks/leveranser/{d.id}/skicka-igen", {"csrf_token": token})
    assert r.status == 409 and "Händelsen väntar redan på att skickas." in await r.text()
    r = await admin.post(f"/officer/webhooks/leveranser/{d.id}/skicka-igen", {"csrf_token": "fel"})
    assert r.status == 403

    r = await admin.post(f"/officer/webhooks/{sub.id}/pausa", {"csrf_token": token})
    assert r.status == 303
    assert (await kg.rows(WebhookSubscription))[0].active is False
    r = await admin.post(f"/officer/webhooks/{sub.id}/ta-bort", {"csrf_token": token})
    assert r.status == 303
    assert await kg.count(WebhookSubscription) == 0 and await kg.count(WebhookDelivery) == 0
    actions = [a.action for a in await kg.rows(AuditEntry, col(AuditEntry.action).like("webhook_%"))]
    assert actions == ["webhook_create", "webhook_resend", "webhook_pause", "webhook_delete"]


async def test_only_the_organisations_admin_sees_the_pages(kg):
    handler = kg.logged_in(JH_HANDLER)
    for path in ("/officer/webhooks", "/officer/webhooks/leveranser"):
        r = await handler.get(path)
        assert r.status == 403, path
    assert "/officer/webhooks" not in await (await handler.get("/officer")).text()
    assert "/officer/webhooks" in await (await kg.logged_in(JH_ADMIN).get("/officer")).text()
    r = await kg.browser().get("/officer/webhooks")
    assert r.status == 303 and r.headers["Location"].startswith("/officer/login")

    # another organisation's admin cannot touch this one's subscription (there is no admin in the demo's
    # patient board, so a handler made admin for the test)
    admin = kg.logged_in(JH_ADMIN)
    token = await admin.csrf("/officer/webhooks")
    await admin.post("/officer/webhooks", {"csrf_token": token, "url": "https://a.example/hook", "description": ""})
    sub = (await kg.rows(WebhookSubscription))[0]
    async with kg.session() as s:
        from backend.models import Officer
        pn = (await s.exec(select(Officer).where(Officer.email == PN_HANDLER))).one()
        pn.role = "admin"
        s.add(pn)
        await s.commit()
    other = kg.logged_in(PN_HANDLER)
    other_token = await other.csrf("/officer/webhooks")
    assert "https://a.example/hook" not in await (await other.get("/officer/webhooks")).text()
    r = await other.post(f"/officer/webhooks/{sub.id}/ta-bort", {"csrf_token": other_token})
    assert r.status == 404
    assert await kg.count(WebhookSubscription) == 1
