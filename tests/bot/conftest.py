"""Bot action tests: the custom actions run in-process (the Python 3.10 bot venv) against a
REAL backend subprocess on a free port with a temporary SQLite database."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# importing bot.actions refuses the development token outside KG_ENV=dev: the tests use their own
os.environ.setdefault("KG_SERVICE_TOKEN", "test-service-token")

pytest_plugins = ["tests.conftest_servers"]

from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from bot.actions import backend_client  # noqa: E402
from tests.conftest_servers import SERVICE_TOKEN  # noqa: E402


@pytest.fixture(scope="session")
def domain():
    return yaml.safe_load((ROOT / "bot" / "domain.yml").read_text())


@pytest.fixture
async def backend(backend_server):
    """Point the actions at the test backend (with fast retries)."""
    client = backend_client.BackendClient(backend_server.url, SERVICE_TOKEN, timeout=5, retries=1, backoff=0.1)
    backend_client.clear_cache()
    backend_client.set_client(client)
    yield backend_server
    backend_client.set_client(None)
    await backend_client.close_sessions()


def make_tracker(slots=None, text="", intent="inform", confidence=0.95, entities=None,
                 requested=None, loop="complaint_form", extra_parse=None, fresh=True):
    slots = dict(slots or {})
    slots["requested_slot"] = requested
    ents = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "intent_ranking": [{"name": intent, "confidence": confidence}], "entities": ents}
    latest.update(extra_parse or {})
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": latest}]
    if not fresh:
        events.append({"event": "action", "name": "utter_info_process"})
    events += [{"event": "slot", "name": "requested_slot", "value": requested},
               {"event": "action", "name": loop}]
    return Tracker("test-user", slots, latest, events, False, None,
                   {"name": loop} if loop else {}, loop)


async def run_action(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher.messages, events


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
