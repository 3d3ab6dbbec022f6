"""Removes personal data from Rasa's conversation store (the SQL tracker store: SQLite or PostgreSQL).

A conversation's own words are the personal data: personnummer, names, contact details, the story, the
access code and the officer's answers shown in a status check. Once a conversation has handed its data
over or stopped, nothing of that is kept: a worker in the Rasa process (started by bot/rasa_server.py)
rewrites the `data` of that conversation's rows in place and keeps only what statistics and debugging
need — event types, intent and action names, slot names, the triage label, timestamps.

- Hand-over: an action sets the slot `handed_over_at` (a case filed, a status shown, a reply sent, the
  complaint cancelled or stopped). Everything up to the end of that turn is redacted within
  `KG_TRACKER_REDACT_AFTER` seconds (default 60): the worker looks every third of that time.
- Abandoned: a conversation whose last event is older than the session expiry (domain.yml
  session_config) plus `KG_TRACKER_REDACT_ABANDONED_AFTER` seconds (default 86400) is redacted whole.

Each redaction holds the lock store's lock of that conversation, so it never races a turn: Rasa saves
a turn's events under the same lock. Rasa appends new events by counting the stored ones, so rows are
only ever rewritten, never deleted. The table `kg_redaction` (in the tracker database) remembers how far
each conversation has been redacted.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa

logger = logging.getLogger(__name__)

MARK = "[raderat]"
HANDOVER_SLOT = "handed_over_at"
DEFAULT_AFTER_S = 60.0
DEFAULT_ABANDONED_AFTER_S = 86400.0

# Slots whose values are codes or the conversation's own state, never anything the person wrote.
# Every other slot value is replaced by None (the tracker stays loadable, and nothing is carried
# over into a later session).
KEEP_SLOTS = frozenset({
    "requested_slot", HANDOVER_SLOT, "case_reference", "last_case_reference", "awaiting_reply",
    "question", "crisis", "complaint_kind", "reporter_role", "recipient",
})
# From a message's parse data only the classification is kept.
TRIAGE_KEYS = ("label", "confidence", "source")

_metadata = sa.MetaData()
REDACTION_TABLE = sa.Table(
    "kg_redaction", _metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("upto_id", sa.Integer, nullable=False),  # rows with id <= upto_id are redacted
    sa.Column("redacted_at", sa.Float, nullable=False),
)


def _intent(value: Any) -> Any:
    if isinstance(value, dict):
        return {"name": value.get("name"), "confidence": value.get("confidence")}
    return None


def _entities(value: Any) -> List[Dict[str, Any]]:
    out = []
    for e in value or []:
        if isinstance(e, dict):
            out.append({"entity": e.get("entity"), "value": MARK})
    return out


def redact_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """The event with nothing of what was written: built from a short list of what may stay."""
    kind = event.get("event")
    out: Dict[str, Any] = {"event": kind, "timestamp": event.get("timestamp"), "metadata": {}}
    if kind == "user":
        pd = event.get("parse_data") or {}
        triage = pd.get("triage") if isinstance(pd.get("triage"), dict) else None
        out.update({
            "text": MARK if event.get("text") is not None else None,
            "input_channel": event.get("input_channel"),
            "message_id": event.get("message_id"),
            "parse_data": {
                "intent": _intent(pd.get("intent")),
                "entities": _entities(pd.get("entities")),
                "text": MARK,
                "message_id": pd.get("message_id"),
                "intent_ranking": [_intent(i) for i in pd.get("intent_ranking") or [] if isinstance(i, dict)],
                **({"triage": {k: triage.get(k) for k in TRIAGE_KEYS}} if triage else {}),
            },
        })
    elif kind == "bot":
        utter = (event.get("metadata") or {}).get("utter_action")
        out["metadata"] = {"utter_action": utter} if isinstance(utter, str) else {}
        out["text"] = MARK if event.get("text") is not None else None
        out["data"] = {k: None for k in (event.get("data") or {})}
    elif kind == "slot":
        out["name"] = event.get("name")
        out["value"] = event.get("value") if event.get("name") in KEEP_SLOTS else None
    elif kind == "action":
        for k in ("name", "policy", "confidence", "hide_rule_turn"):
            if k in event:
                out[k] = event[k]
        if "action_text" in event:
            out["action_text"] = None
    elif kind in ("entities",):
        out["entities"] = _entities(event.get("entities"))
    elif kind in ("reminder", "cancel_reminder"):
        for k in ("intent", "name", "date_time", "kill_on_user_msg"):
            if k in event:
                out[k] = event[k]
        if "entities" in event:
            out["entities"] = _entities(event.get("entities"))
    else:
        # active_loop, followup, session_started, restart, rewind, reset_slots, pause, resume, undo,
        # user_featurization, loop_interrupted, action_execution_rejected …: names and flags only
        for k, v in event.items():
            if k in out or k == "metadata":
                continue
            if isinstance(v, (bool, int, float)) or v is None or k in ("name", "policy"):
                out[k] = v if not isinstance(v, (dict, list)) else None
    return out


def _sql_store(tracker_store: Any) -> Any:
    """Rasa wraps the configured store (AwaitableTrackerStore, FailSafeTrackerStore): the SQL one inside."""
    seen = 0
    store = tracker_store
    while store is not None and seen < 5:
        if hasattr(store, "SQLEvent") and hasattr(store, "session_scope"):
            return store
        store = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None)
        seen += 1
    return None


class Redactor:
    """Finds what is due and redacts it, one conversation at a time under its lock."""

    def __init__(self, tracker_store: Any, lock_store: Any, *, after_s: float = DEFAULT_AFTER_S,
                 abandoned_after_s: float = DEFAULT_ABANDONED_AFTER_S, session_expiry_s: float = 0.0) -> None:
        store = _sql_store(tracker_store)
        if store is None:
            raise ValueError("the conversation store is not an SQL tracker store")
        self.store = store
        self.events = store.SQLEvent.__table__
        self.lock_store = lock_store
        self.after_s = after_s
        self.abandoned_s = session_expiry_s + abandoned_after_s
        _metadata.create_all(store.engine, tables=[REDACTION_TABLE], checkfirst=True)

    # --- what is due ---------------------------------------------------------------------------
    def _due(self, now: float) -> List[Tuple[str, Optional[int]]]:
        """(sender, marker row id) for a hand-over; (sender, None) for an abandoned conversation."""
        e, r = self.events, REDACTION_TABLE
        done = sa.func.coalesce(r.c.upto_id, 0)
        handovers = (
            sa.select(e.c.sender_id, sa.func.max(e.c.id))
            .select_from(e.outerjoin(r, r.c.sender_id == e.c.sender_id))
            .where(e.c.type_name == "slot", e.c.action_name == HANDOVER_SLOT, e.c.id > done)
            .group_by(e.c.sender_id)
        )
        last = (sa.select(e.c.sender_id.label("sender_id"), sa.func.max(e.c.id).label("last_id"),
                          sa.func.max(e.c.timestamp).label("last_ts"))
                .group_by(e.c.sender_id).subquery())
        abandoned = (
            sa.select(last.c.sender_id)
            .select_from(last.outerjoin(r, r.c.sender_id == last.c.sender_id))
            .where(last.c.last_ts < now - self.abandoned_s, last.c.last_id > sa.func.coalesce(r.c.upto_id, 0))
        )
        with self.store.session_scope() as session:
            due: Dict[str, Optional[int]] = {s: None for (s,) in session.execute(abandoned)}
            for sender, marker in session.execute(handovers):
                due.setdefault(sender, marker)
        return list(due.items())

    def _upto(self, session: Any, sender: str, marker: Optional[int]) -> int:
        """The last row of the hand-over's turn (up to the next message), or the last row of all."""
        e = self.events
        last = session.execute(sa.select(sa.func.max(e.c.id)).where(e.c.sender_id == sender)).scalar() or 0
        if marker is None:
            return last
        nxt = session.execute(sa.select(sa.func.min(e.c.id)).where(
            e.c.sender_id == sender, e.c.type_name == "user", e.c.id > marker)).scalar()
        return nxt - 1 if nxt else last

    # --- redaction -----------------------------------------------------------------------------
    def redact_now(self, sender: str, marker: Optional[int]) -> int:
        """Rewrites the rows that are due; the caller holds the conversation's lock. Returns rows changed."""
        e, r = self.events, REDACTION_TABLE
        changed = 0
        with self.store.session_scope() as session:
            upto = self._upto(session, sender, marker)
            done = session.execute(sa.select(r.c.upto_id).where(r.c.sender_id == sender)).scalar()
            rows = session.execute(sa.select(e.c.id, e.c.data).where(
                e.c.sender_id == sender, e.c.id <= upto, e.c.id > (done or 0))).all()
            for row_id, data in rows:
                try:
                    event = json.loads(data) if data else {}
                except ValueError:
                    event = {}
                new = json.dumps(redact_event(event)) if isinstance(event, dict) else json.dumps({})
                if new != data:
                    session.execute(sa.update(e).where(e.c.id == row_id).values(data=new))
                    changed += 1
            values = {"upto_id": upto, "redacted_at": time.time()}
            if done is None:
                session.execute(sa.insert(r).values(sender_id=sender, **values))
            else:
                session.execute(sa.update(r).where(r.c.sender_id == sender).values(**values))
            session.commit()
        return changed

    async def run_once(self, now: Optional[float] = None) -> int:
        """One pass over everything that is due; returns how many conversations were redacted."""
        due = self._due(time.time() if now is None else now)
        for sender, marker in due:
            async with self.lock_store.lock(sender):
                self.redact_now(sender, marker)
        if due:
            logger.info("conversation store: personal data removed from %d conversation(s)", len(due))
        return len(due)

    @property
    def interval_s(self) -> float:
        return max(0.5, min(self.after_s / 3, 60.0))


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, not {raw!r}")
    if value < 0:
        raise SystemExit(f"{name} must not be negative")
    return value


def from_agent(agent: Any) -> Optional[Redactor]:
    """A redactor for a loaded Rasa agent, with the settings from the environment; None (and a
    warning) when the conversation store is not an SQL store."""
    if _sql_store(agent.tracker_store) is None:
        logger.warning("conversation store is not SQL: personal data is not removed from it")
        return None
    expiry_min = float(getattr(agent.domain.session_config, "session_expiration_time", 0) or 0)
    return Redactor(agent.tracker_store, agent.lock_store,
                    after_s=_env_seconds("KG_TRACKER_REDACT_AFTER", DEFAULT_AFTER_S),
                    abandoned_after_s=_env_seconds("KG_TRACKER_REDACT_ABANDONED_AFTER", DEFAULT_ABANDONED_AFTER_S),
                    session_expiry_s=expiry_min * 60)


async def run_forever(agent: Any, retry_s: float = 30.0) -> None:
    """The worker: never stops Rasa; a database that is not reachable yet is tried again."""
    redactor: Optional[Redactor] = None
    while True:
        try:
            if redactor is None:
                redactor = from_agent(agent)
                if redactor is None:
                    return
            await redactor.run_once()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never the data: only the kind of error
            logger.error("conversation store redaction failed: %s", type(exc).__name__)
        await asyncio.sleep(redactor.interval_s if redactor is not None else retry_s)
