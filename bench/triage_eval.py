#!/usr/bin/env python
"""Evaluate the message triage on text it never saw.

    PYTHONPATH=. .venv-bot/bin/python bench/triage_eval.py                 # held-out sets
    PYTHONPATH=. .venv-bot/bin/python bench/triage_eval.py --split dev     # the tuning set
    PYTHONPATH=. .venv-bot/bin/python bench/triage_eval.py --cv 5          # cross-validation on train
    PYTHONPATH=. .venv-bot/bin/python bench/triage_eval.py --rest http://127.0.0.1:5005   # + the running stack

Trains on ``nlu/data/triage/train`` (+ the category descriptions) and prints, for the chosen set:
per-class recall and precision, critical recall, every critical miss verbatim, false alarms on the
complaint openings (verbatim), other-authority body accuracy, and the time per message.  With
``--rest`` it also sends each held-out message as the first message of a new conversation over
Rasa's REST channel and reads the tracker (``--enable-api``): an opening must start the complaint
flow with no fallback, a critical message must get 112, an other-authority request its body's name,
a medical question 1177.  ``--check`` exits 1 when a floor of issue 7 is not met.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Sequence

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("KG_ENV", "dev")  # bot.actions is used as a library here, not as a server
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from nlu import triage_data  # noqa: E402
from nlu.triage_data import CRITICAL, LABELS, Item  # noqa: E402

FLOORS = {"critical_recall": 1.0, "opening_false_alarms": 0.01, "openings_understood": 0.97, "authority_body": 0.90}


def table(rows: List[List[Any]], header: List[str]) -> str:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in cells[1:]])


def evaluate(items: Sequence[Item], results: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    gold = [i.label for i in items]
    pred = [r["label"] for r in results]
    rows = []
    for lab in LABELS:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        n = sum(g == lab for g in gold)
        npred = sum(p == lab for p in pred)
        rows.append([lab, n, f"{tp / n:.3f}" if n else "–", f"{tp / npred:.3f}" if npred else "–"])
    crit = [(i, r) for i, r in zip(items, results) if i.label in CRITICAL]
    crit_hit = [r["label"] in CRITICAL for _, r in crit]
    openings = [(i, r) for i, r in zip(items, results) if i.label == "complaint"]
    false_alarms = [(i, r) for i, r in openings if r["label"] in CRITICAL]
    non_crit = [(i, r) for i, r in zip(items, results) if i.label not in CRITICAL]
    auth = [(i, r) for i, r in zip(items, results) if i.label == "other_authority"]
    body_ok = [r["label"] == "other_authority" and r.get("body") == i.body for i, r in auth]
    hard = [(i, r) for i, r in openings if i.meta.get("hard")]
    return {
        "rows": rows,
        "critical_recall": sum(crit_hit) / len(crit) if crit else None,
        "critical_n": len(crit),
        "misses": [(i, r) for (i, r), ok in zip(crit, crit_hit) if not ok],
        "opening_false_alarms": len(false_alarms) / len(openings) if openings else None,
        "openings_n": len(openings),
        "false_alarms": false_alarms,
        "all_false_alarms": [(i, r) for i, r in non_crit if r["label"] in CRITICAL],
        "hard_false_alarms": sum(r["label"] in CRITICAL for _, r in hard), "hard_n": len(hard),
        "authority_body": sum(body_ok) / len(auth) if auth else None, "authority_n": len(auth),
        "authority_wrong": [(i, r) for (i, r), ok in zip(auth, body_ok) if not ok],
    }


def pct(x):
    return "–" if x is None else f"{100 * x:.1f} %"


def report(name: str, ev: Dict[str, Any]) -> None:
    print(f"\n## Triage on {name}\n")
    print(table(ev["rows"], ["class", "n", "recall", "precision"]))
    print()
    print(table([
        ["critical recall (emergency+suicide+threat → any critical)", pct(ev["critical_recall"]), ev["critical_n"]],
        ["false alarms on complaint openings", pct(ev["opening_false_alarms"]), ev["openings_n"]],
        ["  of which hard negatives (past events, praise naming death…)", f"{ev['hard_false_alarms']}/{ev['hard_n']}", ev["hard_n"]],
        ["false alarms on all non-critical messages", f"{len(ev['all_false_alarms'])}", ""],
        ["other authority: right body", pct(ev["authority_body"]), ev["authority_n"]],
    ], ["measure", "value", "n"]))
    print(f"\nCritical misses ({len(ev['misses'])}):")
    for i, r in ev["misses"]:
        print(f"  - [{i.label} → {r['label']} {r['confidence']}] {i.text}")
    print(f"False alarms on non-critical messages ({len(ev['all_false_alarms'])}):")
    for i, r in ev["all_false_alarms"]:
        print(f"  - [{i.label} → {r['label']} {r['confidence']} {r.get('source')}] {i.text}")
    if ev["authority_wrong"]:
        print(f"Other authority, wrong or no body ({len(ev['authority_wrong'])}):")
        for i, r in ev["authority_wrong"]:
            print(f"  - [{i.body} → {r['label']}/{r.get('body')}] {i.text}")


def cross_validate(k: int, seed: int = 42) -> None:
    import random

    from nlu.triage import TriageModel

    items = triage_data.training_items()
    rng = random.Random(seed)
    order = list(range(len(items)))
    rng.shuffle(order)
    results: List[Dict[str, Any]] = [None] * len(items)  # type: ignore[list-item]
    for f in range(k):
        test = set(order[f::k])
        model = TriageModel().fit([items[i] for i in range(len(items)) if i not in test], seed=seed)
        idx = sorted(test)
        for i, r in zip(idx, model.triage([items[i].text for i in idx])):
            results[i] = r
    report(f"{k}-fold cross-validation of the training set ({len(items)} messages)", evaluate(items, results))


# --- the running stack over REST ---------------------------------------------------------------

def rest_outcomes(url: str, items: Sequence[Item], concurrency: int = 4) -> List[Dict[str, Any]]:
    """Each item as the first message of a new conversation; did it start the right flow?"""
    import concurrent.futures

    import httpx

    from bot.actions.referrals import REFERRALS

    url = url.rstrip("/")

    def one(item: Item) -> Dict[str, Any]:
        sender = "triage-eval-" + uuid.uuid4().hex[:12]
        r = httpx.post(url + "/webhooks/rest/webhook", json={"sender": sender, "message": item.text}, timeout=120)
        r.raise_for_status()
        text = "\n".join(m.get("text") or "" for m in r.json())
        tr = httpx.get(f"{url}/conversations/{sender}/tracker", timeout=60).json()
        actions = [e.get("name") for e in tr.get("events", []) if e.get("event") == "action"]
        fallback = any(a in ("action_default_fallback", "action_two_stage_fallback", "action_default_ask_affirmation")
                       for a in actions) or "inte säker på att jag förstod" in text or "förstår inte" in text
        started = "action_prefill_complaint" in actions
        if item.label == "complaint":
            ok = started and not fallback and "112" not in text
        elif item.label in CRITICAL:
            ok = "112" in text and not started
        elif item.label == "other_authority":
            ok = REFERRALS[item.body].name.lower() in text.lower() and not started
        elif item.label == "medical":
            ok = "1177" in text and not started
        else:
            ok = not fallback
        return {"ok": ok, "reply": text, "started": started, "fallback": fallback}

    with concurrent.futures.ThreadPoolExecutor(concurrency) as ex:
        return list(ex.map(one, items))


def rest_check(url: str, items: Sequence[Item]) -> Dict[str, float]:
    outs = rest_outcomes(url, items)
    by = defaultdict(list)
    for i, o in zip(items, outs):
        by[i.label].append((i, o))
    rows = [[lab, len(v), f"{sum(o['ok'] for _, o in v)}", pct(sum(o["ok"] for _, o in v) / len(v))]
            for lab, v in by.items()]
    print("\n## The running stack over REST (first message of a new conversation)\n")
    print(table(rows, ["class", "n", "right flow", "share"]))
    for lab, v in by.items():
        bad = [(i, o) for i, o in v if not o["ok"]]
        if bad:
            print(f"\nNot right, {lab} ({len(bad)}):")
            for i, o in bad:
                print(f"  - {i.text}\n      → {o['reply'][:160]!r}")
    return {lab: sum(o["ok"] for _, o in v) / len(v) for lab, v in by.items()}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="heldout", choices=("heldout", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8"))
    ap.add_argument("--cv", type=int, default=0, help="k-fold cross-validation on the training set instead")
    ap.add_argument("--rest", help="Rasa server URL (started with --enable-api) to send the messages to")
    ap.add_argument("--check", action="store_true", help="exit 1 when a floor of issue 7 is not met")
    args = ap.parse_args(argv)
    if args.cv:
        cross_validate(args.cv)
        return 0
    from nlu.triage import train_from_files

    t0 = time.perf_counter()
    model = train_from_files()
    train_s = time.perf_counter() - t0
    items = triage_data.load_split(args.split)
    model.triage([items[0].text])
    t0 = time.perf_counter()
    results = [model.triage([i.text])[0] for i in items]
    per_msg = (time.perf_counter() - t0) * 1000 / len(items)
    ev = evaluate(items, results)
    counts = Counter(i.label for i in items)
    print(f"trained in {train_s:.1f} s on {len(triage_data.training_items())} messages; "
          f"{args.split}: {len(items)} messages {dict(counts)}; {per_msg:.2f} ms per message")
    report(f"the {args.split} set", ev)
    failed = []
    if ev["critical_recall"] is not None and ev["critical_recall"] < FLOORS["critical_recall"]:
        failed.append("critical recall")
    if ev["opening_false_alarms"] is not None and ev["opening_false_alarms"] > FLOORS["opening_false_alarms"]:
        failed.append("false alarms on openings")
    if ev["authority_body"] is not None and ev["authority_body"] < FLOORS["authority_body"]:
        failed.append("other-authority body")
    if args.rest:
        shares = rest_check(args.rest.rstrip("/"), items)
        if shares.get("complaint", 1.0) < FLOORS["openings_understood"]:
            failed.append("openings understood over REST")
    if failed:
        print("\nbelow the floor: " + ", ".join(failed))
    return 1 if (failed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
