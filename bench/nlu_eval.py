#!/usr/bin/env python
"""Evaluate the category suggester: train on train.yml, evaluate on heldout.yml.

    PYTHONPATH=. python bench/nlu_eval.py [--min-top1-main 0.85] [--min-top3-sub 0.90]

Prints per-sub precision/recall/F1/support, the most frequent confusions, and
top-1 main / top-1 sub / top-3 sub accuracy.  Exits 1 when a ``--min-*``
threshold is not met, 2 when the data is missing or invalid.

``--cv K`` instead runs stratified K-fold cross-validation on train.yml only
(for tuning features without looking at the held-out set); ``--set key=value``
overrides a model setting (see ``nlu.category_suggester.DEFAULT_MODEL_CONFIG``).
No example text is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu import category_data  # noqa: E402
from nlu.category_data import CategoryDataError, Taxonomy  # noqa: E402


def _model_module():
    # imported lazily: it pulls in Rasa (slow) for the graph component
    from nlu import category_suggester

    return category_suggester


def _parse_overrides(items: Sequence[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for item in items:
        key, _, raw = item.partition("=")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def evaluate(
    model, taxonomy: Taxonomy, texts: Sequence[str], gold: Sequence[str]
) -> Dict[str, Any]:
    """Top-1/top-3 figures, per-class P/R/F1 and confusions for one model."""
    probs = model.predict_proba(texts)
    classes = model.classes
    order = probs.argsort(axis=1)[:, ::-1]
    pred = [classes[row[0]] for row in order]
    top3 = [[classes[i] for i in row[:3]] for row in order]
    n = len(gold)
    top1_sub = sum(p == g for p, g in zip(pred, gold)) / n
    top3_sub = sum(g in t for t, g in zip(top3, gold)) / n
    top1_main = sum(taxonomy.main_of(p) == taxonomy.main_of(g) for p, g in zip(pred, gold)) / n
    per_class = {}
    for c in taxonomy.sub_codes:
        tp = sum(p == c and g == c for p, g in zip(pred, gold))
        fp = sum(p == c and g != c for p, g in zip(pred, gold))
        fn = sum(p != c and g == c for p, g in zip(pred, gold))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[c] = (prec, rec, f1, tp + fn)
    confusions = Counter((g, p) for p, g in zip(pred, gold) if p != g)
    return {
        "n": n,
        "top1_main": top1_main,
        "top1_sub": top1_sub,
        "top3_sub": top3_sub,
        "per_class": per_class,
        "confusions": confusions,
    }


def print_report(res: Dict[str, Any], taxonomy: Taxonomy, title: str, top_conf: int = 15):
    print(title)
    w = max(len(c) for c in taxonomy.sub_codes)
    wm = max(len(m) for m in taxonomy.main_codes)
    header = f"{'sub':<{w}}  {'main':<{wm}}  {'precision':>9}  {'recall':>6}  {'f1':>5}  {'support':>7}"
    print(header)
    print("-" * len(header))
    for c in taxonomy.sub_codes:
        p, r, f, s = res["per_class"][c]
        print(f"{c:<{w}}  {taxonomy.main_of(c):<{wm}}  {p:>9.3f}  {r:>6.3f}  {f:>5.3f}  {s:>7d}")
    macro = [sum(v[i] for v in res["per_class"].values()) / len(res["per_class"]) for i in range(3)]
    print("-" * len(header))
    print(f"{'macro avg':<{w}}  {'':<{wm}}  {macro[0]:>9.3f}  {macro[1]:>6.3f}  {macro[2]:>5.3f}  {res['n']:>7d}")
    print()
    if res["confusions"]:
        print(f"most frequent confusions (gold -> predicted), top {top_conf}")
        wg = max(len(g) for (g, _) in res["confusions"])
        for (g, p), k in res["confusions"].most_common(top_conf):
            same = "same main" if taxonomy.main_of(g) == taxonomy.main_of(p) else ""
            print(f"  {g:<{wg}} -> {p:<{w}}  {k:>3d}  {same}")
        print()
    print(f"{'metric':<18}  {'value':>7}")
    print(f"{'-' * 18}  {'-' * 7}")
    for key, label in (("top1_main", "top-1 main acc"), ("top1_sub", "top-1 sub acc"), ("top3_sub", "top-3 sub acc")):
        print(f"{label:<18}  {res[key] * 100:>6.1f}%")


ANGRY = re.compile(r"!!|\b(fan|jävla|javla|skit|helt sjukt|sjukt dåligt|vidrigt|skandal|skämmas|skammas)\b", re.I)


def style_of(text: str) -> List[str]:
    """Heuristic styles of a held-out text (a text can have several)."""
    words = text.split()
    out = []
    if len(words) < 12:
        out.append("short (< 12 words)")
    if len(words) > 60:
        out.append("long (> 60 words)")
    if not re.search(r"[åäöÅÄÖ]", text) and len(words) >= 4:
        out.append("no å/ä/ö")
    if ANGRY.search(text) or sum(w.isupper() and len(w) > 2 for w in words) >= 2:
        out.append("angry or caps")
    return out or ["other"]


def print_styles(model, taxonomy: Taxonomy, texts: Sequence[str], gold: Sequence[str], files: Sequence[str]) -> None:
    """Top-1 main and top-3 sub per held-out file and per style."""
    groups: Dict[str, List[int]] = {}
    for i, t in enumerate(texts):
        groups.setdefault(f"file {files[i]}", []).append(i)
        for st in style_of(t):
            groups.setdefault(f"style {st}", []).append(i)
    print(f"\n{'held-out part':<34}  {'n':>4}  {'top-1 main':>10}  {'top-3 sub':>9}")
    for name, idx in groups.items():
        r = evaluate(model, taxonomy, [texts[i] for i in idx], [gold[i] for i in idx])
        print(f"{name:<34}  {r['n']:>4}  {r['top1_main'] * 100:>9.1f}%  {r['top3_sub'] * 100:>8.1f}%")


def cross_validate(
    taxonomy: Taxonomy, examples: Dict[str, List[str]], k: int, seed: int, overrides: Dict[str, Any]
) -> Dict[str, Any]:
    """Stratified K-fold on the training file only."""
    import random

    mod = _model_module()
    rng = random.Random(seed)
    folds: List[List[Tuple[str, str]]] = [[] for _ in range(k)]
    for code, items in examples.items():
        items = list(items)
        rng.shuffle(items)
        for i, t in enumerate(items):
            folds[i % k].append((t, code))
    texts_all: List[str] = []
    gold_all: List[str] = []
    probs_rows = []
    results = []
    for i in range(k):
        train = [x for j, f in enumerate(folds) if j != i for x in f]
        test = folds[i]
        m = mod.CategoryModel(taxonomy, overrides).fit([t for t, _ in train], [c for _, c in train], seed=seed)
        results.append(evaluate(m, taxonomy, [t for t, _ in test], [c for _, c in test]))
        texts_all += [t for t, _ in test]
        gold_all += [c for _, c in test]
    merged = {
        "n": sum(r["n"] for r in results),
        "per_class": {},
        "confusions": sum((r["confusions"] for r in results), Counter()),
    }
    for key in ("top1_main", "top1_sub", "top3_sub"):
        merged[key] = sum(r[key] * r["n"] for r in results) / merged["n"]
    for c in taxonomy.sub_codes:
        # pooled counts would need the predictions; average the folds instead
        vals = [r["per_class"][c] for r in results]
        merged["per_class"][c] = (
            sum(v[0] for v in vals) / k,
            sum(v[1] for v in vals) / k,
            sum(v[2] for v in vals) / k,
            sum(v[3] for v in vals),
        )
    return merged


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default=str(ROOT / category_data.DEFAULT_TRAIN_PATH))
    ap.add_argument("--heldout", nargs="+", default=[str(ROOT / category_data.DEFAULT_HELDOUT_PATH),
                                                     str(ROOT / "nlu/data/categories/heldout_short.yml")],
                    help="held-out files (default: the held-out split and the short/angry held-out set)")
    ap.add_argument("--taxonomy", default=str(ROOT / category_data.DEFAULT_TAXONOMY_PATH))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--min-top1-main", type=float, default=None, help="fail below this (0-1 or percent)")
    ap.add_argument("--min-top3-sub", type=float, default=None, help="fail below this (0-1 or percent)")
    ap.add_argument("--cv", type=int, default=0, help="K-fold cross-validation on train.yml only")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="model setting override")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line at the end")
    args = ap.parse_args(argv)

    overrides = _parse_overrides(args.set)
    try:
        taxonomy = category_data.load_taxonomy(args.taxonomy)
        train = category_data.load_examples(args.train, taxonomy)
        heldout_files = [] if args.cv else [(Path(h).name, category_data.load_examples(h, taxonomy))
                                            for h in args.heldout]
    except CategoryDataError as exc:
        print(f"nlu_eval: {exc}", file=sys.stderr)
        return 2

    n_train = sum(len(v) for v in train.values())
    if args.cv:
        t0 = time.perf_counter()
        res = cross_validate(taxonomy, train, args.cv, args.seed, overrides)
        print_report(res, taxonomy, f"{args.cv}-fold cross-validation on train.yml ({n_train} examples)")
        print(f"\n(cv took {time.perf_counter() - t0:.1f} s)")
    else:
        mod = _model_module()
        texts, labels = category_data.flatten(train)
        t0 = time.perf_counter()
        model = mod.CategoryModel(taxonomy, overrides).fit(texts, labels, seed=args.seed)
        train_s = time.perf_counter() - t0
        h_texts: List[str] = []
        h_gold: List[str] = []
        h_file: List[str] = []
        for name, ex in heldout_files:
            t, g = category_data.flatten(ex)
            h_texts += t
            h_gold += g
            h_file += [name] * len(t)
        res = evaluate(model, taxonomy, h_texts, h_gold)
        t0 = time.perf_counter()
        for t in h_texts:
            model.rank([t], 5)
        per_msg_ms = (time.perf_counter() - t0) * 1000 / max(1, len(h_texts))
        print_report(
            res,
            taxonomy,
            f"category suggester: trained on {n_train} examples, evaluated on {res['n']} held-out examples",
        )
        print(f"\ntraining {train_s:.1f} s, {model.space.n_features} features, {per_msg_ms:.2f} ms per message")
        print_styles(model, taxonomy, h_texts, h_gold, h_file)

    if args.json:
        print(json.dumps({k: round(res[k], 4) for k in ("top1_main", "top1_sub", "top3_sub")}))

    failed = []
    for flag, key in ((args.min_top1_main, "top1_main"), (args.min_top3_sub, "top3_sub")):
        if flag is None:
            continue
        floor = flag / 100 if flag > 1 else flag
        if res[key] < floor:
            failed.append(f"{key} {res[key] * 100:.1f}% < {floor * 100:.1f}%")
    if failed:
        print("nlu_eval: FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
