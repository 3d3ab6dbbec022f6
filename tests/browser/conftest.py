"""Browser tests: Playwright for Python driving Debian's chromium (headless) against the running stack.

Processes started here (each on a free port, each with its own temporary data):
- the backend (`python -m backend serve`, SQLite, demo catalogue and officers),
- a TCP proxy the chat page's widget connects through (to switch upstream and to simulate a network drop),
- a fake Rasa socket.io server (tests/browser/fake_rasa.mjs) for the widget tests that don't need the bot,
- the real action server + Rasa, only for the tests marked `needs_bot` (skipped while there is no model).

Artifacts: screenshots in test-artifacts/screenshots/, axe results in test-artifacts/axe-results.json,
server logs in test-artifacts/logs/. The folder is printed at the end of the run.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from .netproxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("KG_TEST_ARTIFACTS", ROOT / "test-artifacts"))
SHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "logs"
WIDGET_DIR = ROOT / "web" / "widget"
BUNDLE = ROOT / "backend" / "web" / "static" / "dist" / "klagomalsguiden.js"
AXE_JS = WIDGET_DIR / "node_modules" / "axe-core" / "axe.min.js"
# overridable for development (e.g. a model trained elsewhere); `make test` uses the defaults
BOT_PY = Path(os.environ.get("KG_BOT_PYTHON", ROOT / ".venv-bot" / "bin" / "python"))
MODEL = Path(os.environ.get("KG_BOT_MODEL", ROOT / "bot" / "models" / "current.tar.gz"))
CREDENTIALS = Path(os.environ.get("KG_RASA_CREDENTIALS", ROOT / "bot" / "credentials.yml"))
SERVICE_TOKEN = "browser-test-service-token"
DEMO_PASSWORD = "demo-losen-1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

STRICT = os.environ.get("KG_BROWSER_STRICT") == "1"   # CI: a missing browser or bot fails instead of skipping
AXE_RESULTS: dict[str, dict[str, Any]] = {}


def skip_or_fail(reason: str) -> None:
    if STRICT:
        pytest.fail(reason + " (KG_BROWSER_STRICT=1)", pytrace=False)
    pytest.skip(reason)
TIMINGS: list[tuple[str, float]] = []


def chromium_path() -> str | None:
    for c in (os.environ.get("KG_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
              shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if c and Path(c).exists():
            return c
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen | None, seconds: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s\n{tail}")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def start(cmd: list[str], log: Path, env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = open(log, "wb")
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


# --- the artifacts folder -------------------------------------------------------------------------------

def pytest_configure(config):
    SHOTS.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    config.addinivalue_line("markers", "needs_bot: needs the trained Rasa model, the action server and Rasa")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tr = terminalreporter
    if AXE_RESULTS:
        (ARTIFACTS / "axe-results.json").write_text(json.dumps(AXE_RESULTS, indent=2, ensure_ascii=False))
        tr.section("axe-core accessibility scan (WCAG 2.0/2.1/2.2 A and AA + best practice)")
        tr.write_line(f"{'page':44} {'critical':>8} {'serious':>8} {'moderate':>8} {'minor':>6} {'passes':>6}")
        for name, r in sorted(AXE_RESULTS.items()):
            c = r["counts"]
            tr.write_line(f"{name:44} {c['critical']:>8} {c['serious']:>8} {c['moderate']:>8} {c['minor']:>6} "
                          f"{r['passes']:>6}")
        tr.write_line(f"details: {ARTIFACTS / 'axe-results.json'}")
    if TIMINGS:
        tr.section("browser test timings")
        for name, secs in TIMINGS:
            tr.write_line(f"{secs:7.1f} s  {name}")
    shots = sorted(SHOTS.glob("*.png"))
    tr.section("browser test artifacts")
    tr.write_line(f"screenshots ({len(shots)}): {SHOTS}")
    tr.write_line(f"server logs: {LOGS}")


@pytest.fixture(autouse=True)
def _timing(request):
    t0 = time.monotonic()
    yield
    TIMINGS.append((request.node.nodeid.split("::", 1)[-1], time.monotonic() - t0))


# --- build inputs ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def widget_bundle() -> Path:
    """The widget bundle and axe-core; `make test` builds them, a bare pytest run builds them here."""
    if not BUNDLE.exists() or not AXE_JS.exists():
        subprocess.run([str(ROOT / "scripts" / "build-widget.sh")], cwd=ROOT, check=True)
    return BUNDLE


# --- processes --------------------------------------------------------------------------------------------

@dataclass
class Backend:
    url: str
    port: int
    db_url: str
    proc: subprocess.Popen
    env: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
            expect: tuple[int, ...] = (200, 201)) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Accept": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        payload = json.loads(raw or b"null")
        assert status in expect, f"{method} {path} -> {status}: {payload}"
        return payload

    def create_case(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "channel": "web", "recipient": "care_provider", "care_unit_hsa_id": "SE2321000207-E2100",
            "event_date": time.strftime("%Y-%m-%d"),
            "reporter": {"role": "patient", "email": "anna@example.se", "preferred_contact": "email"},
            "patient": {"name": "Anna Andersson", "personnummer": "191212121212"},
            "description": "Jag fick vänta i sex timmar på akuten och ingen berättade varför.",
            "reporter_category": "vantetider", "desired_outcome": "En förklaring", "reply_wanted": True,
            "tags": [], "personal_data_consent": True,
        }
        body.update(overrides)
        return self.api("POST", "/api/v1/cases", body, {
            "Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": str(uuid.uuid4())})

    def officer_token(self, email: str) -> str:
        return self.api("POST", "/api/v1/officer/login", {"email": email, "password": DEMO_PASSWORD})["token"]

    def officer_action(self, token: str, reference: str, action: str, body: dict[str, Any] | None = None) -> Any:
        return self.api("POST", f"/api/v1/officer/cases/{reference}/{action}", body or {},
                        {"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="session")
def chat_proxy() -> Iterator[TcpProxy]:
    proxy = TcpProxy(upstream_port=1).start()  # upstream set by the fake or the real Rasa fixture
    yield proxy
    proxy.stop()


def start_backend(tmp: Path, rasa_socket_url: str, name: str = "backend") -> Backend:
    """Migrates a fresh SQLite database, seeds the demo catalogue and officers, and serves the backend."""
    port = free_port()
    db_url = f"sqlite:///{tmp / 'kg.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "DATABASE_URL": db_url, "KG_PORT": str(port), "KG_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "KG_RASA_SOCKET_URL": rasa_socket_url, "KG_SERVICE_TOKEN": SERVICE_TOKEN,
           "KG_SECRET_KEY": "browser-test-" + uuid.uuid4().hex, "KG_ATTACHMENTS_DIR": str(tmp / "attachments"),
           "KG_COOKIE_SECURE": "0", "SMTP_HOST": "",
           "KG_ENV": "dev"}  # the demo officers log in with a password only, as in `make run`
    py = sys.executable
    for cmd in (["migrate"], ["seed-demo"]):
        subprocess.run([py, "-m", "backend", *cmd], cwd=ROOT, env=env, check=True, capture_output=True)
    log = LOGS / f"{name}.log"
    proc = start([py, "-m", "backend", "serve", "--host", "127.0.0.1", "--port", str(port)], log, env)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", proc, 60, log)
    except Exception:
        stop(proc)
        raise
    return Backend(url=f"http://127.0.0.1:{port}", port=port, db_url=db_url, proc=proc, env=env)


@pytest.fixture(scope="session")
def backend(widget_bundle, chat_proxy, tmp_path_factory) -> Iterator[Backend]:
    b = start_backend(tmp_path_factory.mktemp("backend"), chat_proxy.url)
    try:
        yield b
    finally:
        stop(b.proc)


@pytest.fixture
def isolated_backend(widget_bundle, chat_proxy, tmp_path_factory) -> Iterator[Backend]:
    """A backend of its own, for tests that leave state behind in memory (the rate limiter)."""
    b = start_backend(tmp_path_factory.mktemp("backend-isolated"), chat_proxy.url, name="backend-isolated")
    try:
        yield b
    finally:
        stop(b.proc)


@dataclass
class FakeRasa:
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def fake_rasa_server(widget_bundle) -> Iterator[FakeRasa]:
    node = shutil.which("node")
    if not node:
        skip_or_fail("node is needed for the fake Rasa server")
    port = free_port()
    log = LOGS / "fake-rasa.log"
    proc = start([node, str(Path(__file__).with_name("fake_rasa.mjs")), str(port)], log, dict(os.environ))
    try:
        wait_http(f"http://127.0.0.1:{port}/status", proc, 20, log)
        yield FakeRasa(port=port, proc=proc)
    finally:
        stop(proc)


@pytest.fixture
def fake_rasa(fake_rasa_server, chat_proxy) -> FakeRasa:
    """The chat page's widget talks to the fake Rasa through the proxy."""
    chat_proxy.go_online()
    if chat_proxy.upstream[1] != fake_rasa_server.port:
        chat_proxy.set_upstream(fake_rasa_server.port)
    return fake_rasa_server


@dataclass
class RasaStack:
    rasa_port: int
    action_port: int
    procs: list[subprocess.Popen]


_RASA_FAILED: list[str] = []   # a failed start is not retried for every test (it takes minutes)


@pytest.fixture(scope="session")
def rasa_stack_server(backend, tmp_path_factory) -> Iterator[RasaStack]:
    if _RASA_FAILED:
        pytest.fail(_RASA_FAILED[0], pytrace=False)
    if not BOT_PY.exists() or not MODEL.exists():
        skip_or_fail("the bot is not built yet (.venv-bot and bot/models/current.tar.gz); run `make model`")
    tmp = tmp_path_factory.mktemp("rasa")
    rasa_port, action_port = free_port(), free_port()
    endpoints = tmp / "endpoints.yml"
    # in-memory tracker store: the test's conversations never touch var/tracker.db
    endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n")
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("KG_BOT_EXTRA_PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": pythonpath, "RASA_TELEMETRY_ENABLED": "false",
           "KG_BACKEND_URL": backend.url, "KG_PUBLIC_URL": backend.url, "KG_SERVICE_TOKEN": SERVICE_TOKEN,
           "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook", "SANIC_WORKERS": "1",
           "SANIC_HOST": "127.0.0.1"}
    rasa = str(BOT_PY.with_name("rasa"))
    procs: list[subprocess.Popen] = []
    try:
        alog = LOGS / "actions.log"
        procs.append(start([rasa, "run", "actions", "--actions", "bot.actions", "--port", str(action_port)],
                           alog, env))
        try:
            wait_http(f"http://127.0.0.1:{action_port}/health", procs[-1], 180, alog)
        except RuntimeError as exc:
            _RASA_FAILED.append(f"the action server did not start: {exc}")
            raise
        rlog = LOGS / "rasa.log"
        procs.append(start([str(BOT_PY), "-m", "bot.rasa_server", "run", "--model", str(MODEL), "--endpoints", str(endpoints),
                            "--credentials", str(CREDENTIALS), "-i", "127.0.0.1",
                            "--port", str(rasa_port), "--cors", "*"], rlog, env))
        try:
            wait_http(f"http://127.0.0.1:{rasa_port}/", procs[-1], 420, rlog)
        except RuntimeError as exc:
            _RASA_FAILED.append(f"Rasa did not start: {exc}")
            raise
        probe = subprocess.run([shutil.which("node") or "node", str(Path(__file__).with_name("socketio_probe.mjs")),
                                f"http://127.0.0.1:{rasa_port}", "/greet", "30000"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode != 0:
            _RASA_FAILED.append(
                "Rasa's socket.io channel does not answer the web chat: " + probe.stdout.strip() + ".\n"
                "With session_persistence: true, Rasa 3.6 calls sio.enter_room() without await; since "
                "python-socketio 5.10 that is a coroutine, so the browser never joins its session's room and "
                "never gets a reply (RasaHQ/rasa#13027). Pin python-socketio==5.9.0 in requirements/bot.lock, "
                "or use a SocketIOInput subclass that awaits enter_room.")
            pytest.fail(_RASA_FAILED[0], pytrace=False)
        yield RasaStack(rasa_port=rasa_port, action_port=action_port, procs=procs)
    finally:
        for p in reversed(procs):
            stop(p)


@pytest.fixture
def rasa_stack(rasa_stack_server, chat_proxy) -> RasaStack:
    chat_proxy.go_online()
    if chat_proxy.upstream[1] != rasa_stack_server.rasa_port:
        chat_proxy.set_upstream(rasa_stack_server.rasa_port)
    return rasa_stack_server


# --- the browser ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        skip_or_fail("chromium is not installed (apt-get install chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _expect_timeout() -> None:
    from playwright.sync_api import expect
    expect.set_options(timeout=10_000)  # two shared CPU cores in CI: give assertions some slack


_expect_timeout()


def new_context(browser, *, width: int = 1280, height: int = 900, bypass_csp: bool = True, **kw):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE",
                              timezone_id="Europe/Stockholm", bypass_csp=bypass_csp, **kw)
    ctx.set_default_timeout(15_000)
    return ctx


@pytest.fixture
def context(browser):
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.on("dialog", lambda d: d.accept())  # confirmations before officer actions
    return p


# --- helpers used by the tests --------------------------------------------------------------------------

def shot(page, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_scan(page, name: str, *, include_best_practice: bool = True) -> dict[str, Any]:
    """Runs axe-core (from node_modules, injected into the page) and records the result for the summary."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    if include_best_practice:
        tags.append("best-practice")
    result = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, summary: n.failureSummary}))})),
                passes: r.passes.length, incomplete: r.incomplete.length};
    }""", tags)
    counts = {k: 0 for k in ("critical", "serious", "moderate", "minor")}
    for v in result["violations"]:
        counts[v["impact"] or "minor"] += 1
    AXE_RESULTS[name] = {"url": page.url, "counts": counts, "passes": result["passes"],
                         "violations": result["violations"]}
    return AXE_RESULTS[name]


def assert_no_serious_axe(page, name: str) -> dict[str, Any]:
    r = axe_scan(page, name)
    bad = [v for v in r["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {name}: " + json.dumps(bad, indent=1, ensure_ascii=False)[:4000]
    return r


@pytest.fixture(scope="session")
def tmpdir_session() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="kg-browser-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)
