"""What the actions do so that the conversation store keeps no personal data (bot/tracker_redaction.py).

- `handed_over()` is the slot event that marks a hand-over (a case filed, a status shown, a reply sent,
  a complaint cancelled or stopped): the Rasa process then redacts the conversation up to the end of
  that turn within KG_TRACKER_REDACT_AFTER seconds.
- `widget_marker()` tells the chat widget that what came before may no longer be kept in the browser.
- The access code is never kept in a slot past the turn. When the officer waits for an answer, the
  code is held here, in the action server's memory, for a few minutes so that the reply can be sent
  (`hold_code` / `held_code`); it is never written anywhere.
"""
from __future__ import annotations

import math
import os
import time
from typing import Dict, Optional, Tuple

from rasa_sdk.events import SlotSet

HANDOVER_SLOT = "handed_over_at"
CODE_HOLD_S = 15 * 60

_held: Dict[str, Tuple[str, str, float]] = {}


def handed_over() -> SlotSet:
    return SlotSet(HANDOVER_SLOT, time.time())


def widget_marker(keep: int = 0) -> Dict[str, object]:
    """A custom message (Rasa's socket.io channel emits json_message["data"]): the widget keeps only the
    last `keep` messages of this turn, with the code masked, and drops everything before them."""
    return {"data": {"kind": "handover", "keep": keep}}


def within() -> str:
    """How soon the conversation store is cleaned, in words: "inom en minut", "inom 5 minuter"."""
    try:
        seconds = float(os.environ.get("KG_TRACKER_REDACT_AFTER") or 60)
    except ValueError:
        seconds = 60.0
    minutes = max(1, math.ceil(seconds / 60))
    return "inom en minut" if minutes == 1 else f"inom {minutes} minuter"


def hold_code(sender_id: str, reference: str, code: str, now: Optional[float] = None) -> None:
    now = time.time() if now is None else now
    for key in [k for k, (_, _, exp) in _held.items() if exp < now]:
        del _held[key]
    _held[sender_id] = (reference, code, now + CODE_HOLD_S)


def held_code(sender_id: str, reference: str, now: Optional[float] = None) -> Optional[str]:
    item = _held.get(sender_id)
    if not item:
        return None
    ref, code, expires = item
    if expires < (time.time() if now is None else now) or ref != reference:
        _held.pop(sender_id, None)
        return None
    return code


def drop_code(sender_id: str) -> None:
    _held.pop(sender_id, None)
