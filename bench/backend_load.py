"""Load benchmark of the case backend over its HTTP API.

Creates N cases through the intake API with realistic Swedish data (measuring intake), then measures the
reporter's status read, the officer's case list (over the many open cases just created) and the statistics
table "antal ärenden per problemområde" (public and as an officer). Prints p50/p95/p99 latency and requests
per second as a plain-text table.

    # against a running server that has the demo catalogue and officers (python -m backend seed-demo)
    .venv/bin/python bench/backend_load.py http://127.0.0.1:8080
    # or let it start `python -m backend serve` itself on a free port
    .venv/bin/python bench/backend_load.py --spawn sqlite
    .venv/bin/python bench/backend_load.py --spawn postgres --database-url "$(scripts/pg.sh start)"

    options: -n 500 cases  -c 16 concurrent requests  --reads 2000  --lists 400  --stats 200
             --service-token (default $KG_SERVICE_TOKEN or dev-service-token)
             --officer-email/--officer-password (default the demo handler at Region Jämtland Härjedalen)

With --spawn postgres a fresh database (kg_bench_<random>) is created on that server and dropped afterwards
(--reuse-database uses the given database as it is). Traffic goes only to the given URL or to loopback.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backend.swedish_time import local_date  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEMO_OFFICER = ("handlaggare@regionjh.example", "demo-losen-1")

# --- realistic data --------------------------------------------------------------------------------------

FIRST = ["Anna", "Karl", "Maria", "Erik", "Eva", "Lars", "Karin", "Anders", "Kerstin", "Per", "Lena", "Johan",
         "Ingrid", "Mikael", "Sara", "Olof", "Elsa", "Nils", "Astrid", "Ali", "Fatima", "Mohammed", "Sofia", "Björn",
         "Ulla", "Hans", "Emma", "Gunnar", "Britt", "Oskar", "Maja", "Sven", "Leila", "Jonas", "Agneta", "Hugo"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg", "Jakobsson",
        "Magnusson", "Olofsson", "Lindström", "Hassan", "Ali", "Berglund", "Sandberg", "Forsberg", "Sjöberg"]
OPENINGS = [
    "Jag sökte vård den {d} för {s}.", "Min {rel} kom in med {s} den {d}.", "Vi var på mottagningen den {d} eftersom {s}.",
    "Jag har under flera månader haft {s} och har varit i kontakt med er många gånger.",
]
SYMPTOMS = ["bröstsmärtor", "svår huvudvärk", "en bruten handled", "hög feber", "andningsbesvär", "ont i magen",
            "ångest och sömnproblem", "synproblem", "en infekterad tand", "yrsel", "ryggsmärtor", "blödningar"]
PROBLEMS = [
    "Vi fick vänta i över sju timmar utan att någon berättade varför.",
    "Läkaren lyssnade inte och avbröt mig hela tiden.",
    "Ingen förklarade vilken behandling som planerades eller varför.",
    "Receptet skrevs ut med fel dos och apoteket fick ringa tillbaka.",
    "Remissen skickades aldrig och vi fick börja om från början.",
    "Personalen talade över huvudet på {rel2} som om hen inte var där.",
    "Journalen innehåller uppgifter som inte stämmer.",
    "Det gick inte att komma fram på telefon trots att jag ringde varje dag i en vecka.",
    "Diagnosen missades och det upptäcktes först vid nästa besök på ett annat sjukhus.",
    "Jag blev hemskickad trots att jag sa att det blev sämre.",
    "Avgiften var högre än vad jag fått besked om.",
    "Tiden ställdes in två gånger med kort varsel på grund av personalbrist.",
]
ENDINGS = ["Jag vill att ni tar det här på allvar.", "Det får inte hända någon annan.",
           "Jag vill gärna veta vad ni gör för att det inte ska upprepas.", "", "Tack för att ni läser."]
OUTCOMES = ["En förklaring", "En ursäkt", "Att rutinerna ses över", "En ny medicinsk bedömning",
            "Att få tillbaka avgiften", "Att någon ringer mig", None]
CATEGORIES = ["bemotande", "vantetider", "information", "diagnos", "behandling", "lakemedel", "omvardnad",
              "tillganglighet_till_varden", "vardflode", "resursbrist", "patientjournalen", "patientavgifter",
              "undersokning_bedomning", "delaktighet", "positiv_aterkoppling", None, None]
UNIT_WORDS = ["hälsocentral", "sjukhus", "akutmottagning", "mottagning", "vårdcentral", "tandvård", "psykiatri",
              "östersund", "uppsala", "ortoped", "kvinnoklinik", "röntgen", "bup", "medicin", "kirurg"]


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def personnummer(rng: random.Random, min_age: int, max_age: int) -> str:
    today = local_date()
    birth = today - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 300))
    nine = f"{birth:%y%m%d}{rng.randint(1, 999):03d}"
    sep = "-" if rng.random() < 0.5 else ""
    return f"{birth:%Y}"[:2] + nine[:6] + sep + nine[6:] + luhn_digit(nine)


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def case_body(rng: random.Random, units: list[dict[str, Any]], regions: list[str]) -> dict[str, Any]:
    role = rng.choices(["patient", "relative", "guardian", "representative"], [55, 30, 10, 5])[0]
    reporter_name = full_name(rng)
    patient_name = reporter_name if role == "patient" else full_name(rng)
    email = f"{reporter_name.split()[0].lower()}.{rng.randint(1, 9999)}@example.se".translate(
        str.maketrans("åäöé", "aaoe"))
    phone = f"07{rng.randint(0, 9)}-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    contact = rng.choices(["email", "phone"], [75, 25])[0]
    event = local_date() - timedelta(days=rng.randint(0, 120))
    rel = rng.choice(["mamma", "pappa", "son", "dotter", "make", "fru", "sambo"])
    text = " ".join(p for p in [
        rng.choice(OPENINGS).format(d=f"{event.day}/{event.month}", s=rng.choice(SYMPTOMS), rel=rel),
        *rng.sample(PROBLEMS, rng.randint(1, 3)), rng.choice(ENDINGS)] if p).format(rel2=rel)
    body: dict[str, Any] = {
        "channel": rng.choices(["chat", "web", "phone", "letter"], [70, 20, 5, 5])[0],
        "recipient": rng.choices(["care_provider", "patient_board"], [80, 20])[0],
        "event_date": event.isoformat(),
        "reporter": {"role": role, "name": reporter_name, "email": email if contact == "email" or rng.random() < 0.5 else None,
                     "phone": phone if contact == "phone" or rng.random() < 0.4 else None, "preferred_contact": contact},
        "patient": {"name": patient_name,
                    "personnummer": personnummer(rng, 0, 17) if role == "guardian" else personnummer(rng, 18, 95)},
        "patient_consent": rng.choice(["yes", "yes", "no", "unknown"]) if role == "relative" else "not_needed",
        "child_age": rng.randint(0, 17) if role == "guardian" else None,
        "description": text, "reporter_category": rng.choice(CATEGORIES), "desired_outcome": rng.choice(OUTCOMES),
        "reply_wanted": rng.random() < 0.9, "tags": ["cancer"] if rng.random() < 0.05 else [],
        "personal_data_consent": True,
    }
    if units and rng.random() < 0.85:
        u = rng.choice(units)
        body["care_unit_hsa_id"] = u["hsa_id"]
    else:  # the reporter could not find the unit: their own words, the region's patient board
        body["care_unit_hsa_id"] = None
        body["care_unit_text"] = rng.choice(["vårdcentralen vid torget", "akuten", "sjukhuset i stan", "tandläkaren"])
        body["region_code"] = rng.choice(regions)
    return body


# --- measurement --------------------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    note: str = ""

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        s = sorted(self.latencies)
        return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall if self.wall else float("nan")


async def run_phase(name: str, jobs: Iterable[Callable[[], Awaitable[None]]], concurrency: int,
                    note: str = "") -> Result:
    """Runs every job (a coroutine factory that raises on an unexpected answer) with `concurrency` workers."""
    res = Result(name, concurrency, note=note)
    it = iter(jobs)

    async def worker() -> None:
        for job in it:
            t0 = time.perf_counter()
            try:
                await job()
            except Exception as exc:  # noqa: BLE001 — counted and shown, the run goes on
                res.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            res.latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    res.wall = time.perf_counter() - t0
    return res


async def expect(resp_cm, status: int | tuple[int, ...]) -> Any:
    async with resp_cm as r:
        body = await r.read()
        if r.status not in ((status,) if isinstance(status, int) else status):
            raise RuntimeError(f"HTTP {r.status} {r.method} {r.url.path}: {body[:200]!r}")
        return body


# --- the benchmark ---------------------------------------------------------------------------------------

async def discover(session: aiohttp.ClientSession, url: str) -> tuple[list[dict[str, Any]], list[str]]:
    units: dict[str, dict[str, Any]] = {}
    for word in UNIT_WORDS:
        async with session.get(f"{url}/api/v1/units", params={"q": word, "limit": "20"}) as r:
            if r.status == 200:
                for u in (await r.json())["results"]:
                    units[u["hsa_id"]] = u
    async with session.get(f"{url}/api/v1/regions") as r:
        r.raise_for_status()
        regions = [x["code"] for x in (await r.json())["regions"]]
    return list(units.values()), regions


async def bench(args: argparse.Namespace, url: str) -> list[Result]:
    rng = random.Random(args.seed)
    service = {"Authorization": f"Bearer {args.service_token}"}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency), timeout=timeout) as s:
        async with s.get(url + "/health") as r:
            if r.status != 200:
                raise SystemExit(f"{url}/health answered {r.status}")
        async with s.post(url + "/api/v1/officer/login",
                          json={"email": args.officer_email, "password": args.officer_password}) as r:
            if r.status != 200:
                raise SystemExit(f"officer login failed ({r.status}): is the demo data seeded? {await r.text()}")
            login = await r.json()
        officer = {"Authorization": f"Bearer {login['token']}"}
        units, regions = await discover(s, url)
        if not units:
            raise SystemExit("no units found: seed the catalogue first (python -m backend seed-demo)")
        # most cases go to the officer's own organisation, so the officer list has plenty of open cases
        own = [u for u in units if (u.get("care_provider") or {}).get("id") == login["officer"]["organisation"]["id"]
               and u.get("connected")]
        weighted = own * 3 + units if own else units
        bodies = [case_body(rng, weighted, regions) for _ in range(args.cases)]
        created: list[tuple[str, str]] = []
        results: list[Result] = []

        def intake_job(body: dict[str, Any]) -> Callable[[], Awaitable[None]]:
            async def job() -> None:
                raw = await expect(s.post(url + "/api/v1/cases", json=body,
                                          headers={**service, "Idempotency-Key": uuid.uuid4().hex}), 201)
                d = json.loads(raw)
                created.append((d["reference"], d["access_code"]))
            return job

        results.append(await run_phase("intake  POST /api/v1/cases", (intake_job(b) for b in bodies),
                                       args.concurrency, note=f"{args.cases} new cases"))
        if not created:
            return results

        def reporter_job(ref: str, code: str) -> Callable[[], Awaitable[None]]:
            return lambda: expect(s.get(f"{url}/api/v1/reporter/cases/{ref}", headers={"X-Access-Code": code}), 200)

        picks = [rng.choice(created) for _ in range(args.reads)]
        await run_phase("warm-up", (reporter_job(*p) for p in picks[:args.concurrency]), args.concurrency)
        results.append(await run_phase("reporter  GET /reporter/cases/{ref}", (reporter_job(*p) for p in picks),
                                       args.concurrency, note="status, deadlines, thread"))

        async with s.get(url + "/api/v1/officer/cases", params={"status": "received,in_progress", "per_page": "1"},
                         headers=officer) as r:
            open_total = (await r.json())["total"]
        variants = [{"status": "received,in_progress"}, {}, {"status": "received", "page": "2"},
                    {"sort": "answer_due"}, {"overdue": "false", "per_page": "50"}, {"category": "kommunikation"},
                    {"q": "KG-"}]

        def list_job(params: dict[str, str]) -> Callable[[], Awaitable[None]]:
            return lambda: expect(s.get(url + "/api/v1/officer/cases", params=params, headers=officer), 200)

        results.append(await run_phase("officer  GET /officer/cases", (list_job(variants[i % len(variants)])
                                                                        for i in range(args.lists)),
                                       args.concurrency, note=f"{open_total} open cases; 25-50 per page, filters"))

        def stats_job(headers: dict[str, str], params: dict[str, str],
                      path: str = "categories") -> Callable[[], Awaitable[None]]:
            return lambda: expect(s.get(url + "/api/v1/stats/" + path, params=params, headers=headers), 200)

        year = str(local_date().year)
        stat_params = [{}, {"year": year}, {"region": "jamtland"}, {"category": "kommunikation"}]
        results.append(await run_phase("stats  GET /stats/categories public",
                                       (stats_job({}, stat_params[i % 4]) for i in range(args.stats)),
                                       args.concurrency, note="whole table, cells <5 suppressed"))
        results.append(await run_phase("stats  GET /stats/categories officer",
                                       (stats_job(officer, stat_params[i % 4]) for i in range(args.stats)),
                                       args.concurrency, note="own organisation"))
        results.append(await run_phase("stats  GET /stats/summary public",
                                       (stats_job({}, stat_params[i % 4], "summary") for i in range(args.stats)),
                                       args.concurrency, note="7 breakdowns + handling time, suppressed"))
        results.append(await run_phase("stats  GET /stats/summary officer",
                                       (stats_job(officer, stat_params[i % 4], "summary") for i in range(args.stats)),
                                       args.concurrency, note="own organisation"))
        return results


def table(results: list[Result], header: list[str]) -> str:
    cols = ["operation", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s", "note"]
    rows = [[r.name, str(len(r.latencies)), str(len(r.errors)), f"{r.pct(50):.1f}", f"{r.pct(95):.1f}",
             f"{r.pct(99):.1f}", f"{r.rps:.0f}", r.note] for r in results]
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    right = {1, 2, 3, 4, 5, 6}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    out = header + ["", line(cols), line(["-" * w for w in widths])] + [line(r) for r in rows]
    for r in results:
        for e in r.errors[:3]:
            out.append(f"  ! {r.name}: {e}")
    return "\n".join(out)


# --- a server of our own -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Spawned:
    """`python -m backend migrate`, `seed-demo` and `serve` on a free loopback port."""

    def __init__(self, kind: str, database_url: str | None, reuse: bool) -> None:
        self.kind = kind
        self.tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = "bench-" + secrets.token_urlsafe(12)
        self.created_db: str | None = None
        self.admin_url = database_url
        if kind == "sqlite":
            self.db_url = f"sqlite+aiosqlite:///{self.tmp / 'bench.db'}"
        else:
            if not database_url:
                raise SystemExit("--spawn postgres needs --database-url postgresql://…")
            self.db_url = database_url if reuse else self._create_database(database_url)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": self.db_url, "KG_SERVICE_TOKEN": self.token,
                    "KG_SECRET_KEY": secrets.token_hex(16), "KG_PORT": str(self.port), "KG_PUBLIC_URL": self.url,
                    "KG_ATTACHMENTS_DIR": str(self.tmp / "attachments"), "SMTP_HOST": "",
                    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                    "KG_ENV": "dev"}  # the demo officers log in with a password only (no second factor)
        self.log = self.tmp / "backend.log"
        self.proc: subprocess.Popen | None = None

    def _create_database(self, url: str) -> str:
        import asyncpg
        plain = url.replace("postgresql+asyncpg://", "postgresql://").replace("postgres://", "postgresql://")
        name = f"kg_bench_{secrets.token_hex(4)}"

        async def create() -> None:
            conn = await asyncpg.connect(plain)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()
        try:
            asyncio.run(create())
        except Exception as exc:  # noqa: BLE001
            raise SystemExit(f"could not create a bench database ({exc}); use --reuse-database to load the given one")
        self.created_db = name
        head, _, tail = plain.rpartition("/")
        query = "?" + tail.split("?", 1)[1] if "?" in tail else ""
        return f"{head}/{name}{query}"

    def start(self) -> None:
        py = sys.executable
        for cmd in (["migrate"], ["seed-demo"]):
            subprocess.run([py, "-m", "backend", *cmd], cwd=ROOT, env=self.env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([py, "-m", "backend", "serve", "--port", str(self.port)], cwd=ROOT,
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        import urllib.request
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"backend exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("backend did not come up in 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.created_db and self.admin_url:
            import asyncpg
            plain = self.admin_url.replace("postgresql+asyncpg://", "postgresql://")

            async def drop() -> None:
                conn = await asyncpg.connect(plain)
                try:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{self.created_db}" WITH (FORCE)')
                finally:
                    await conn.close()
            try:
                asyncio.run(drop())
            except Exception as exc:  # noqa: BLE001
                print(f"note: could not drop {self.created_db}: {exc}", file=sys.stderr)

    def unhandled_errors(self) -> int:
        return self.log.read_text(errors="replace").count("unhandled error") if self.log.exists() else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url", nargs="?", help="a running backend, e.g. http://127.0.0.1:8080")
    p.add_argument("--spawn", choices=["sqlite", "postgres"], help="start python -m backend serve on a free port")
    p.add_argument("--database-url", help="PostgreSQL server for --spawn postgres")
    p.add_argument("--reuse-database", action="store_true", help="load the given database instead of a fresh one")
    p.add_argument("-n", "--cases", type=int, default=500)
    p.add_argument("-c", "--concurrency", type=int, default=16)
    p.add_argument("--reads", type=int, default=2000, help="reporter status reads")
    p.add_argument("--lists", type=int, default=400, help="officer case list requests")
    p.add_argument("--stats", type=int, default=200, help="statistics table requests (each: public and officer)")
    p.add_argument("--service-token", default=os.environ.get("KG_SERVICE_TOKEN", "dev-service-token"))
    p.add_argument("--officer-email", default=DEMO_OFFICER[0])
    p.add_argument("--officer-password", default=DEMO_OFFICER[1])
    p.add_argument("--seed", type=int, default=2026, help="random seed for the generated cases")
    args = p.parse_args(argv)
    if bool(args.url) == bool(args.spawn):
        p.error("give either a URL or --spawn sqlite|postgres")

    spawned = Spawned(args.spawn, args.database_url, args.reuse_database) if args.spawn else None
    try:
        if spawned:
            spawned.start()
            args.service_token = spawned.token
        url = (spawned.url if spawned else args.url).rstrip("/")
        db = {"sqlite": "SQLite (temp file, WAL)", "postgres": "PostgreSQL"}.get(args.spawn or "", "as configured")
        started = time.perf_counter()
        results = asyncio.run(bench(args, url))
        header = [f"backend_load: {url}  database: {db}",
                  f"cases: {args.cases}  concurrency: {args.concurrency}  client: aiohttp {aiohttp.__version__}, "
                  f"Python {platform.python_version()}, {os.cpu_count()} CPUs, total {time.perf_counter() - started:.0f} s"]
        print(table(results, header))
        errors = sum(len(r.errors) for r in results)
        if spawned and spawned.unhandled_errors():
            print(f"  ! server log: {spawned.unhandled_errors()} unhandled errors ({spawned.log})")
            errors += 1
        return 1 if errors else 0
    finally:
        if spawned:
            spawned.stop()


if __name__ == "__main__":
    sys.exit(main())
