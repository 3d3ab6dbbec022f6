"""All settings, read from the environment in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .services.ratelimit import parse_trusted_proxies

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEV_SECRET_KEY = "dev-secret-change-me"
DEV_SERVICE_TOKEN = "dev-service-token"


class InsecureSettings(RuntimeError):
    """The server was asked to start outside development with a development or empty secret."""


def insecure_secrets(settings: "Settings") -> list[str]:
    """Messages for each secret that is empty or the development value (none when ``KG_ENV=dev``)."""
    if settings.env == "dev":
        return []
    problems = []
    for var, value, dev in (("KG_SECRET_KEY", settings.secret_key, DEV_SECRET_KEY),
                            ("KG_SERVICE_TOKEN", settings.service_token, DEV_SERVICE_TOKEN)):
        if not (value or "").strip():
            problems.append(f"{var} is empty")
        elif value == dev:
            problems.append(f"{var} is the development value '{dev}'")
    return problems


def require_safe_secrets(settings: "Settings") -> None:
    problems = insecure_secrets(settings)
    if problems:
        raise InsecureSettings("; ".join(problems) + ". Set each to a long random value "
                               "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`), "
                               "or set KG_ENV=dev for local development (make run does).")


def _env_floats(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    """A comma-separated list of seconds, e.g. KG_WEBHOOK_BACKOFF_S=5,300,1800."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return tuple(float(v) for v in value.split(",") if v.strip())


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def normalise_database_url(url: str) -> str:
    """Accept plain postgres:// and sqlite:// URLs and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://"):]
    if url.startswith("sqlite:///"):
        url = "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'klagomal.db'}"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    secret_key: str = DEV_SECRET_KEY
    service_token: str = DEV_SERVICE_TOKEN
    # "dev" (KG_ENV=dev, set by `make run`) allows the development secrets above; anything else refuses them
    env: str = "production"
    answer_weeks: int = 4          # "snarast" — about four weeks is the norm
    statement_weeks: int = 4       # default deadline for a requested yttrande
    extension_weeks: int = 2       # one extension, only before the deadline passes
    # the answer is due at least this long after a requested statement is: time to read it and write the answer
    answer_after_statement_days: int = 14
    reopen_days: int = 30          # a reporter message this long after answer/close reopens the case
    retention_days: int = 730      # closed cases older than this are anonymised by `retention`
    session_hours: int = 8
    officer_idle_minutes: int = 30  # an officer session not used for this long has ended (sliding)
    attachments_dir: str = str(ROOT / "var" / "attachments")
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_reporter_files: int = 5
    max_officer_files: int = 20
    rate_limit_failures: int = 5
    rate_limit_window_s: int = 15 * 60
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Klagomålsguiden <noreply@klagomalsguiden.example>"
    cookie_secure: bool = False
    deadline_check_interval_s: int = 600
    rasa_socket_url: str = "http://127.0.0.1:5005"
    # proxies in front of us (nginx, a load balancer): only their X-Forwarded-For is believed
    trusted_proxies: tuple = ()
    # webhooks to the diary systems: the wait before each retry (after the last one the delivery is dead),
    # the time a receiver has to answer, and how often the worker looks for due deliveries (0: no worker)
    webhook_backoff_s: tuple = (5, 60, 300, 1800, 7200, 21600, 43200)
    webhook_timeout_s: float = 10.0
    webhook_poll_s: float = 1.0
    # e-ID for reporters (OpenID Connect, the Swedish OIDC profile): all empty = reference and access code only
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = ""            # empty: {public_url}/e-legitimation/callback
    oidc_scopes: str = "openid https://id.oidc.se/scope/naturalPersonNumber"
    oidc_leeway_s: int = 60                # clock skew accepted on the ID token's iat/exp/nbf
    oidc_timeout_s: float = 10.0           # each call to the identity provider
    extra: dict = field(default_factory=dict)

    @property
    def oidc_enabled(self) -> bool:
        """e-ID is offered only when the identity provider and the client are configured."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def oidc_callback_url(self) -> str:
        return self.oidc_redirect_url or f"{self.public_url.rstrip('/')}/e-legitimation/callback"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        port = _env_int("KG_PORT", _env_int("BACKEND_PORT", 8080))
        s = cls(
            database_url=normalise_database_url(os.environ.get("DATABASE_URL") or cls.database_url),
            host=os.environ.get("KG_HOST", "127.0.0.1"),
            port=port,
            public_url=os.environ.get("KG_PUBLIC_URL", f"http://127.0.0.1:{port}"),
            env=(os.environ.get("KG_ENV") or "production").strip().lower(),
            secret_key=os.environ.get("KG_SECRET_KEY", cls.secret_key),
            service_token=os.environ.get("KG_SERVICE_TOKEN", cls.service_token),
            answer_weeks=_env_int("KG_ANSWER_WEEKS", 4),
            statement_weeks=_env_int("KG_STATEMENT_WEEKS", 4),
            extension_weeks=_env_int("KG_EXTENSION_WEEKS", 2),
            answer_after_statement_days=_env_int("KG_ANSWER_AFTER_STATEMENT_DAYS", 14),
            reopen_days=_env_int("KG_REOPEN_DAYS", 30),
            retention_days=_env_int("KG_RETENTION_DAYS", 730),
            session_hours=_env_int("KG_SESSION_HOURS", 8),
            officer_idle_minutes=_env_int("KG_OFFICER_IDLE_MINUTES", cls.officer_idle_minutes),
            attachments_dir=os.environ.get("KG_ATTACHMENTS_DIR", cls.attachments_dir),
            smtp_host=os.environ.get("SMTP_HOST", ""),
            smtp_port=_env_int("SMTP_PORT", 25),
            smtp_user=os.environ.get("SMTP_USER", ""),
            smtp_password=os.environ.get("SMTP_PASSWORD", ""),
            smtp_starttls=_env_bool("SMTP_STARTTLS", False),
            mail_from=os.environ.get("MAIL_FROM", cls.mail_from),
            cookie_secure=_env_bool("KG_COOKIE_SECURE", False),
            deadline_check_interval_s=_env_int("KG_DEADLINE_CHECK_INTERVAL_S", cls.deadline_check_interval_s),
            rasa_socket_url=os.environ.get("KG_RASA_SOCKET_URL", f"http://127.0.0.1:{_env_int('RASA_PORT', 5005)}"),
            trusted_proxies=parse_trusted_proxies(os.environ.get("KG_TRUSTED_PROXIES", "")),
            webhook_backoff_s=_env_floats("KG_WEBHOOK_BACKOFF_S", cls.webhook_backoff_s),
            webhook_timeout_s=_env_float("KG_WEBHOOK_TIMEOUT_S", cls.webhook_timeout_s),
            webhook_poll_s=_env_float("KG_WEBHOOK_POLL_S", cls.webhook_poll_s),
            oidc_issuer=os.environ.get("KG_OIDC_ISSUER", "").strip().rstrip("/"),
            oidc_client_id=os.environ.get("KG_OIDC_CLIENT_ID", "").strip(),
            oidc_client_secret=os.environ.get("KG_OIDC_CLIENT_SECRET", ""),
            oidc_redirect_url=os.environ.get("KG_OIDC_REDIRECT_URL", "").strip(),
            oidc_scopes=os.environ.get("KG_OIDC_SCOPES", "").strip() or cls.oidc_scopes,
            oidc_leeway_s=_env_int("KG_OIDC_LEEWAY_S", cls.oidc_leeway_s),
            oidc_timeout_s=_env_float("KG_OIDC_TIMEOUT_S", cls.oidc_timeout_s),
        )
        s = replace(s, database_url=normalise_database_url(s.database_url))
        return replace(s, **overrides) if overrides else s
