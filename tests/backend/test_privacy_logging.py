"""Personal data stays out of logs: a database error (logged with its traceback by the error middleware)
does not carry the statement's parameters — names, personnummer, free text."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError


async def test_database_errors_hide_their_parameters(kg):
    async with kg.session() as s:
        with pytest.raises(IntegrityError) as err:
            await s.exec(text("INSERT INTO region (code, name) VALUES (:code, :name)"),
                         params={"code": "jamtland", "name": "Karl Andersson 19121212-1212"})
    assert "19121212-1212" not in str(err.value) and "Karl" not in str(err.value)


async def test_a_whole_case_logs_no_personal_data(kg, caplog):
    """Intake, a reporter read and message, an officer answer and its notification mail (printed to the
    log when no SMTP server is configured): no name, personnummer, e-mail, phone or free text in any log
    record, at any level."""
    import logging

    from kg_testkit import (DESCRIPTION, JH_HANDLER, PATIENT_NAME, PNR, REPORTER_EMAIL, REPORTER_NAME,
                            REPORTER_PHONE)

    caplog.set_level(logging.DEBUG)
    c = await kg.new_case()
    await kg.reporter_view(c["reference"], c["access_code"])
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar till Anna om vad som hände med Karl."})
    await kg.app["notifier"].drain()
    assert kg.app["notifier"].sent == 1
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "mail" in logged  # the notification was logged, masked
    for secret in (PNR, PNR.replace("-", ""), REPORTER_EMAIL, REPORTER_NAME, PATIENT_NAME, REPORTER_PHONE,
                   DESCRIPTION[:30], "Svar till Anna", "andersson"):
        assert secret.lower() not in logged.lower(), secret
    assert "a***@example.se" in logged


def test_mask_email():
    from backend.services.notify import mask_email
    assert mask_email("anna.andersson@example.se") == "a***@example.se"
    assert mask_email("x@y") == "x***@y"
    assert mask_email("no-at-sign") == "***"
    assert mask_email("") == "***"
