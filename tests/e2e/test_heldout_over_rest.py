"""The held-out messages (nlu/data/triage/heldout, written apart) sent as the first message of new
conversations through the whole stack over REST: issue 7's floors, measured where people meet them.

* every critical message gets 112 and never starts the form;
* at least 97 % of the complaint and praise openings start the complaint flow with no fallback;
* at least 90 % of other-authority requests are pointed to the right body.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.triage_eval import rest_outcomes  # noqa: E402
from nlu import triage_data  # noqa: E402
from nlu.triage_data import CRITICAL  # noqa: E402

pytest_plugins = ["tests.conftest_servers"]


def test_heldout_messages_start_the_right_flow(rasa_server, backend_server):
    items = [i for i in triage_data.load_split("heldout", ROOT / "nlu/data/triage")
             if i.label in CRITICAL + ("complaint", "other_authority")]
    outcomes = rest_outcomes(rasa_server.url, items)
    by = {}
    for item, out in zip(items, outcomes):
        by.setdefault("critical" if item.label in CRITICAL else item.label, []).append((item, out))
    missed = [i.text for i, o in by["critical"] if not o["ok"]]
    assert missed == [], f"critical messages without 112: {missed}"
    openings = by["complaint"]
    wrong = [(i.text, o["reply"][:120]) for i, o in openings if not o["ok"]]
    assert len(wrong) <= 0.03 * len(openings), f"{len(wrong)}/{len(openings)} openings not understood: {wrong}"
    auth = by["other_authority"]
    wrong = [(i.body, i.text) for i, o in auth if not o["ok"]]
    assert len(wrong) <= 0.10 * len(auth), f"{len(wrong)}/{len(auth)} not pointed to the right body: {wrong}"
