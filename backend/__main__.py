"""Command line: python -m backend serve|migrate|seed-demo|import-units|create-officer|set-password|enrol-totp|
deactivate-officer|create-integration-token|retention|check-deadlines."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .settings import Settings

DEMO_PASSWORD = "demo-losen-1"
DEMO_OFFICERS = [
    ("handlaggare@pn.jamtland.example", "Pia Nilsson", "handler", "SE2321000207-PN01"),
    ("mottagare@pn.jamtland.example", "Per Mattsson", "receiver", "SE2321000207-PN01"),
    ("mottagare@regionjh.example", "Maria Olsson", "receiver", "SE2321000207"),
    ("handlaggare@regionjh.example", "Hanna Lind", "handler", "SE2321000207"),
    ("admin@regionjh.example", "Anders Berg", "admin", "SE2321000207"),
    ("handlaggare@pn.uppsala.example", "Ulla Ek", "handler", "SE2321000024-PN01"),
    ("handlaggare@regionuppsala.example", "Oskar Ström", "handler", "SE2321000024"),
]


async def _with_session(settings: Settings, fn):
    from .db import make_engine, make_sessionmaker
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await fn(session)
    finally:
        await engine.dispose()


def _run_or_exit(command: str, settings: Settings, work):
    """Runs ``work(session)``; an unknown officer (LookupError) is a clear message and exit code 2."""
    try:
        return asyncio.run(_with_session(settings, work))
    except LookupError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        sys.exit(2)


def cmd_serve(args, settings: Settings) -> None:
    from aiohttp import web

    from .app import create_app
    from .settings import InsecureSettings, require_safe_secrets
    try:
        require_safe_secrets(settings)
    except InsecureSettings as exc:
        print(f"serve: refusing to start: {exc}", file=sys.stderr)
        sys.exit(2)
    if args.migrate:
        from .migrate import upgrade
        upgrade(settings.database_url)
    port = args.port or settings.port
    host = args.host or settings.host
    if args.port:
        from dataclasses import replace
        settings = replace(settings, port=port, public_url=settings.public_url if "KG_PUBLIC_URL" in __import__("os").environ
                           else f"http://{host}:{port}")
    web.run_app(create_app(settings), host=host, port=port, access_log=None,
                print=lambda *_: print(f"backend: listening on http://{host}:{port}", flush=True))


def cmd_migrate(args, settings: Settings) -> None:
    from .migrate import upgrade
    upgrade(settings.database_url)
    print("migrate: database is at the newest revision")


def cmd_import_units(args, settings: Settings) -> None:
    from .catalogue import CatalogueError, load_units_file
    from .services.units import import_catalogue
    try:
        data = load_units_file(args.file)
    except CatalogueError as exc:
        print(f"import-units: {exc}", file=sys.stderr)
        sys.exit(2)
    counts = asyncio.run(_with_session(settings, lambda s: import_catalogue(s, data)))
    print(f"import-units: {counts['regions']} regions, {counts['organisations']} organisations, {counts['units']} units")


def cmd_seed_demo(args, settings: Settings) -> None:
    from .catalogue import DEMO_UNITS_PATH, load_units_file
    from .services.auth import create_officer
    from .services.units import import_catalogue

    async def seed(session):
        counts = await import_catalogue(session, load_units_file(DEMO_UNITS_PATH))
        for email, name, role, org in DEMO_OFFICERS:
            await create_officer(session, email=email, name=name, password=DEMO_PASSWORD, role=role, organisation_id=org)
        return counts

    counts = asyncio.run(_with_session(settings, seed))
    print(f"seed-demo: {counts['units']} units, {len(DEMO_OFFICERS)} demo officers (password {DEMO_PASSWORD})")


def cmd_create_officer(args, settings: Settings) -> None:
    import getpass

    from .services.auth import create_officer
    password = args.password or getpass.getpass("Lösenord: ")
    asyncio.run(_with_session(settings, lambda s: create_officer(
        s, email=args.email, name=args.name, password=password, role=args.role, organisation_id=args.organisation)))
    print("create-officer: ok")


def cmd_set_password(args, settings: Settings) -> None:
    """A new password for an officer; every session of theirs ends."""
    import getpass

    from .services.auth import set_password
    password = args.password or getpass.getpass("Nytt lösenord: ")
    if not password:
        print("set-password: the password is empty", file=sys.stderr)
        sys.exit(2)
    ended = _run_or_exit("set-password", settings, lambda s: set_password(s, args.email, password))
    print(f"set-password: ok, {ended} sessions ended")


def cmd_enrol_totp(args, settings: Settings) -> None:
    """A new TOTP secret for the officer, printed once for their authenticator app (never logged)."""
    from .services.totp import enrol
    e = _run_or_exit("enrol-totp", settings, lambda s: enrol(s, settings.secret_key, args.email))
    print("enrol-totp: ok. Lägg till kontot i autentiseringsappen med länken (eller som QR-kod) eller nyckeln:")
    print(f"  länk:   {e.uri}")
    print(f"  nyckel: {' '.join(e.secret[i:i + 4] for i in range(0, len(e.secret), 4))}")
    print("Visa uppgifterna bara för handläggaren själv: de visas inte igen. En tidigare app-koppling slutar gälla.",
          file=sys.stderr)


def cmd_deactivate_officer(args, settings: Settings) -> None:
    """No more log-ins for the officer; every session of theirs ends now."""
    from .services.auth import deactivate_officer
    ended = _run_or_exit("deactivate-officer", settings, lambda s: deactivate_officer(s, args.email))
    print(f"deactivate-officer: ok, {ended} sessions ended")


def cmd_create_integration_token(args, settings: Settings) -> None:
    """Prints a new token for the organisation's diary system once (only its hash is stored)."""
    from .services.integration import create_token
    try:
        token = asyncio.run(_with_session(settings, lambda s: create_token(s, args.organisation, args.label)))
    except ValueError as exc:
        print(f"create-integration-token: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"create-integration-token: {token}")
    print("Spara nyckeln nu: den visas inte igen.", file=sys.stderr)


def cmd_retention(args, settings: Settings) -> None:
    from .services.retention import anonymise_closed
    run = asyncio.run(_with_session(settings, lambda s: anonymise_closed(s, settings, days=args.days)))
    print(f"retention: {run.cases_anonymised} closed cases anonymised (closed before {run.cutoff.date()}), "
          f"{run.attachments_removed} attachments removed")


def cmd_check_deadlines(args, settings: Settings) -> None:
    from .services.cases import check_deadlines
    n = asyncio.run(_with_session(settings, check_deadlines))
    print(f"check-deadlines: {n} new deadline events")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, every start
    p = argparse.ArgumentParser(prog="python -m backend")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--migrate", action="store_true", help="run migrations before starting")
    sub.add_parser("migrate")
    sub.add_parser("seed-demo")
    i = sub.add_parser("import-units")
    i.add_argument("file")
    c = sub.add_parser("create-officer")
    c.add_argument("--email", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--role", required=True, choices=["receiver", "handler", "admin"])
    c.add_argument("--organisation", required=True)
    c.add_argument("--password")
    sp = sub.add_parser("set-password", help="a new password; the officer's sessions end")
    sp.add_argument("--email", required=True)
    sp.add_argument("--password", help="asked for when left out")
    et = sub.add_parser("enrol-totp", help="a new second factor (authenticator app) for an officer")
    et.add_argument("--email", required=True)
    do = sub.add_parser("deactivate-officer", help="no more log-ins; the officer's sessions end")
    do.add_argument("--email", required=True)
    t = sub.add_parser("create-integration-token", help="a token for an organisation's diary system")
    t.add_argument("--organisation", required=True)
    t.add_argument("--label", default="diariesystem", help="which system (shown in the audit log)")
    r = sub.add_parser("retention")
    r.add_argument("--days", type=int, help="override KG_RETENTION_DAYS")
    sub.add_parser("check-deadlines")
    args = p.parse_args(argv)
    settings = Settings.from_env()
    {"serve": cmd_serve, "migrate": cmd_migrate, "seed-demo": cmd_seed_demo, "import-units": cmd_import_units,
     "create-officer": cmd_create_officer, "set-password": cmd_set_password, "enrol-totp": cmd_enrol_totp,
     "deactivate-officer": cmd_deactivate_officer, "create-integration-token": cmd_create_integration_token,
     "retention": cmd_retention,
     "check-deadlines": cmd_check_deadlines}[args.cmd](args, settings)


if __name__ == "__main__":
    main()
