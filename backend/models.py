"""SQLModel tables. Datetimes are aware UTC; dates are calendar dates (Europe/Stockholm)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from .swedish_time import utcnow


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)


class Organisation(SQLModel, table=True):
    """A care provider (vårdgivare) or a region's patient board (patientnämnd)."""

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # care_provider | patient_board
    region_code: str = Field(foreign_key="region.code", max_length=40, index=True)
    email: Optional[str] = Field(default=None, max_length=200)


class CareUnit(SQLModel, table=True):
    hsa_id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    care_provider_id: str = Field(foreign_key="organisation.id", max_length=40, index=True)
    region_code: str = Field(foreign_key="region.code", max_length=40, index=True)
    verksamhetsomrade: str = Field(max_length=40)
    connected: bool = True
    municipality: Optional[str] = Field(default=None, max_length=100)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Officer(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=200, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=400)
    role: str = Field(max_length=20)  # receiver | handler | admin
    organisation_id: str = Field(foreign_key="organisation.id", max_length=40, index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # the second factor (services.totp): the base32 secret encrypted with a key derived from KG_SECRET_KEY,
    # and the last 30-second time step a code was accepted for (a code is never accepted twice)
    totp_secret: Optional[str] = Field(default=None, max_length=400)
    totp_last_step: Optional[int] = Field(default=None)


class OfficerSession(SQLModel, table=True):
    token_hash: str = Field(primary_key=True, max_length=100)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    kind: str = Field(default="api", max_length=10)  # api | web
    csrf_token: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    # sliding idle limit (KG_OFFICER_IDLE_MINUTES): a session not used for that long has ended
    last_seen_at: datetime = Field(default_factory=utcnow)


class Case(SQLModel, table=True):
    __table_args__ = (
        Index("ix_case_org_status", "recipient_org_id", "status"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, index=True)
    channel: str = Field(max_length=20)
    status: str = Field(max_length=30, index=True)
    recipient_kind: str = Field(max_length=20)  # care_provider | patient_board
    recipient_org_id: str = Field(foreign_key="organisation.id", max_length=40, index=True)
    statement_org_id: Optional[str] = Field(default=None, foreign_key="organisation.id", max_length=40, index=True)
    region_code: str = Field(foreign_key="region.code", max_length=40, index=True)
    care_unit_hsa_id: Optional[str] = Field(default=None, foreign_key="careunit.hsa_id", max_length=40, index=True)
    care_unit_text: Optional[str] = Field(default=None, max_length=300)
    event_date: Optional[date] = None
    received_at: datetime = Field(default_factory=utcnow, index=True)
    answered_at: Optional[datetime] = None
    closed_at: Optional[datetime] = Field(default=None, index=True)
    answer_due: date
    statement_due: Optional[date] = None
    statement_requested_at: Optional[datetime] = None
    statement_extended: bool = False
    # who gave the one extension (an officer of either organisation) and when
    statement_extended_at: Optional[datetime] = None
    statement_extended_by_officer_id: Optional[int] = Field(default=None, foreign_key="officer.id")
    reporter_role: str = Field(max_length=20)
    reporter_name: Optional[str] = Field(default=None, max_length=200)
    reporter_email: Optional[str] = Field(default=None, max_length=254)
    reporter_phone: Optional[str] = Field(default=None, max_length=30)
    preferred_contact: str = Field(default="email", max_length=10)
    patient_name: Optional[str] = Field(default=None, max_length=200)
    patient_pnr: Optional[str] = Field(default=None, max_length=13)
    patient_pseudonym: Optional[str] = Field(default=None, max_length=64, index=True)
    patient_age: Optional[int] = None
    age_band: Optional[str] = Field(default=None, max_length=10)
    patient_gender: Optional[str] = Field(default=None, max_length=10)  # female | male
    patient_consent: str = Field(default="not_needed", max_length=20)
    consent_note: Optional[str] = Field(default=None, max_length=500)
    child_age: Optional[int] = None
    description: Optional[str] = Field(default=None, sa_column=Column(Text))
    reporter_category: Optional[str] = Field(default=None, max_length=40, index=True)
    officer_categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    officer_category_index: str = Field(default="", max_length=500)  # ",sub1,sub2," for portable filtering
    desired_outcome: Optional[str] = Field(default=None, sa_column=Column(Text))
    reply_wanted: bool = True
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    access_code_hash: str = Field(max_length=100)
    idempotency_key: str = Field(max_length=128, unique=True)
    request_hash: str = Field(max_length=64)
    handled_by_officer_id: Optional[int] = Field(default=None, foreign_key="officer.id")  # who answered
    # who handles the case now ("Ta ärendet", or assigned by a colleague); an officer of the recipient organisation
    assigned_officer_id: Optional[int] = Field(default=None, foreign_key="officer.id", index=True)
    anonymised_at: Optional[datetime] = None
    updated_at: datetime = Field(default_factory=utcnow)
    # the region's diary system (W3D3, Platina, …) writes its own number back (api.integration)
    diary_number: Optional[str] = Field(default=None, max_length=100)
    # e-ID: when the reporter's identity was verified at intake (None: not verified) and the keyed pseudonym
    # of the reporter's personnummer (pnr.pseudonym), so "Mina ärenden" finds the cases they filed
    reporter_verified_at: Optional[datetime] = None
    reporter_pseudonym: Optional[str] = Field(default=None, max_length=64, index=True)


class Message(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=30)  # answer | partial_answer | counter_question | reporter_message | statement_request | statement
    author: str = Field(max_length=20)  # reporter | officer
    officer_id: Optional[int] = Field(default=None, foreign_key="officer.id")
    organisation_id: Optional[str] = Field(default=None, max_length=40)
    body: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


class Attachment(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class CaseEvent(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=40)
    officer_id: Optional[int] = Field(default=None, foreign_key="officer.id")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Append-only: who read or changed which case. Kept when the case is anonymised."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    officer_id: Optional[int] = Field(default=None, index=True)
    officer_email: Optional[str] = Field(default=None, max_length=200)
    organisation_id: Optional[str] = Field(default=None, max_length=40)
    action: str = Field(max_length=40)
    case_reference: Optional[str] = Field(default=None, max_length=20, index=True)
    unit_hsa_id: Optional[str] = Field(default=None, max_length=40)
    patient_pseudonym: Optional[str] = Field(default=None, max_length=64, index=True)
    detail: Optional[str] = Field(default=None, max_length=500)


class RetentionRun(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    cutoff: datetime
    cases_anonymised: int
    attachments_removed: int
    references: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# --- state shared by every backend process (nothing of this lives in one process's memory) ----------------

class FailedAttempt(SQLModel, table=True):
    """One failed access-code or log-in attempt, for the sliding-window limits (services.ratelimit).
    The key (a case reference, an e-mail, a client address) is stored only as a keyed hash."""

    __table_args__ = (Index("ix_failedattempt_key_at", "key_hash", "at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20)   # which limiter: reporter | login
    key_hash: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True)


class ReporterWebSession(SQLModel, table=True):
    """The reporter page's sign-in: the cookie's token (hashed) → the case. The access code itself is not
    kept; its stored hash is, so a new code ends the sessions made with the old one."""

    token_hash: str = Field(primary_key=True, max_length=64)
    case_id: int = Field(foreign_key="case.id", index=True)
    code_hash: str = Field(max_length=100)
    expires_at: datetime = Field(index=True)


class PeriodicLease(SQLModel, table=True):
    """Who ran a periodic job last and when it is next due: a replica runs the job only when it moves
    due_at forward itself (services.lease), so the job runs once per period across all replicas."""

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=100)
    due_at: datetime
    ran_at: datetime


# --- webhooks to the region's diary system (services.webhooks) ---------------------------------------------

class IntegrationToken(SQLModel, table=True):
    """An organisation's diary system: may set diary numbers on its cases. Only the token's hash is kept."""

    token_hash: str = Field(primary_key=True, max_length=64)
    organisation_id: str = Field(foreign_key="organisation.id", max_length=40, index=True)
    label: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: Optional[datetime] = None


class WebhookSubscription(SQLModel, table=True):
    """Where an organisation's case events go. The secret signs them (Standard Webhooks), so it is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: str = Field(foreign_key="organisation.id", max_length=40, index=True)
    url: str = Field(max_length=500)
    description: str = Field(default="", max_length=200)
    secret: str = Field(max_length=100)  # "whsec_" + base64 of the key bytes
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class WebhookEvent(SQLModel, table=True):
    """The outbox: one row per case event and organisation, written in the transaction of the change.
    `fanned_out` is set when the deliveries to the organisation's subscriptions have been made."""

    __table_args__ = (Index("ix_webhookevent_fan", "fanned_out", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)  # the order of events (per case: commit order)
    event_id: str = Field(max_length=40, unique=True)          # webhook-id
    organisation_id: str = Field(max_length=40, index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    type: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    fanned_out: bool = False


class WebhookDelivery(SQLModel, table=True):
    """One event to one subscription: pending → delivered, or dead after the last retry. A worker claims a
    row by moving `claimed_until` forward with its own `claim_token` (services.webhooks.claim_due)."""

    __table_args__ = (
        Index("ix_webhookdelivery_due", "status", "next_attempt_at"),
        Index("ix_webhookdelivery_order", "subscription_id", "case_id", "event_row_id"),
        Index("ux_webhookdelivery_event_sub", "event_row_id", "subscription_id", unique=True),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    event_row_id: int = Field(foreign_key="webhookevent.id")
    subscription_id: int = Field(foreign_key="webhooksubscription.id")
    case_id: int
    status: str = Field(default="pending", max_length=10)  # pending | delivered | dead
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_until: Optional[datetime] = None
    claim_token: Optional[str] = Field(default=None, max_length=40)
    last_status_code: Optional[int] = None
    last_error: Optional[str] = Field(default=None, max_length=200)
    last_attempt_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


# --- e-ID for reporters (services.oidc, services.identities) --------------------------------------------------

class OidcLogin(SQLModel, table=True):
    """A log-in begun at the identity provider, waiting for its callback. Keyed by the hash of `state`; the
    browser that began it holds a cookie whose hash is `browser_hash`. Deleted when the callback comes."""

    state_hash: str = Field(primary_key=True, max_length=64)
    browser_hash: str = Field(max_length=64)
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=128)
    purpose: str = Field(max_length=10)  # chat | arende
    expires_at: datetime = Field(index=True)


class VerifiedIdentity(SQLModel, table=True):
    """A person the identity provider vouched for, kept only for a few hours (the e-ID session of the reporter
    page and the chat's tickets). Looked up by the keyed pseudonym of the personnummer, never by the number."""

    id: Optional[int] = Field(default=None, primary_key=True)
    pnr_pseudonym: str = Field(max_length=64, index=True)
    personnummer: str = Field(max_length=13)
    given_name: str = Field(default="", max_length=200)
    family_name: str = Field(default="", max_length=200)
    verified_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class IdentityToken(SQLModel, table=True):
    """A token that stands for a verified identity; only its hash is kept. kind "web": the reporter page's
    e-ID cookie; "ticket": one-time, short, the widget hands it to the assistant; "intake": what the assistant
    gets for the ticket and the intake carries, used once, to mark the case as verified."""

    token_hash: str = Field(primary_key=True, max_length=64)
    identity_id: int = Field(foreign_key="verifiedidentity.id", index=True)
    kind: str = Field(max_length=10)
    expires_at: datetime = Field(index=True)
    used_at: Optional[datetime] = None
