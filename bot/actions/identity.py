"""e-ID in the chat: what a verified identity fills in, and the guardian's check of the child's age.

The widget opens the backend's /e-legitimation/logga-in?for=chat in a window of its own; when the person
has logged in, it gets a one-time ticket and sends it with the next message as metadata
(``kg_identity_ticket``). The assistant exchanges the ticket with the backend (service token) for the
verified name and personnummer and an intake token, and does not ask for them: for a patient they are the
patient's; for a relative, guardian or representative they are the reporter's (the one verified), and the
patient's details are still asked. The intake carries the token so the case is marked as verified.
Custody is never checked here: that is left to the officer (the case page says so).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

from personnummer import personnummer as _pn

from .dates import swedish_today

METADATA_KEY = "kg_identity_ticket"


def ticket_from_metadata(metadata: Optional[Dict[str, Any]]) -> Optional[str]:
    """The widget's ticket, if the latest message carries one (anything else is ignored)."""
    value = (metadata or {}).get(METADATA_KEY)
    return value if isinstance(value, str) and 0 < len(value) <= 100 else None


def identity_slots(role: Optional[str], identity: Dict[str, Any]) -> Dict[str, Any]:
    """The slots a verified identity fills in (so those questions are not asked) and the intake token."""
    name = " ".join(x for x in (identity.get("given_name"), identity.get("family_name")) if x).strip()
    out: Dict[str, Any] = {"identity_token": identity.get("identity_token")}
    if role == "patient":
        out["patient_personnummer"] = identity.get("personnummer")
        if name:
            out["patient_name"] = name
    elif name:
        out["reporter_name"] = name
    return out


def age_from_personnummer(personnummer: str, today: Optional[dt.date] = None) -> Optional[int]:
    try:
        born = _pn.Personnummer(personnummer).get_date()
    except Exception:  # noqa: BLE001 — not a valid number: no age to compare
        return None
    t = today or swedish_today()
    return t.year - born.year - ((t.month, t.day) < (born.month, born.day))


def child_age_mismatch(stated_age: Any, personnummer: Optional[str],
                       today: Optional[dt.date] = None) -> Optional[str]:
    """For a guardian: a plain-Swedish remark when the child's stated age does not fit the personnummer
    (a year either way is fine: "hon är fem" a week before her birthday), or when the child is an adult."""
    if stated_age is None or not personnummer:
        return None
    actual = age_from_personnummer(personnummer, today)
    if actual is None:
        return None
    if actual >= 18:
        return (f"Enligt personnumret är patienten {actual} år. En vårdnadshavare företräder bara barn under "
                "18 år. Stämmer personnumret?")
    try:
        stated = int(stated_age)
    except (TypeError, ValueError):
        return None
    if abs(stated - actual) > 1:
        return (f"Du skrev att barnet är {stated} år, men enligt personnumret är barnet {actual} år. "
                "Stämmer personnumret?")
    return None
