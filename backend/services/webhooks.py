"""Webhooks to the region's diary system: the outbox, the delivery worker and the subscriptions.

A change to a case writes its events to `webhookevent` in the change's own transaction (`record`), so an
event exists exactly when its change does. The worker (app.webhook_ctx, in every backend process) then
1. fans each new event out to the organisation's subscriptions as `webhookdelivery` rows (`fan_out`),
2. claims due deliveries in the database (`claim_due`: an UPDATE that moves `claimed_until` forward with its
   own claim token, so two processes never send the same attempt; a process that dies holds a claim only
   until `claimed_until`), and
3. posts each one signed as the Standard Webhooks specification says (`sign`), retrying on the
   `webhook_backoff_s` schedule and marking it dead after the last retry.
An organisation's events for one case go out in order: a delivery waits while an earlier one for the same
subscription and case is pending (or its event is not yet fanned out). Delivery is at least once: a process
killed after the receiver answered but before the answer was stored sends it again, with the same
`webhook-id`, so receivers deduplicate by it.

Payloads carry references, statuses, kinds, organisation ids and timestamps only — never names,
personnummer, contact details or free text (docs/events.md).
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import delete, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import conflict, not_found, validation_error
from ..i18n import gettext as _
from ..models import Case, Officer, WebhookDelivery, WebhookEvent, WebhookSubscription
from ..settings import Settings
from ..swedish_time import utcnow
from . import audit

log = logging.getLogger(__name__)

EVENT_TYPES = ("case.created", "case.status_changed", "case.message_added", "case.statement_requested",
               "case.statement_given", "case.reassigned", "case.closed")
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
SECRET_PREFIX = "whsec_"
USER_AGENT = "Klagomalsguiden-Webhooks/1"


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


# --- signatures (Standard Webhooks) ---------------------------------------------------------------------

def new_secret() -> str:
    """A fresh signing secret as the admin sees it: "whsec_" + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


# --- the outbox -------------------------------------------------------------------------------------------

def record(session: AsyncSession, case: Case, type_: str, data: dict[str, Any] | None = None,
           organisations: list[str | None] | None = None) -> None:
    """Adds the event to the session: it is written with the change it describes (same transaction).
    It goes to the case's recipient organisation, or to `organisations` when the event concerns others too
    (a reassignment: the old and the new; a statement: the recipient and the one asked)."""
    assert type_ in EVENT_TYPES, type_
    now = utcnow()
    orgs = list(dict.fromkeys(o for o in (organisations or [case.recipient_org_id]) if o))
    for org in orgs:
        session.add(WebhookEvent(
            event_id="evt_" + secrets.token_hex(12), organisation_id=org, case_id=case.id, type=type_,
            created_at=now, payload={"type": type_, "timestamp": iso(now), "data": {
                "reference": case.reference, "organisation_id": org, **(data or {})}}))


async def fan_out(session: AsyncSession, limit: int = 500) -> int:
    """Makes the deliveries of new events (one per subscription of the event's organisation, paused ones
    included: they are sent when it is resumed). Each event is taken by one process only: the UPDATE that
    sets `fanned_out` is re-checked under the row's write lock. Returns the number of events taken."""
    rows = (await session.exec(select(WebhookEvent).where(col(WebhookEvent.fanned_out).is_(False))
                               .order_by(col(WebhookEvent.id)).limit(limit))).all()
    if not rows:
        await session.rollback()
        return 0
    subs: dict[str, list[int]] = {}
    taken = 0
    now = utcnow()
    for ev in rows:
        result = await session.exec(update(WebhookEvent).where(col(WebhookEvent.id) == ev.id,
                                                               col(WebhookEvent.fanned_out).is_(False))
                                    .values(fanned_out=True).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        taken += 1
        if ev.organisation_id not in subs:
            subs[ev.organisation_id] = list((await session.exec(
                select(WebhookSubscription.id).where(WebhookSubscription.organisation_id == ev.organisation_id))).all())
        for sub_id in subs[ev.organisation_id]:
            session.add(WebhookDelivery(event_row_id=ev.id, subscription_id=sub_id, case_id=ev.case_id,
                                        next_attempt_at=now, created_at=now))
    await session.commit()
    return taken


# --- claiming and delivering ---------------------------------------------------------------------------------

@dataclass
class Claim:
    delivery_id: int
    token: str
    attempts: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    url: str
    secret: str


def lease_s(settings: Settings) -> float:
    """How long a claim holds: longer than one attempt can take, so a live process never loses its claim."""
    return settings.webhook_timeout_s * 2 + 1


async def claim_due(session: AsyncSession, settings: Settings, now: datetime | None = None,
                    limit: int = 20) -> list[Claim]:
    """Claims up to `limit` due deliveries, each the first pending one of its subscription and case."""
    now = now or utcnow()
    d, earlier = WebhookDelivery, aliased(WebhookDelivery)
    ev = aliased(WebhookEvent)
    earlier_pending = exists().where(earlier.subscription_id == d.subscription_id, earlier.case_id == d.case_id,
                                     earlier.event_row_id < d.event_row_id, earlier.status == PENDING)
    earlier_unsent = exists().where(ev.case_id == d.case_id, ev.id < d.event_row_id,
                                    col(ev.fanned_out).is_(False), ev.organisation_id == WebhookSubscription.organisation_id)
    free = or_(col(d.claimed_until).is_(None), col(d.claimed_until) < now)
    candidates = (await session.exec(
        select(d.id).join(WebhookSubscription, col(WebhookSubscription.id) == d.subscription_id)
        .where(d.status == PENDING, col(d.next_attempt_at) <= now, free, col(WebhookSubscription.active).is_(True),
               ~earlier_pending, ~earlier_unsent)
        .order_by(col(d.event_row_id)).limit(limit))).all()
    claimed: list[Claim] = []
    until = now + timedelta(seconds=lease_s(settings))
    for delivery_id in candidates:
        token = secrets.token_hex(8)
        result = await session.exec(update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id,
                                                                  WebhookDelivery.status == PENDING,
                                                                  or_(col(WebhookDelivery.claimed_until).is_(None),
                                                                      col(WebhookDelivery.claimed_until) < now))
                                    .values(claimed_until=until, claim_token=token)
                                    .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            row = (await session.exec(select(WebhookDelivery, WebhookEvent, WebhookSubscription)
                                      .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_row_id)
                                      .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
                                      .where(WebhookDelivery.id == delivery_id))).one()
            delivery, event, sub = row
            claimed.append(Claim(delivery_id, token, delivery.attempts, event.event_id, event.type, event.payload,
                                 sub.url, sub.secret))
    await session.commit()
    return claimed


def body_of(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


async def attempt(http: aiohttp.ClientSession, settings: Settings, claim: Claim) -> tuple[int | None, str | None]:
    """One POST. Returns (HTTP status, None) or (status or None, what went wrong — never the answer's body)."""
    body = body_of(claim.payload)
    ts = int(utcnow().timestamp())
    headers = {"webhook-id": claim.event_id, "webhook-timestamp": str(ts),
               "webhook-signature": sign(claim.secret, claim.event_id, ts, body),
               "Content-Type": "application/json", "User-Agent": USER_AGENT}
    try:
        async with http.post(claim.url, data=body.encode(), headers=headers, allow_redirects=False,
                             timeout=aiohttp.ClientTimeout(total=settings.webhook_timeout_s)) as resp:
            await resp.read()
            return resp.status, None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
    except asyncio.TimeoutError:
        return None, "timeout"
    except aiohttp.ClientError as exc:
        return None, type(exc).__name__


async def finish(session: AsyncSession, settings: Settings, claim: Claim, status: int | None,
                 error: str | None, now: datetime | None = None) -> str:
    """Stores the attempt's outcome, if the claim is still ours. Returns the new status."""
    now = now or utcnow()
    attempts = claim.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "last_status_code": status, "last_error": error,
                              "last_attempt_at": now, "claimed_until": None, "claim_token": None}
    if error is None:
        values.update(status=DELIVERED, delivered_at=now)
    elif attempts > len(settings.webhook_backoff_s):
        values.update(status=DEAD)
    else:
        values.update(next_attempt_at=now + timedelta(seconds=settings.webhook_backoff_s[attempts - 1]))
    await session.exec(update(WebhookDelivery).where(col(WebhookDelivery.id) == claim.delivery_id,
                                                     WebhookDelivery.claim_token == claim.token)
                       .values(**values).execution_options(synchronize_session=False))
    await session.commit()
    new_status = values.get("status", PENDING)
    log.info("webhook delivery %s event %s (%s) attempt %d: %s", claim.delivery_id, claim.event_id,
             claim.event_type, attempts, "delivered" if error is None else f"{error}, now {new_status}")
    return new_status


async def run_once(sessions, settings: Settings, http: aiohttp.ClientSession) -> int:
    """Fan out, claim what is due, send it. Returns how many attempts were made."""
    async with sessions() as session:
        await fan_out(session)
    async with sessions() as session:
        claims = await claim_due(session, settings)

    async def one(claim: Claim) -> None:
        status, error = await attempt(http, settings, claim)
        async with sessions() as session:
            await finish(session, settings, claim, status, error)

    await asyncio.gather(*(one(c) for c in claims))
    return len(claims)


# --- subscriptions and the delivery log (the admin pages) -----------------------------------------------------

def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if not url:
        raise validation_error({"url": _("Skriv adressen som händelserna ska skickas till.")})
    if len(url) > 500 or parts.scheme not in ("https", "http") or not parts.hostname or any(c.isspace() for c in url):
        raise validation_error({"url": _("Skriv en fullständig adress som börjar med https://.")})
    return url


async def create_subscription(session: AsyncSession, officer: Officer, url: str,
                              description: str = "") -> tuple[WebhookSubscription, str]:
    """A new subscription for the officer's organisation. Returns it and its secret (shown to the admin)."""
    url = check_url(url)
    description = (description or "").strip()
    if len(description) > 200 or "\x00" in description:
        raise validation_error({"description": _("Beskrivningen får vara högst 200 tecken.")})
    secret = new_secret()
    sub = WebhookSubscription(organisation_id=officer.organisation_id, url=url, description=description,
                              secret=secret)
    session.add(sub)
    await session.flush()
    audit.record(session, officer, "webhook_create", detail=f"subscription {sub.id}")
    await session.commit()
    return sub, secret


async def subscription_for(session: AsyncSession, officer: Officer, sub_id: int) -> WebhookSubscription:
    sub = await session.get(WebhookSubscription, sub_id)
    if sub is None or sub.organisation_id != officer.organisation_id:
        raise not_found()
    return sub


async def set_active(session: AsyncSession, officer: Officer, sub_id: int, active: bool) -> None:
    sub = await subscription_for(session, officer, sub_id)
    sub.active = active
    session.add(sub)
    audit.record(session, officer, "webhook_resume" if active else "webhook_pause", detail=f"subscription {sub.id}")
    await session.commit()


async def delete_subscription(session: AsyncSession, officer: Officer, sub_id: int) -> None:
    """Removes the subscription and its deliveries (the events stay in the outbox for other subscriptions)."""
    sub = await subscription_for(session, officer, sub_id)
    await session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == sub.id))
    await session.delete(sub)
    audit.record(session, officer, "webhook_delete", detail=f"subscription {sub_id}")
    await session.commit()


async def subscriptions(session: AsyncSession, organisation_id: str) -> list[WebhookSubscription]:
    return list((await session.exec(select(WebhookSubscription)
                                    .where(WebhookSubscription.organisation_id == organisation_id)
                                    .order_by(col(WebhookSubscription.id)))).all())


async def delivery_log(session: AsyncSession, organisation_id: str, status: str | None = None,
                       limit: int = 200) -> list[dict[str, Any]]:
    """The newest deliveries to the organisation's subscriptions (what the admin's log page shows)."""
    q = (select(WebhookDelivery, WebhookEvent, WebhookSubscription)
         .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_row_id)
         .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
         .where(WebhookSubscription.organisation_id == organisation_id))
    if status:
        q = q.where(WebhookDelivery.status == status)
    rows = (await session.exec(q.order_by(col(WebhookDelivery.id).desc()).limit(limit))).all()
    return [{"id": d.id, "event_id": e.event_id, "type": e.type, "reference": e.payload["data"]["reference"],
             "subscription_id": s.id, "url": s.url, "status": d.status, "attempts": d.attempts,
             "last_status_code": d.last_status_code, "last_error": d.last_error,
             "last_attempt_at": d.last_attempt_at, "next_attempt_at": d.next_attempt_at if d.status == PENDING else None,
             "delivered_at": d.delivered_at, "created_at": e.created_at} for d, e, s in rows]


async def resend(session: AsyncSession, officer: Officer, delivery_id: int) -> None:
    """Sends a delivery again (dead or delivered) with a fresh retry schedule and the same webhook-id."""
    row = (await session.exec(select(WebhookDelivery, WebhookSubscription)
                              .join(WebhookSubscription, col(WebhookSubscription.id) == WebhookDelivery.subscription_id)
                              .where(WebhookDelivery.id == delivery_id))).first()
    if row is None or row[1].organisation_id != officer.organisation_id:
        raise not_found()
    if row[0].status == PENDING:
        raise conflict(_("Händelsen väntar redan på att skickas."))
    now = utcnow()
    await session.exec(update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id,
                                                     WebhookDelivery.status != PENDING)
                       .values(status=PENDING, attempts=0, next_attempt_at=now, claimed_until=None,
                               claim_token=None).execution_options(synchronize_session=False))
    audit.record(session, officer, "webhook_resend", detail=f"delivery {delivery_id}")
    await session.commit()
