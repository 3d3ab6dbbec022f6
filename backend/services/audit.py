"""The append-only audit log of officer reads and changes."""
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import AuditEntry, Case, Officer


def record(session: AsyncSession, officer: Officer | None, action: str, case: Case | None = None,
           detail: str | None = None) -> None:
    """Adds an entry to the session; it is written with the change it belongs to (same transaction)."""
    session.add(AuditEntry(
        officer_id=officer.id if officer else None,
        officer_email=officer.email if officer else None,
        organisation_id=officer.organisation_id if officer else None,
        action=action,
        case_reference=case.reference if case else None,
        unit_hsa_id=case.care_unit_hsa_id if case else None,
        patient_pseudonym=case.patient_pseudonym if case else None,
        detail=(detail or None) and detail[:500],
    ))
