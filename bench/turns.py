#!/usr/bin/env python
"""How many user turns a typical complaint takes, first message to the reference, per scenario.

    .venv-bot/bin/python bench/turns.py --rasa-url http://127.0.0.1:5005   # against `make run`
    .venv-bot/bin/python bench/turns.py --start                           # its own stack on free ports

Each scenario is a whole scripted conversation (tests/scripted.py answers whatever is asked, name and
personnummer in one answer when both are asked for); prints
a table with the user turns and the questions asked, and the median.  Aim (issue 7): median ≤ 10.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scripted import Conversation  # noqa: E402

SCENARIOS: List[Tuple[str, str, Dict[str, str]]] = [
    ("patient, short opening", "Jag vill lämna ett klagomål", {"patient_name": "Anna Andersson 19121212-1212"}),
    ("patient, story with unit and date",
     "Jag blev illa bemött av läkaren på akuten i Östersund igår, han lyssnade inte alls när jag berättade om smärtan",
     {"patient_name": "Anna Andersson 19121212-1212"}),
    ("relative with consent",
     "min pappa låg på ortopeden i östersund förra veckan och fick ligga i sin egen urin en hel natt",
     {"consent": '/inform{"patient_consent":"yes"}', "patient_name": "Olle Lind 19121212-1212",
      "reporter_name": "Eva Lind"}),
    ("guardian for a child", "Jag vill klaga på hur BUP har behandlat min son",
     {"role": '/inform{"reporter_role":"guardian"}', "age": "12", "patient_name": "Olle Lind 20140312-1237",
      "reporter_name": "Eva Lind"}),
    ("a death in the first message",
     "Min mamma dog på medicinavdelningen på Östersunds sjukhus i mars och ingen berättade för oss hur dålig hon var",
     {"patient_name": "Karin Berg 19121212-1212", "reporter_name": "Eva Berg"}),
    ("praise", "Jag vill ge beröm till barnmorskorna på förlossningen i Östersund",
     {"patient_name": "Anna Andersson 19121212-1212"}),
]


class Rasa:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def say(self, sender: str, message: str, timeout: float = 60) -> List[dict]:
        r = httpx.post(self.url + "/webhooks/rest/webhook", json={"sender": sender, "message": message},
                       timeout=timeout)
        r.raise_for_status()
        return r.json()


def run(url: str) -> int:
    rasa = Rasa(url)
    rows, turns = [], []
    for name, first, answers in SCENARIOS:
        c = Conversation(rasa, answers)
        ref, _ = c.run_until_submitted(first)
        n = sum(1 for who, _ in c.transcript if who == "user")
        turns.append(n)
        rows.append((name, n, ", ".join(c.asked)))
    w = max(len(r[0]) for r in rows)
    print(f"| {'scenario'.ljust(w)} | user turns | questions asked |")
    print(f"|{'-' * (w + 2)}|------------|-----------------|")
    for name, n, asked in rows:
        print(f"| {name.ljust(w)} | {str(n).rjust(10)} | {asked} |")
    print(f"\nmedian user turns: {statistics.median(turns)} (aim ≤ 10)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rasa-url")
    ap.add_argument("--start", action="store_true", help="start backend, action server and Rasa on free ports")
    args = ap.parse_args()
    if args.rasa_url:
        return run(args.rasa_url)
    if not args.start:
        ap.error("give --rasa-url or --start")
    from tests.conftest_servers import ActionServer, BackendServer, RasaServer

    work = Path(tempfile.mkdtemp(prefix="kg-turns-"))
    backend = BackendServer(work)
    backend.prepare()
    backend.start()
    action = ActionServer(work, backend.url)
    action.start()
    rasa = RasaServer(work, action.url, ROOT / "bot" / "models" / "current.tar.gz")
    try:
        rasa.start()
        return run(rasa.url)
    finally:
        for s in (rasa, action, backend):
            s.stop()


if __name__ == "__main__":
    sys.exit(main())
