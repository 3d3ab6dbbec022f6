"""E-mail to the reporter that there is news — never any case content. SMTP, or the log in development."""
from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

import aiosmtplib

from ..i18n import gettext as _, set_locale
from ..models import Case
from ..settings import Settings

log = logging.getLogger(__name__)


def mask_email(address: str) -> str:
    """'anna.andersson@example.se' → 'a***@example.se': enough to tell mails apart in a log, no more."""
    local, at, domain = address.partition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def build_mail(settings: Settings, to: str, reference: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = _("Det finns nytt i ditt ärende hos Klagomålsguiden")
    msg.set_content(_(
        "Hej!\n\nDet finns ett nytt meddelande i ditt ärende {reference}.\n"
        "Läs det på {url} med ditt ärendenummer och din kod.\n\n"
        "Av säkerhetsskäl skriver vi inte vad meddelandet handlar om i det här mejlet.\n\n"
        "Vänliga hälsningar\nKlagomålsguiden\n").format(reference=reference, url=f"{settings.public_url}/arende"))
    return msg


class Notifier:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.tasks: set[asyncio.Task] = set()
        self.sent = 0

    def __call__(self, case: Case) -> None:
        if not case.reporter_email:
            return
        token = set_locale("sv")
        try:
            mail = build_mail(self.settings, case.reporter_email, case.reference)
        finally:
            from ..i18n import _current
            _current.reset(token)
        task = asyncio.get_running_loop().create_task(self._send(mail, case.reference))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, mail: EmailMessage, reference: str = "") -> None:
        s = self.settings
        if not s.smtp_host:
            # the address masked and the body left out: the log is no place for contact details
            log.info("mail to %s about %s (no SMTP configured, not sent)", mask_email(str(mail["To"])), reference)
            self.sent += 1
            return
        for attempt in range(3):
            try:
                await aiosmtplib.send(mail, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_user or None,
                                      password=s.smtp_password or None, start_tls=s.smtp_starttls, timeout=15)
                self.sent += 1
                return
            except Exception as exc:  # noqa: BLE001 — a mail failure must never break the case action
                log.warning("mail not sent (attempt %d): %s", attempt + 1, type(exc).__name__)
                await asyncio.sleep(0.5 * (attempt + 1))

    async def drain(self) -> None:
        if self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
