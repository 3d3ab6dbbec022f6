"""scripts/run.sh (make run): development settings on loopback; outside development the Rasa HTTP API
needs a token."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = (ROOT / "scripts" / "run.sh").read_text()


def test_the_action_server_and_rasa_listen_on_loopback_only():
    """The services run under supervisord (scripts/supervisord.conf); run.sh hands them their settings."""
    conf = (ROOT / "scripts" / "supervisord.conf").read_text()
    actions = conf[conf.index("[program:actions]"):conf.index("[program:rasa]")]
    rasa = conf[conf.index("[program:rasa]"):]
    assert 'environment=SANIC_HOST="127.0.0.1"' in actions
    assert "-i 127.0.0.1" in rasa and "%(ENV_KG_RASA_AUTH_ARGS)s" in rasa
    assert 'KG_RASA_AUTH_ARGS="--auth-token $RASA_AUTH_TOKEN"' in RUN and "export KG_RASA_AUTH_ARGS" in RUN
    assert "export KG_ENV=${KG_ENV:-dev}" in RUN


def test_outside_development_run_refuses_to_start_rasa_without_a_token(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "RASA_AUTH_TOKEN"}
    env.update(KG_ENV="production", BACKEND_PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'kg.db'}")
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    assert proc.returncode == 1
    assert "RASA_AUTH_TOKEN is not set" in err
    assert not (tmp_path / "kg.db").exists()  # nothing was started
