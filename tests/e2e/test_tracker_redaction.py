"""End to end, on SQLite and on PostgreSQL: a whole conversation is filed, the person checks the status
in the chat with the code, and a second conversation is left half-way. Then the conversation store
(Rasa's `events` table, read directly) is scanned: within KG_TRACKER_REDACT_AFTER of the hand-over no
personnummer in any format, name, e-mail, phone, story or access code is left, the abandoned one is
cleaned once its session has expired plus the grace period, and the conversation still goes on."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = ["tests.conftest_servers"]

from tests.conftest_servers import RasaServer  # noqa: E402
from tests.scripted import Conversation  # noqa: E402

REDACT_AFTER = 6
SESSION_EXPIRY_S = 480 * 60  # bot/domain.yml session_config
GRACE_S = 86400              # KG_TRACKER_REDACT_ABANDONED_AFTER's default
ANSWERS = {"patient_name": "Ingrid Sjöberg", "pnr": "19121212-1212",
           "contact": "ingrid.sjoberg@example.se 070-987 65 43",
           "description": "Sköterskan glömde min insulin två gånger under natten på avdelningen."}
NEEDLES = ["19121212-1212", "191212121212", "121212-1212", "1212121212", "Ingrid", "Sjöberg", "Sjoberg",
           "ingrid.sjoberg@example.se", "070-987 65 43", "0709876543", "glömde min insulin", "två gånger under natten"]


def leaks(rows, extra=()):
    """Every needle, also with the dashes and spaces taken out, in the rows read back as text."""
    found = set()
    for raw in rows:
        text = raw + json.dumps(json.loads(raw), ensure_ascii=False)
        flat = text.replace("-", "").replace(" ", "")
        for n in [*NEEDLES, *extra]:
            if n in text or n.replace("-", "").replace(" ", "") in flat:
                found.add(n)
    return sorted(found)


def rows_of(engine, sender):
    with engine.connect() as con:
        return [r[0] for r in con.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                                          {"s": sender})]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, action_server):
    """A Rasa server with its own conversation store, and an engine on that store."""
    workdir = Path(tempfile.mkdtemp(prefix=f"kg-redact-{request.param}-"))
    model = Path(os.environ.get("KG_TEST_MODEL") or ROOT / "bot" / "models" / "current.tar.gz")
    rasa = RasaServer(workdir, action_server.url, model)
    pg_env = {**os.environ, "KG_PG_STATE": str(workdir / "pg.state")}
    engine = None
    try:
        if request.param == "sqlite":
            url = f"sqlite:///{workdir / 'tracker.db'}"
        else:
            pg = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], env=pg_env, capture_output=True,
                                text=True, timeout=120)
            assert pg.returncode == 0, pg.stderr
            port = pg.stdout.strip().rsplit(":", 1)[1].split("/")[0]
            admin = sa.create_engine(f"postgresql://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as con:  # docker-compose creates the database `rasa` the same way
                con.execute(sa.text("CREATE DATABASE rasa"))
            admin.dispose()
            rasa.endpoints.write_text(
                f"action_endpoint:\n  url: {action_server.url}/webhook\n"
                f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: {port}\n"
                f"  db: rasa\n  username: postgres\n")
            url = f"postgresql://postgres@127.0.0.1:{port}/rasa"
        rasa.env.update({"KG_TRACKER_REDACT_AFTER": str(REDACT_AFTER)})
        rasa.start()
        engine = sa.create_engine(url)
        yield rasa, engine
    finally:
        if engine is not None:
            engine.dispose()
        rasa.stop()
        if request.param == "postgresql":
            subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop"], env=pg_env, timeout=60)


def wait_clean(engine, sender, extra, seconds):
    deadline = time.monotonic() + seconds
    while True:
        found = leaks(rows_of(engine, sender), extra)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_no_personal_data_left_in_the_conversation_store(store, backend_server):
    rasa, engine = store
    c = Conversation(rasa, ANSWERS)
    ref, code = c.run_until_submitted("jag vill klaga på hälsocentralen Lit")
    handed_over = time.monotonic()
    assert "tas bort ur chattens logg inom en minut" in c.last_text
    # the store holds it all right after the hand-over …
    assert "Ingrid" in leaks(rows_of(engine, c.sender), [code])
    # … and within the hand-over period nothing of it
    found = wait_clean(engine, c.sender, [code], 60)
    assert found == [], found
    assert time.monotonic() - handed_over < 60

    # a status check: the code is asked for again (never kept), and is gone from the store afterwards
    c.say("hur går det med mitt ärende")
    assert "koden" in c.last_text
    c.say(f"koden är {code}")
    assert ref in c.last_text and "Mottaget" in c.last_text
    found = wait_clean(engine, c.sender, [code, code.replace("-", "")], 60)
    assert found == [], found
    with engine.connect() as con:
        intents = [r[0] for r in con.execute(sa.text(
            "SELECT intent_name FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": c.sender})]
    assert "check_status" in intents  # statistics and debugging keep the intents
    tracker = rasa.tracker(c.sender)
    assert tracker["slots"]["access_code"] is None and tracker["slots"]["case_reference"] == ref

    # the conversation goes on after its store was rewritten
    c.say("hur går det med mitt ärende")
    assert "koden" in c.last_text


def test_abandoned_conversation_is_cleaned_after_expiry_and_grace(store, backend_server):
    rasa, engine = store
    c = Conversation(rasa, ANSWERS)
    ref, _ = c.run_until_submitted("jag vill klaga på hälsocentralen Lit", stop_at="pnr")
    assert ref is None
    c.say("19121212-1212")  # the personnummer is given, then the person leaves
    time.sleep(REDACT_AFTER)
    assert "19121212-1212" in leaks(rows_of(engine, c.sender))  # not handed over: kept while it may go on
    # the clock moves on: the last message is now older than the session expiry plus the grace period
    with engine.begin() as con:
        con.execute(sa.text("UPDATE events SET timestamp = timestamp - :d WHERE sender_id = :s"),
                    {"d": SESSION_EXPIRY_S + GRACE_S + 120, "s": c.sender})
    found = wait_clean(engine, c.sender, [], 30)
    assert found == [], found
