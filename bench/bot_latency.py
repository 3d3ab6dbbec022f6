"""Latency of the Swedish assistant under load, over the REST channel.

N concurrent scripted conversations (default 20), each a whole complaint from the first
message to the submitted case. Prints p50/p95/p99 latency per turn, turns per second and the
peak memory (VmHWM) of rasa, the action server and the backend. For scale it also runs Rasa's
stock demo bot (`rasa init` data, trained into a temp dir) under the same load and prints the
ratio.

    # against a running stack (make run)
    .venv-bot/bin/python bench/bot_latency.py --rasa-url http://127.0.0.1:5005
    # or let it start its own stack on free ports (needs bot/models/current.tar.gz)
    .venv-bot/bin/python bench/bot_latency.py --start
    options: -n 20  --no-stock  --model PATH

Traffic goes only to loopback; every loop is bounded in turns and time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMPLAINT_SCRIPT = [
    "Jag vill klaga på hur jag blev bemött på akuten i Östersund igår",
    '/inform{"reporter_role":"patient"}',
    "Läkaren var otrevlig och lyssnade inte när jag berättade om smärtan.",
    "/done",
    '/inform{"category_sub":"bemotande"}',
    '/inform{"desired_outcome":"En förklaring"}',
    '/inform{"recipient":"care_provider"}',
    "Anna Andersson 19121212-1212",
    "anna@example.se",
    "/affirm",
]
STOCK_SCRIPT = ["hello", "I am feeling sad", "yes", "great", "bye", "hi", "i am a bot?", "goodbye"]
TURN_TIMEOUT = 120.0
TOTAL_TIMEOUT = 900.0


def pct(values: List[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


async def conversation(client: httpx.AsyncClient, url: str, script: List[str], lat: List[float],
                       errors: List[str]) -> None:
    sender = "bench-" + uuid.uuid4().hex[:12]
    for msg in script:
        t0 = time.perf_counter()
        try:
            r = await client.post(url + "/webhooks/rest/webhook", json={"sender": sender, "message": msg},
                                  timeout=TURN_TIMEOUT)
            r.raise_for_status()
            r.json()
        except Exception as exc:  # count and carry on
            errors.append(type(exc).__name__)
            return
        lat.append((time.perf_counter() - t0) * 1000)


async def load(url: str, script: List[str], n: int) -> Dict[str, float]:
    lat: List[float] = []
    errors: List[str] = []
    limits = httpx.Limits(max_connections=n + 5)
    async with httpx.AsyncClient(limits=limits) as client:
        # one warm-up conversation (model and caches loaded)
        await conversation(client, url, script, [], [])
        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(conversation(client, url, script, lat, errors) for _ in range(n))),
                               TOTAL_TIMEOUT)
        wall = time.perf_counter() - t0
    return {"turns": len(lat), "errors": len(errors), "p50": pct(lat, 50), "p95": pct(lat, 95),
            "p99": pct(lat, 99), "mean": statistics.fmean(lat) if lat else float("nan"),
            "tps": len(lat) / wall if wall else 0.0, "wall": wall}


def peak_rss_mb(patterns: Dict[str, List[str]]) -> Dict[str, Optional[float]]:
    """VmHWM of the processes whose command line contains all the given words."""
    out: Dict[str, Optional[float]] = {k: None for k in patterns}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = (proc / "status").read_text()
        except OSError:
            continue
        for name, words in patterns.items():
            if all(w in cmd for w in words) and "bot_latency" not in cmd:
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        mb = int(line.split()[1]) / 1024
                        out[name] = max(out[name] or 0.0, mb)
    return out


def table(rows: List[List[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def start_stock_bot(workdir: Path, rasa_bin: str) -> "subprocess.Popen":
    from tests.conftest_servers import free_port, wait_http
    init_dir = workdir / "stock"
    init_dir.mkdir(parents=True, exist_ok=True)  # `rasa init --init-dir` wants an existing directory
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    subprocess.run([rasa_bin, "init", "--no-prompt", "--init-dir", str(init_dir)], cwd=workdir, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1200)
    models = sorted((init_dir / "models").glob("*.tar.gz"))
    port = free_port()
    log = open(workdir / "stock.log", "ab")
    proc = subprocess.Popen([rasa_bin, "run", "--model", str(models[-1]), "-i", "127.0.0.1", "--port", str(port),
                             "--enable-api"], cwd=init_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    proc.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    wait_http(proc.url + "/status", 300, proc, workdir / "stock.log",  # type: ignore[attr-defined]
              ok=lambda r: r.status_code == 200 and bool(r.json().get("model_id")))
    return proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--conversations", type=int, default=20)
    ap.add_argument("--rasa-url", default=os.environ.get("KG_RASA_URL", "http://127.0.0.1:5005"))
    ap.add_argument("--start", action="store_true", help="start backend, action server and Rasa on free ports")
    ap.add_argument("--model", default=str(ROOT / "bot" / "models" / "current.tar.gz"))
    ap.add_argument("--no-stock", action="store_true", help="skip the stock demo bot comparison")
    args = ap.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    rasa_bin = str(Path(sys.executable).parent / "rasa")
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    stack = []
    try:
        url = args.rasa_url
        if args.start:
            from tests.conftest_servers import ActionServer, BackendServer, RasaServer
            be = BackendServer(workdir)
            be.prepare()
            be.start()
            stack.append(be)
            act = ActionServer(workdir, be.url)
            act.start()
            stack.append(act)
            ra = RasaServer(workdir, act.url, Path(args.model))
            ra.start()
            stack.append(ra)
            url = ra.url
        print(f"bot_latency: {args.conversations} concurrent conversations of {len(COMPLAINT_SCRIPT)} turns "
              f"against {url}", flush=True)
        ours = asyncio.run(load(url, COMPLAINT_SCRIPT, args.conversations))
        mem = peak_rss_mb({"rasa": ["rasa", "run", "--model"], "action server": ["rasa", "run", "actions"],
                           "backend": ["-m", "backend", "serve"]})
        stock = None
        if not args.no_stock:
            print("bot_latency: training and starting Rasa's stock demo bot (rasa init) …", flush=True)
            proc = start_stock_bot(workdir, rasa_bin)
            try:
                stock = asyncio.run(load(proc.url, STOCK_SCRIPT, args.conversations))  # type: ignore[attr-defined]
            finally:
                from tests.conftest_servers import _stop
                _stop(proc)
        rows = [["bot", "turns", "errors", "p50 ms", "p95 ms", "p99 ms", "turns/s"]]
        for name, r in (("Klagomålsguiden", ours), ("stock rasa init", stock)):
            if r:
                rows.append([name, str(r["turns"]), str(r["errors"]), f"{r['p50']:.0f}", f"{r['p95']:.0f}",
                             f"{r['p99']:.0f}", f"{r['tps']:.1f}"])
        print(table(rows))
        if stock:
            print(f"ratio Klagomålsguiden / stock: p50 {ours['p50'] / stock['p50']:.1f}x, "
                  f"p95 {ours['p95'] / stock['p95']:.1f}x, throughput {ours['tps'] / stock['tps']:.2f}x")
        print("peak RSS (VmHWM): " + ", ".join(f"{k} {v:.0f} MB" if v else f"{k} n/a" for k, v in mem.items()))
        return 0 if ours["errors"] == 0 else 1
    finally:
        for s in reversed(stack):
            s.stop()


if __name__ == "__main__":
    sys.exit(main())
