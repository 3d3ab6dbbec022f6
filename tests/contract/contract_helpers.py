"""Helpers shared by the contract tests and their conftest (a module of its own, so that importing it never
depends on which `conftest` module pytest registered last)."""
from __future__ import annotations

import socket
from datetime import date, timedelta
from typing import Any
from backend.swedish_time import local_date

OFFICER_EMAIL = "handlaggare@regionjh.example"      # handler at Region Jämtland Härjedalen (care provider)
ADMIN_EMAIL = "admin@regionjh.example"
CONNECTED_UNIT = "SE2321000207-E2100"                 # Akutmottagning Östersunds sjukhus (Region JH, connected)
# a 1x1 PNG: the smallest attachment the backend accepts (checked by content)
PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154"
                        "789c6360000200000500017a5eab3f0000000049454e44ae426082")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def personnummer(birth: date, serial: int) -> str:
    """A valid 12-digit personnummer (YYYYMMDDNNNC) for a birth date and a three-digit serial."""
    nine = birth.strftime("%y%m%d") + f"{serial % 1000:03d}"
    return birth.strftime("%Y")[:2] + nine + luhn_digit(nine)


def valid_case(**overrides: Any) -> dict[str, Any]:
    """A complete, valid intake body (a relative reporting for a patient at a connected unit)."""
    body: dict[str, Any] = {
        "channel": "chat", "recipient": "care_provider", "care_unit_hsa_id": CONNECTED_UNIT,
        "care_unit_text": "akuten i Östersund", "region_code": "jamtland",
        "event_date": (local_date() - timedelta(days=10)).isoformat(),
        "reporter": {"role": "relative", "name": "Anna Andersson", "email": "anna@example.se",
                     "phone": "0701234567", "preferred_contact": "email"},
        "patient": {"name": "Karl Andersson", "personnummer": personnummer(date(1941, 7, 8), 980)},
        "patient_consent": "yes", "consent_note": "", "child_age": None,
        "description": "Pappa fick vänta sju timmar på akuten utan att någon förklarade varför.",
        "reporter_category": "vantetider", "desired_outcome": "En förklaring", "reply_wanted": True,
        "tags": [], "personal_data_consent": True,
    }
    body.update(overrides)
    return body
