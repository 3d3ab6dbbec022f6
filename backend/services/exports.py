"""De-identified export of tagged cases (e.g. cancer cases for the RCC)."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import Case, CareUnit, Officer
from . import audit
from .csv_cells import safe_cell

PNR_RE = re.compile(r"(?<!\d)(?:19|20)?\d{2}[01]\d[0-9]\d[-+ ]?\d{4}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PHONE_RE = re.compile(r"(?<![\w])(?:\+46|0)[\d \-]{6,14}\d(?!\d)")


def scrub(text: str | None, names: list[str | None] | tuple[str | None, ...] = ()) -> str | None:
    """Removes personnummer, e-mail addresses and phone numbers, and the given names (the case's own
    patient and reporter: the full name and each part of it, as whole words, in any case)."""
    if text is None:
        return None
    text = PNR_RE.sub("[personnummer]", text)
    text = EMAIL_RE.sub("[e-post]", text)
    text = PHONE_RE.sub("[telefon]", text)
    words: set[str] = set()
    for name in names:
        if name and name.strip():
            words.add(name.strip())
            words.update(p for p in re.split(r"[\s,]+", name) if len(p) >= 2)
    for w in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", "[namn]", text, flags=re.IGNORECASE)
    return text


async def tagged(session: AsyncSession, officer: Officer, tag: str) -> list[dict[str, Any]]:
    rows = (await session.exec(select(Case, CareUnit)
                               .join(CareUnit, CareUnit.hsa_id == Case.care_unit_hsa_id, isouter=True)
                               .where(Case.recipient_org_id == officer.organisation_id)
                               .order_by(col(Case.received_at)))).all()
    out = []
    for case, unit in rows:
        if tag not in case.tags:
            continue
        names = (case.patient_name, case.reporter_name)
        out.append({
            "reference": case.reference, "received_at": case.received_at.date().isoformat(),
            "closed_at": case.closed_at.date().isoformat() if case.closed_at else None,
            "event_date": case.event_date.isoformat() if case.event_date else None,
            "status": case.status, "unit_hsa_id": case.care_unit_hsa_id, "unit_name": unit.name if unit else None,
            "verksamhetsomrade": unit.verksamhetsomrade if unit else None, "region": case.region_code,
            "age_band": case.age_band, "gender": case.patient_gender, "reporter_role": case.reporter_role,
            "reporter_category": case.reporter_category, "officer_categories": case.officer_categories,
            "tags": case.tags, "description": scrub(case.description, names),
            "desired_outcome": scrub(case.desired_outcome, names),
        })
    audit.record(session, officer, "export", None, detail=f"tag={tag} n={len(out)}")
    await session.commit()
    return out


CSV_COLUMNS = ["reference", "received_at", "closed_at", "event_date", "status", "unit_hsa_id", "unit_name",
               "verksamhetsomrade", "region", "age_band", "gender", "reporter_role", "reporter_category",
               "officer_categories", "tags", "description", "desired_outcome"]


def tagged_csv(rows: list[dict[str, Any]]) -> str:
    """The rows of ``tagged`` as CSV (";"): lists joined with ",", no cell ever read as a formula."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, delimiter=";")
    w.writeheader()
    for r in rows:
        row = {**r, "officer_categories": ",".join(r["officer_categories"]), "tags": ",".join(r["tags"])}
        w.writerow({k: safe_cell(row.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()
