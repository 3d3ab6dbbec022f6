"""The summary shown before the case is sent, and how its recipient is named."""
from __future__ import annotations

from typing import Any, Dict, Optional

from . import dates, pnr
from .taxonomy import Taxonomy
from .texts import CONSENT_LABELS, PREFERRED_LABELS, RECIPIENT_LABELS, ROLE_LABELS, SUMMARY_INTRO


def recipient_name(slots: Dict[str, Any]) -> str:
    """Who receives the case, as it is named in a sentence ("patientnämnden i Region Uppsala")."""
    if (slots.get("recipient") or "care_provider") == "patient_board":
        region = slots.get("region_name")
        return f"patientnämnden i {region}" if region else "patientnämnden"
    return slots.get("care_unit_name") or "vården"


def summary_text(slots: Dict[str, Any], tax: Optional[Taxonomy]) -> str:
    """One line per answer; the personnummer is masked. ``tax`` gives the category's label."""
    role = slots.get("reporter_role")
    lines = [SUMMARY_INTRO]
    lines.append(f"• Vem det gäller: {ROLE_LABELS.get(role, '–')}")
    if role == "relative" and slots.get("patient_consent"):
        consent = CONSENT_LABELS.get(slots["patient_consent"], "")
        if slots.get("consent_note"):
            consent = slots["consent_note"].rstrip(".")
        lines.append(f"• Samtycke: {consent}")
    if role == "guardian" and slots.get("child_age") is not None:
        lines.append(f"• Barnets ålder: {int(slots['child_age'])} år")
    unit = slots.get("care_unit_name") or (f"\"{slots.get('care_unit_text')}\"" if slots.get("care_unit_text") else "–")
    lines.append(f"• Mottagning: {unit}")
    lines.append(f"• Datum: {dates.format_sv(slots.get('event_date')) or '–'}")
    desc = slots.get("description") or ""
    short = desc if len(desc) <= 300 else desc[:297].rstrip() + "…"
    lines.append(f"• Vad som hände: \"{short}\"")
    if slots.get("complaint_kind") != "praise":
        cat = slots.get("category_sub")
        label = tax.sub_label(cat) if tax and cat and cat != "none" else ""
        lines.append(f"• Kategori: {label or 'ingen vald'}")
        lines.append(f"• Vad du vill uppnå: {slots.get('desired_outcome') or '–'}")
    lines.append(f"• Vill ha svar: {'ja' if slots.get('reply_wanted') else 'nej'}")
    rec = slots.get("recipient")
    rec_label = RECIPIENT_LABELS.get(rec, "–")
    if rec == "patient_board" and slots.get("region_name"):
        rec_label = f"Patientnämnden, {slots['region_name']}"
    lines.append(f"• Mottagare: {rec_label}")
    lines.append(f"• Patient: {slots.get('patient_name') or '–'}, {pnr.mask(slots.get('patient_personnummer'))}")
    if role and role != "patient":
        lines.append(f"• Ditt namn: {slots.get('reporter_name') or '–'}")
    contact = ", ".join(x for x in (slots.get("contact_email"), slots.get("contact_phone")) if x) or "inga"
    pref = slots.get("preferred_contact")
    if slots.get("contact_email") and slots.get("contact_phone") and pref in PREFERRED_LABELS:
        contact += f" (helst {PREFERRED_LABELS[pref]})"
    lines.append(f"• Kontakt: {contact}")
    return "\n".join(lines)
