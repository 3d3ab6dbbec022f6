"""Cases: intake, reporter access, officer handling. Every status change goes through lifecycle."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

from sqlalchemy import String, and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import catalogue, lifecycle as lc, pnr
from ..errors import conflict, not_found, validation_error
from ..i18n import gettext as _
from ..models import Attachment, AuditEntry, Case, CaseEvent, CareUnit, Message, Officer, Organisation
from ..swedish_time import local_date, swedish_midnight, utcnow
from ..schemas import CaseIn
from ..settings import Settings
from . import attachments as att
from . import audit, identities, webhooks
from .units import patient_board_of

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type
REPORTER_VISIBLE_KINDS = ("answer", "partial_answer", "counter_question", "reporter_message")
NOTIFY_KINDS = ("answer", "partial_answer", "counter_question")
INTERNAL_NOTE = "internal_note"

Notify = Callable[[Case], Awaitable[None] | None]


@dataclass
class Deps:
    settings: Settings
    notify: Callable[[Case], None] = field(default=lambda case: None)


def today() -> date:
    return local_date()


# --- access codes --------------------------------------------------------------------------------

def access_code_for(settings: Settings, case_id: int, idempotency_key: str) -> str:
    """Derived, not stored: a replayed intake can answer with the same code while only its hash is kept."""
    digest = hmac.new(settings.secret_key.encode(), f"access:{case_id}:{idempotency_key}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _i in range(12):
        n, r = divmod(n, 32)
        chars.append(CODE_ALPHABET[r])
    s = "".join(chars)
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"


def normalise_code(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


def hash_code(settings: Settings, code: str) -> str:
    # access codes carry 60 random bits, so a keyed SHA-256 is enough (argon2 is for passwords)
    return hmac.new(settings.secret_key.encode(), ("code:" + normalise_code(code)).encode(), hashlib.sha256).hexdigest()


def request_hash(raw: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- intake ----------------------------------------------------------------------------------------

async def create_case(session: AsyncSession, deps: Deps, body: CaseIn, raw: dict[str, Any],
                      idempotency_key: str) -> tuple[dict[str, Any], bool]:
    """Returns (response, created). A replay with the same key and body returns the same response."""
    settings = deps.settings
    rhash = request_hash(raw)
    existing = (await session.exec(select(Case).where(Case.idempotency_key == idempotency_key))).first()
    if existing is not None:
        return await _replay(session, settings, existing, rhash, idempotency_key), False

    problems = body.cross_field_problems()
    unit: CareUnit | None = None
    if body.care_unit_hsa_id:
        unit = await session.get(CareUnit, body.care_unit_hsa_id)
        if unit is None:
            problems["care_unit_hsa_id"] = _("Mottagningen finns inte i vår katalog. Välj en annan, eller beskriv den med egna ord.")
    region_code = unit.region_code if unit else body.region_code
    board = await patient_board_of(session, region_code) if region_code else None
    if region_code and board is None and "care_unit_hsa_id" not in problems:
        problems["region_code"] = _("Okänd region.")
    if problems:
        raise validation_error(problems)

    pid = pnr.parse(body.patient.personnummer)
    verified = None
    if body.identity_token:
        # an expired or used token does not stop the complaint: the case is then simply not marked verified
        verified = await identities.use_intake_token(session, body.identity_token)
        if verified is not None and body.reporter.role == "patient" and verified.personnummer != pid.normalised:
            await session.rollback()
            raise validation_error({"patient.personnummer": _(
                "Du har loggat in med e-legitimation som en annan person än patienten. Välj att du skriver "
                "för någon annan, eller ändra personnumret.")})

    if body.recipient == "care_provider" and unit is not None and unit.connected:
        recipient = await session.get(Organisation, unit.care_provider_id)
    else:
        recipient = board  # patient board: chosen, or the unit is unknown or not connected
    assert recipient is not None

    received = utcnow()
    age = pid.age_at(body.event_date or local_date(received))
    tags = set(body.tags)
    if unit is not None and unit.verksamhetsomrade == "primarvard":
        tags.add("primarvard")  # a focus area reported to IVO
    r = body.reporter
    case = Case(
        reference="T" + secrets.token_hex(9), channel=body.channel, status=lc.RECEIVED,
        recipient_kind=recipient.kind, recipient_org_id=recipient.id, region_code=region_code,
        care_unit_hsa_id=unit.hsa_id if unit else None,
        care_unit_text=body.care_unit_text, event_date=body.event_date, received_at=received,
        answer_due=local_date(received) + timedelta(weeks=settings.answer_weeks),
        reporter_role=r.role, reporter_name=r.name or (body.patient.name if r.role == "patient" else None),
        reporter_verified_at=received if verified else None,
        reporter_pseudonym=verified.pnr_pseudonym if verified else None,
        reporter_email=r.email, reporter_phone=r.phone, preferred_contact=r.preferred_contact,
        patient_name=body.patient.name, patient_pnr=pid.normalised,
        patient_pseudonym=pnr.pseudonym(settings.secret_key, pid.normalised),
        patient_age=age, age_band=pnr.age_band(age), patient_gender=pid.gender,
        patient_consent=body.patient_consent if r.role == "relative" else "not_needed",
        consent_note=body.consent_note, child_age=body.child_age if r.role == "guardian" else None,
        description=body.description, reporter_category=body.reporter_category,
        desired_outcome=body.desired_outcome, reply_wanted=body.reply_wanted, tags=sorted(tags),
        access_code_hash="pending", idempotency_key=idempotency_key, request_hash=rhash,
    )
    if verified is not None:
        # the name the identity provider vouches for, not the one typed
        full = f"{verified.given_name} {verified.family_name}".strip()
        if full:
            case.reporter_name = full
            if r.role == "patient":
                case.patient_name = full
    session.add(case)
    try:
        await session.flush()
        case.reference = f"KG-{received.year}-{case.id:06d}"
        code = access_code_for(settings, case.id, idempotency_key)
        case.access_code_hash = hash_code(settings, code)
        session.add(CaseEvent(case_id=case.id, kind="created", data={"channel": case.channel,
                                                                       "recipient": recipient.id,
                                                                       "identity_verified": verified is not None}))
        webhooks.record(session, case, "case.created", {
            "status": case.status, "channel": case.channel, "recipient_kind": case.recipient_kind,
            "region_code": case.region_code, "care_unit_hsa_id": case.care_unit_hsa_id,
            "received_at": iso(case.received_at), "answer_due": case.answer_due.isoformat()})
        await session.commit()
    except IntegrityError:
        # a concurrent request with the same key won the race: answer as a replay
        await session.rollback()
        existing = (await session.exec(select(Case).where(Case.idempotency_key == idempotency_key))).first()
        if existing is None:
            raise
        return await _replay(session, settings, existing, rhash, idempotency_key), False
    log.info("case created ref=%s channel=%s recipient=%s", case.reference, case.channel, recipient.id)
    return await _intake_response(session, settings, case, code), True


async def _replay(session: AsyncSession, settings: Settings, case: Case, rhash: str, key: str) -> dict[str, Any]:
    if case.request_hash != rhash:
        raise conflict(_("Den här idempotensnyckeln har redan använts för ett annat ärende."))
    # the identical body as the first time, even if officers have since taken or reassigned the case
    created = (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                          CaseEvent.kind == "created"))).first()
    first_org = (created.data.get("recipient") if created else None) or case.recipient_org_id
    return await _intake_response(session, settings, case, access_code_for(settings, case.id, key),
                                  status=lc.RECEIVED, org_id=first_org)


async def _intake_response(session: AsyncSession, settings: Settings, case: Case, code: str,
                           status: str | None = None, org_id: str | None = None) -> dict[str, Any]:
    org = await session.get(Organisation, org_id or case.recipient_org_id)
    status = status or case.status
    return {
        "reference": case.reference,
        "access_code": code,
        "status": status,
        "status_label": catalogue.label("statuses", status),
        "recipient_organisation": {"id": org.id, "name": org.name, "kind": org.kind},
        "received_at": iso(case.received_at),
        "answer_due": case.answer_due.isoformat(),
        "follow_url": f"{settings.public_url}/arende",
        "identity_verified": case.reporter_verified_at is not None,
    }


def iso(dt: datetime | date | None) -> str | None:
    if dt is None:
        return None
    if isinstance(dt, datetime):
        if dt.tzinfo is not None:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        return dt.replace(microsecond=0).isoformat() + "Z"
    return dt.isoformat()


# --- reporter ----------------------------------------------------------------------------------------

REFERENCE_RE = re.compile(r"^[A-Z0-9\-]{1,20}$")


def plausible_reference(reference: str) -> bool:
    """Only such text can be a reference; anything else (NUL, which PostgreSQL cannot even compare, and other
    junk) is answered as "not found" without asking the database."""
    return bool(REFERENCE_RE.match(reference))


async def case_by_code(session: AsyncSession, settings: Settings, reference: str, code: str) -> Case | None:
    ref = (reference or "").strip().upper()
    case = (await session.exec(select(Case).where(Case.reference == ref))).first() if plausible_reference(ref) else None
    expected = case.access_code_hash if case else hash_code(settings, "dummy")
    ok = hmac.compare_digest(expected, hash_code(settings, code))
    if case is None or not ok or case.anonymised_at is not None:
        return None
    return case


async def reporter_view(session: AsyncSession, case: Case) -> dict[str, Any]:
    org = await session.get(Organisation, case.recipient_org_id)
    unit = await session.get(CareUnit, case.care_unit_hsa_id) if case.care_unit_hsa_id else None
    thread = await _thread(session, case, REPORTER_VISIBLE_KINDS)
    return {
        "reference": case.reference,
        "status": case.status,
        "status_label": catalogue.label("statuses", case.status),
        "received_at": iso(case.received_at),
        "answer_due": iso(case.answer_due),
        "statement_due": iso(case.statement_due),
        "closed_at": iso(case.closed_at),
        "recipient_organisation": {"name": org.name if org else ""},
        "care_unit": {"name": unit.name} if unit else ({"name": case.care_unit_text} if case.care_unit_text else None),
        "awaiting_reply": case.status == lc.WAITING_FOR_REPORTER,
        "thread": thread,
    }


def seen_by(msg: Message, organisation_id: str | None) -> bool:
    """An internal note is its organisation's own: never the reporter's, never the other organisation's."""
    return msg.kind != INTERNAL_NOTE or (organisation_id is not None and msg.organisation_id == organisation_id)


async def _thread(session: AsyncSession, case: Case, kinds: tuple[str, ...] | None = None,
                  organisation_id: str | None = None) -> list[dict[str, Any]]:
    """The messages `kinds` (None: all) of the case; internal notes only for their own organisation."""
    q = select(Message).where(Message.case_id == case.id).order_by(Message.created_at, Message.id)
    msgs = [m for m in (await session.exec(q)).all() if seen_by(m, organisation_id)]
    files = (await session.exec(select(Attachment).where(Attachment.case_id == case.id))).all()
    by_msg: dict[int, list[dict[str, Any]]] = {}
    for a in files:
        by_msg.setdefault(a.message_id, []).append({"id": a.id, "filename": a.filename,
                                                     "content_type": a.content_type, "size": a.size})
    return [{
        "id": m.id, "kind": m.kind, "kind_label": catalogue.label("message_kinds", m.kind), "author": m.author,
        "body": m.body, "created_at": iso(m.created_at), "attachments": by_msg.get(m.id, []),
    } for m in msgs if kinds is None or m.kind in kinds]


async def reporter_post(session: AsyncSession, deps: Deps, case: Case, body: str,
                        uploads: list[att.Upload] | None = None) -> dict[str, Any]:
    settings = deps.settings
    if "\x00" in body:  # the web page passes its form text here directly (the JSON API checks it in the schema)
        raise validation_error({"body": _("Ogiltigt värde.")})
    uploads = uploads or []
    types = att.check(uploads, settings.max_reporter_files, settings.max_attachment_bytes)
    await _lock(session, case)
    now = utcnow()
    if case.status in (lc.ANSWERED, lc.CLOSED):
        since = case.closed_at if case.status == lc.CLOSED else case.answered_at
        if since is None or now - since > timedelta(days=settings.reopen_days):
            raise conflict(_("Ärendet är avslutat sedan mer än {days} dagar. Lämna gärna ett nytt klagomål.").format(
                days=settings.reopen_days))
        _transition(session, case, lc.IN_PROGRESS, None, reason="reopened_by_reporter")
        case.closed_at = None
    elif case.status == lc.WAITING_FOR_REPORTER:
        _transition(session, case, lc.IN_PROGRESS, None, reason="reporter_replied")
    msg = Message(case_id=case.id, kind="reporter_message", author="reporter", body=body, created_at=now)
    stored = await _add_message(session, settings, case, msg, uploads, types)
    case.updated_at = now
    session.add(case)
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        att.remove(settings.attachments_dir, [s.storage_key for s in stored])
        raise
    return (await _thread(session, case, REPORTER_VISIBLE_KINDS))[-1]


async def _add_message(session: AsyncSession, settings: Settings, case: Case, msg: Message,
                       uploads: list[att.Upload], types: list[str]) -> list[att.StoredFile]:
    session.add(msg)
    await session.flush()
    stored = att.store(settings.attachments_dir, case.id, uploads, types) if uploads else []
    for s in stored:
        session.add(Attachment(case_id=case.id, message_id=msg.id, filename=s.filename, content_type=s.content_type,
                               size=s.size, sha256=s.sha256, storage_key=s.storage_key))
    # statement requests and statements are between the organisations: both hear of them
    if msg.kind == INTERNAL_NOTE:
        orgs = [msg.organisation_id]  # its own organisation's diary system only
    elif msg.kind.startswith("statement"):
        orgs = [case.recipient_org_id, case.statement_org_id]
    else:
        orgs = None
    webhooks.record(session, case, "case.message_added", {"message_id": msg.id, "kind": msg.kind, "author": msg.author,
                                                          "attachments": len(stored)}, orgs)
    return stored


async def _lock(session: AsyncSession, case: Case) -> None:
    """Serialises changes to one case, then reloads it: two requests that both read "in progress" must not
    both answer it. A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite until this
    transaction ends; a concurrent change waits, and then sees the state the first one left."""
    await session.exec(update(Case).where(col(Case.id) == case.id).values(updated_at=Case.updated_at)
                       .execution_options(synchronize_session=False))
    await session.refresh(case)


def _transition(session: AsyncSession, case: Case, target: str, officer: Officer | None, reason: str = "") -> None:
    try:
        lc.check(case.status, target)
    except lc.IllegalTransition:
        raise conflict(_("Det går inte att göra så när ärendet har status ”{status}”.").format(
            status=catalogue.label("statuses", case.status))) from None
    session.add(CaseEvent(case_id=case.id, kind="status_changed", officer_id=officer.id if officer else None,
                          data={"from": case.status, "to": target, "reason": reason}))
    webhooks.record(session, case, "case.status_changed", {"from": case.status, "to": target, "reason": reason})
    case.status = target
    case.updated_at = utcnow()


# --- officer -----------------------------------------------------------------------------------------

def visible_to(case: Case, organisation_id: str) -> bool:
    """The recipient organisation sees its case; an organisation asked for a statement sees it until the
    case is closed (it may follow what its statement led to, but not keep reading a finished case)."""
    return organisation_id == case.recipient_org_id or (
        organisation_id == case.statement_org_id and case.status != lc.CLOSED)


async def case_for_officer(session: AsyncSession, officer: Officer, reference: str) -> Case:
    """The case if the officer's organisation may see it; otherwise 404 (never reveal another's case)."""
    ref = (reference or "").upper()
    case = (await session.exec(select(Case).where(Case.reference == ref))).first() if plausible_reference(ref) else None
    if case is None or not visible_to(case, officer.organisation_id):
        raise not_found()
    return case


async def open_case(session: AsyncSession, officer: Officer, reference: str) -> dict[str, Any]:
    case = await case_for_officer(session, officer, reference)
    audit.record(session, officer, "read", case)
    await session.commit()
    return await officer_view(session, case, officer)


async def officer_view(session: AsyncSession, case: Case, officer: Officer | None = None) -> dict[str, Any]:
    """The whole case for an officer; with `officer`, also the actions that officer may take now."""
    org = await session.get(Organisation, case.recipient_org_id)
    st_org = await session.get(Organisation, case.statement_org_id) if case.statement_org_id else None
    unit = await session.get(CareUnit, case.care_unit_hsa_id) if case.care_unit_hsa_id else None
    events = (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.created_at, CaseEvent.id))).all()
    audits = (await session.exec(select(AuditEntry).where(AuditEntry.case_reference == case.reference)
                                 .order_by(col(AuditEntry.id).desc()).limit(200))).all()
    from . import actions  # the registry builds on this module
    t = today()
    return {
        "reference": case.reference, "channel": case.channel, "status": case.status,
        "status_label": catalogue.label("statuses", case.status),
        "recipient_organisation": {"id": org.id, "name": org.name, "kind": org.kind},
        "statement_organisation": {"id": st_org.id, "name": st_org.name} if st_org else None,
        "region_code": case.region_code,
        "care_unit": ({"hsa_id": unit.hsa_id, "name": unit.name, "verksamhetsomrade": unit.verksamhetsomrade,
                       "connected": unit.connected} if unit else None),
        "care_unit_text": case.care_unit_text,
        "event_date": iso(case.event_date), "received_at": iso(case.received_at), "answered_at": iso(case.answered_at),
        "closed_at": iso(case.closed_at), "answer_due": iso(case.answer_due), "statement_due": iso(case.statement_due),
        "statement_extended": case.statement_extended, "statement_extended_at": iso(case.statement_extended_at),
        "statement_extended_by": await _officer_ref(session, case.statement_extended_by_officer_id),
        "assigned_officer": await _officer_ref(session, case.assigned_officer_id),
        "overdue": is_overdue(case, t),
        "reporter": {"role": case.reporter_role, "name": case.reporter_name, "email": case.reporter_email,
                     "phone": case.reporter_phone, "preferred_contact": case.preferred_contact,
                     "verified": case.reporter_verified_at is not None,
                     "verified_at": iso(case.reporter_verified_at)},
        "patient": {"name": case.patient_name, "personnummer": case.patient_pnr, "age": case.patient_age,
                    "age_band": case.age_band, "gender": case.patient_gender},
        "patient_consent": case.patient_consent, "consent_note": case.consent_note, "child_age": case.child_age,
        "description": case.description, "desired_outcome": case.desired_outcome, "reply_wanted": case.reply_wanted,
        "reporter_category": case.reporter_category,
        "reporter_category_label": catalogue.category_label(case.reporter_category),
        "officer_categories": case.officer_categories,
        "tags": case.tags, "anonymised": case.anonymised_at is not None, "diary_number": case.diary_number,
        "thread": await _thread(session, case, organisation_id=officer.organisation_id if officer else None),
        "events": [{"kind": e.kind, "data": e.data, "officer_id": e.officer_id, "created_at": iso(e.created_at)}
                   for e in events],
        "audit": [{"at": iso(a.at), "officer_email": a.officer_email, "action": a.action, "detail": a.detail}
                  for a in audits],
        "allowed_actions": actions.allowed_actions(case, officer, t) if officer is not None else [],
    }


async def _officer_ref(session: AsyncSession, officer_id: int | None) -> dict[str, Any] | None:
    o = await session.get(Officer, officer_id) if officer_id else None
    return {"id": o.id, "name": o.name} if o else None


def is_overdue(case: Case, t: date) -> bool:
    """A case waiting for a statement is late only when the statement is: until then it waits as it should
    (the answer date follows the statement deadline, see actions.answer_after_statement). Any other open
    case is late when its answer date has passed."""
    if case.status == lc.WAITING_FOR_STATEMENT:
        return case.statement_due is not None and case.statement_due < t
    return case.status in lc.OPEN_STATUSES and case.answer_due < t


def overdue_clause(t: date):
    """`is_overdue` as SQL, for the list filter."""
    return or_(
        (Case.status == lc.WAITING_FOR_STATEMENT) & (Case.statement_due < t),
        col(Case.status).in_(sorted(lc.OPEN_STATUSES - {lc.WAITING_FOR_STATEMENT})) & (Case.answer_due < t),
    )


@dataclass
class ListFilters:
    status: list[str] = field(default_factory=list)
    overdue: bool | None = None
    category: str | None = None
    unit: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    personnummer: str | None = None  # 12 digits (pnr.parse); only from a POST, never from a URL
    assigned: str | None = None  # "me": assigned to the officer asking; "none": to no one
    sort: str = "-received_at"
    page: int = 1
    per_page: int = 25


SORTS = {
    "received_at": col(Case.received_at).asc(), "-received_at": col(Case.received_at).desc(),
    "answer_due": col(Case.answer_due).asc(), "-answer_due": col(Case.answer_due).desc(),
    "status": col(Case.status).asc(), "reference": col(Case.reference).asc(),
}


async def list_cases(session: AsyncSession, officer: Officer, f: ListFilters) -> dict[str, Any]:
    org = officer.organisation_id
    q = select(Case).where(or_(Case.recipient_org_id == org,
                               and_(Case.statement_org_id == org, Case.status != lc.CLOSED)))  # see visible_to
    if f.status:
        q = q.where(col(Case.status).in_(f.status))
    t = today()
    overdue_expr = overdue_clause(t)
    if f.overdue is True:
        q = q.where(overdue_expr)
    elif f.overdue is False:
        q = q.where(~overdue_expr)
    if f.category:
        subs = [f.category] if f.category in catalogue.sub_to_main() else \
            [s for s, m in catalogue.sub_to_main().items() if m == f.category]
        q = q.where(or_(col(Case.reporter_category).in_(subs),
                        *[col(Case.officer_category_index).contains(f",{s},") for s in subs]))
    if f.unit:
        q = q.where(Case.care_unit_hsa_id == f.unit)
    if f.date_from:
        q = q.where(Case.received_at >= swedish_midnight(f.date_from))
    if f.date_to:
        q = q.where(Case.received_at < swedish_midnight(f.date_to + timedelta(days=1)))
    if f.q:
        q = q.where(_text_search(f.q))
    if f.personnummer:
        q = q.where(Case.patient_pnr == f.personnummer)
    if f.assigned == "me":
        q = q.where(Case.assigned_officer_id == officer.id)
    elif f.assigned == "none":
        q = q.where(col(Case.assigned_officer_id).is_(None))
    total = (await session.exec(select(func.count()).select_from(q.subquery()))).one()
    q = q.order_by(SORTS.get(f.sort, SORTS["-received_at"]), col(Case.id).desc())
    q = q.offset((f.page - 1) * f.per_page).limit(f.per_page)
    rows = (await session.exec(q)).all()
    unit_ids = {c.care_unit_hsa_id for c in rows if c.care_unit_hsa_id}
    officer_ids = {c.assigned_officer_id for c in rows if c.assigned_officer_id}
    names = {o.id: o.name for o in (await session.exec(select(Officer).where(col(Officer.id).in_(officer_ids)))).all()} \
        if officer_ids else {}
    units = {u.hsa_id: u.name for u in (await session.exec(select(CareUnit).where(col(CareUnit.hsa_id).in_(unit_ids)))).all()} if unit_ids else {}
    items = [{
        "reference": c.reference, "status": c.status, "status_label": catalogue.label("statuses", c.status),
        "received_at": iso(c.received_at), "answer_due": iso(c.answer_due), "statement_due": iso(c.statement_due),
        "overdue": is_overdue(c, t), "care_unit_name": units.get(c.care_unit_hsa_id or "", c.care_unit_text),
        "reporter_category": c.reporter_category, "officer_categories": c.officer_categories,
        "reporter_role": c.reporter_role, "channel": c.channel,
        "assigned_officer": {"id": c.assigned_officer_id, "name": names.get(c.assigned_officer_id, "")}
        if c.assigned_officer_id else None,
    } for c in rows]
    if f.personnummer:  # who looked up which patient is logged; the number itself never is
        audit.record(session, officer, "search_personnummer", None,
                     detail=f"sökning på personnummer: {total} träffar")
    else:
        audit.record(session, officer, "list", None, detail=f"{len(items)} of {total}")
    await session.commit()
    return {"items": items, "total": total, "page": f.page, "per_page": f.per_page}


def looks_like_personnummer(text: str | None) -> bool:
    """Ten or twelve digits (separators allowed): a personnummer that must not be searched from a URL."""
    digits = re.sub(r"[\s+\-]", "", text or "")
    return digits.isdigit() and len(digits) in (10, 12)


def _text_search(text: str):
    """Free text: part of the reference, patient's or reporter's name, the description or the unit in the
    reporter's own words (any case, å ä ö included — db.py gives SQLite a Unicode lower()).
    LIKE wildcards in the text are taken literally. Not the personnummer: that search is a POST
    (ListFilters.personnummer), so the number never ends up in a URL, a log or the browser history."""
    term = text.strip()
    low = term.lower()
    conds = [col(Case.reference).contains(term.upper(), autoescape=True)]
    for column in (Case.patient_name, Case.reporter_name, Case.description, Case.care_unit_text):
        conds.append(col(column).contains(term, autoescape=True))
        conds.append(func.lower(col(column), type_=String).contains(low, autoescape=True))
    return or_(*conds)


async def attachment_for_officer(session: AsyncSession, officer: Officer, reference: str, attachment_id: int) -> Attachment:
    case = await case_for_officer(session, officer, reference)
    a = await session.get(Attachment, attachment_id)
    msg = await session.get(Message, a.message_id) if a is not None and a.case_id == case.id else None
    if msg is None or not seen_by(msg, officer.organisation_id):
        raise not_found()
    audit.record(session, officer, "read_attachment", case, detail=str(a.id))
    await session.commit()
    return a


async def attachment_for_reporter(session: AsyncSession, case: Case, attachment_id: int) -> Attachment:
    a = await session.get(Attachment, attachment_id)
    if a is None or a.case_id != case.id:
        raise not_found()
    msg = await session.get(Message, a.message_id)
    if msg is None or msg.kind not in REPORTER_VISIBLE_KINDS:
        raise not_found()
    return a


async def check_deadlines(session: AsyncSession, now: datetime | None = None) -> int:
    """Writes one `deadline_passed` event per passed deadline (statement and answer). Returns how many."""
    t = local_date(now)
    rows = (await session.exec(select(Case).where(col(Case.status).in_(list(lc.OPEN_STATUSES)),
                                                  or_(Case.answer_due < t, Case.statement_due < t)))).all()
    n = 0
    for case in rows:
        seen = {(e.data.get("deadline"), e.data.get("due")) for e in (await session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "deadline_passed"))).all()}
        # while a statement is awaited, only its deadline counts (is_overdue)
        due_list = [("statement", case.statement_due)] if case.status == lc.WAITING_FOR_STATEMENT \
            and case.statement_due else [("answer", case.answer_due)]
        for name, due in due_list:
            if due < t and (name, due.isoformat()) not in seen:
                session.add(CaseEvent(case_id=case.id, kind="deadline_passed",
                                      data={"deadline": name, "due": due.isoformat()}))
                n += 1
    await session.commit()
    return n
