"""A real OpenID provider for the e-ID tests: tests/oidc/provider.mjs (panva/oidc-provider 8, OpenID
Certified) run with the machine's Node.js, and a "browser" that logs a test identity in through the
provider's own log-in form and returns the callback URL the provider redirects to.

`npm ci` runs in tests/oidc when node_modules is missing or package.json/package-lock.json changed
(the same rule as scripts/build-widget.sh).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
OIDC_DIR = ROOT / "tests" / "oidc"
CLIENT_ID = "klagomalsguiden"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"
REDIRECT_URI = "http://kg.test/e-legitimation/callback"   # base_settings' public_url + the callback path

# the provider's test identities (tests/oidc/provider.mjs ACCOUNTS)
ANNA_PNR, KARL_PNR, CHILD_PNR = "198112289874", "191212121212", "201510102385"

_install_lock = threading.Lock()


def ensure_node_modules() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise RuntimeError("the e-ID tests need Node.js and npm (e.g. 'apt-get install nodejs npm')")
    lockhash = hashlib.sha256((OIDC_DIR / "package.json").read_bytes()
                              + (OIDC_DIR / "package-lock.json").read_bytes()).hexdigest()[:16]
    marker = OIDC_DIR / "node_modules" / ".kg-lock-hash"
    with _install_lock:
        if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir() and marker.is_file() \
                and marker.read_text().strip() == lockhash:
            return
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DIR, check=True,
                       timeout=600)
        marker.write_text(lockhash)


@dataclass
class Provider:
    process: subprocess.Popen
    port: int
    issuer: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_provider(*, issuer: str | None = None, port: int = 0, clock_offset_s: int = 0) -> Provider:
    ensure_node_modules()
    cmd = ["node", str(OIDC_DIR / "provider.mjs"), "--port", str(port), "--redirect-uri", REDIRECT_URI,
           "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, f"--clock-offset-s={clock_offset_s}"]
    if issuer:
        cmd += ["--issuer", issuer]
    proc = subprocess.Popen(cmd, cwd=OIDC_DIR, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "NODE_ENV": "test"})
    line = proc.stdout.readline() if proc.stdout else ""
    try:
        ready = json.loads(line)
    except json.JSONDecodeError:
        proc.kill()
        raise RuntimeError(f"the OpenID provider did not start: {line!r}") from None
    return Provider(process=proc, port=int(ready["port"]), issuer=ready["issuer"])


def rp_settings(provider: Provider | None = None, issuer: str | None = None, **more) -> dict:
    """Settings overrides that turn e-ID on against `provider` (or `issuer`)."""
    return {"oidc_issuer": issuer or (provider.issuer if provider else ""), "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET, "oidc_timeout_s": 5.0, **more}


async def log_in_at_provider(authorize_url: str, account: str) -> str:
    """Plays the person at the identity provider: follows the authorization request, fills in the
    provider's log-in form as `account`, and returns the URL the provider sends the browser back to."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        url = authorize_url
        for _step in range(12):
            async with browser.get(url, allow_redirects=False) as resp:
                location = resp.headers.get("Location")
                if resp.status in (302, 303) and location:
                    url = urljoin(url, location)
                    if url.startswith(REDIRECT_URI):
                        return url
                    continue
                if resp.status == 200 and "/interaction/" in url:
                    # the provider's development log-in form: any password; the account id is the login
                    async with browser.post(url, data={"prompt": "login", "login": account, "password": "x"},
                                            allow_redirects=False) as posted:
                        url = urljoin(url, posted.headers["Location"])
                    continue
                raise AssertionError(f"unexpected answer {resp.status} from the provider at {url}")
        raise AssertionError("the provider never sent the browser back")


def callback_path(url: str) -> str:
    """The callback URL as a path for the test client (its host is the public URL, kg.test)."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
