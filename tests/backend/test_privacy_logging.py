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
