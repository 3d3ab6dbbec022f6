"""`make run` survives a crash: scripts/run.sh starts the services under supervisord (scripts/supervisord.conf);
a backend killed with SIGKILL is started again and the restart logged, and Ctrl-C (SIGINT to the foreground
process group) still stops everything. The backend alone here (KG_RUN_BOT=0): no Rasa in tests."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPAWNED = re.compile(r"spawned: 'backend' with pid (\d+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, out: Path, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen in {seconds} s\n{out.read_text(errors='replace')[-4000:]}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive either (supervisord reaps its children; this is only while it does)
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_a_killed_backend_comes_back_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out = tmp_path / "run.out"
    env = {**os.environ, "BACKEND_PORT": str(port), "KG_RUN_BOT": "0", "KG_LOG_DIR": str(tmp_path / "log"),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kg.db'}", "KG_ATTACHMENTS_DIR": str(tmp_path / "att")}
    with open(out, "wb") as fh:
        run = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for("the URLs printed", lambda: "Klagomålsguiden is running" in out.read_text(errors="replace"), out)
        text = out.read_text(errors="replace")
        assert f"Officer workspace:                    {url}/officer" in text
        assert healthy(url)
        first = int(SPAWNED.findall(text)[-1])
        assert alive(first)

        os.kill(first, signal.SIGKILL)
        second = wait_for("a new backend", lambda: [int(p) for p in SPAWNED.findall(out.read_text(errors="replace"))
                                                     if int(p) != first], out)[-1]
        assert "exited: backend (terminated by SIGKILL; not expected)" in out.read_text(errors="replace")
        wait_for("the backend answering again", lambda: healthy(url), out)
        assert run.poll() is None, "run.sh stopped when one service died"

        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        run.wait(timeout=60)
        assert not alive(second), "the backend outlived Ctrl-C"
        assert not healthy(url)
        assert "stopped: backend" in out.read_text(errors="replace")
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(timeout=30)
