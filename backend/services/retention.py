"""Thinning out (gallring): anonymise finished cases older than the retention period, keep statistics."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Attachment, Case, CaseEvent, Message, RetentionRun
from ..swedish_time import utcnow
from ..settings import Settings
from . import attachments as att

log = logging.getLogger(__name__)


async def anonymise_closed(session: AsyncSession, settings: Settings, now: datetime | None = None,
                           days: int | None = None) -> RetentionRun:
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.retention_days if days is None else days)
    # closed cases, and answered ones nobody closed: with no activity since the cutoff they can no longer be
    # reopened (reopen_days is far shorter) and are as finished as a closed case
    finished = or_(and_(Case.status == "closed", col(Case.closed_at) < cutoff),
                   and_(Case.status == "answered", col(Case.answered_at) < cutoff, col(Case.updated_at) < cutoff))
    cases = (await session.exec(select(Case).where(finished, col(Case.anonymised_at).is_(None)))).all()
    refs: list[str] = []
    keys: list[str] = []
    for case in cases:
        for a in (await session.exec(select(Attachment).where(Attachment.case_id == case.id))).all():
            keys.append(a.storage_key)
            await session.delete(a)
        for m in (await session.exec(select(Message).where(Message.case_id == case.id))).all():
            m.body = None
            session.add(m)
        for e in (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))).all():
            if "reason" in e.data and e.kind == "reassigned":  # the officer's free text about the case
                e.data = {k: v for k, v in e.data.items() if k != "reason"}
                session.add(e)
        # kept: categories, dates, unit, region, age band, gender, status, tags — for statistics
        case.reporter_name = case.reporter_email = case.reporter_phone = None
        # the keyed hash of the personnummer goes too; the audit log keeps its own copy ("which patient")
        case.patient_name = case.patient_pnr = case.patient_pseudonym = None
        case.reporter_pseudonym = None  # e-ID: the reporter's keyed hash ("Mina ärenden") goes as well
        case.patient_age = None
        case.description = case.desired_outcome = case.consent_note = case.care_unit_text = None
        case.anonymised_at = now
        session.add(case)
        refs.append(case.reference)
    run = RetentionRun(at=now, cutoff=cutoff, cases_anonymised=len(refs), attachments_removed=len(keys), references=refs)
    session.add(run)
    await session.commit()
    removed = att.remove(settings.attachments_dir, keys)
    log.info("retention: %d cases anonymised, %d attachment files removed, cutoff %s", len(refs), removed,
             cutoff.date().isoformat())
    return run
