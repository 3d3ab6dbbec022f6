"""The calendar date is Sweden's everywhere, in the code and in the tests that compare with it.

A test that took the machine's date (UTC on a server) while the code uses the Swedish date failed in
the hour or two before midnight UTC; so did code that used the server's local clock.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

from backend.swedish_time import local_date, swedish_midnight

ROOT = Path(__file__).resolve().parents[2]
MACHINE_DATE = re.compile(r"\bdate\.today\(\)|\bdatetime\.(now|today)\(\)|utcnow\(\)\.date\(\)")


def test_no_machine_date_in_code_or_tests():
    offenders = []
    for folder in ("backend", "bot", "nlu", "tests", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == Path(__file__):
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if MACHINE_DATE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{no}")
    assert offenders == [], "use backend.swedish_time.local_date / bot.actions.dates.swedish_today: " + ", ".join(offenders)


def test_local_date_is_swedish_in_the_hour_before_midnight_utc():
    late = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)      # 00:30 on 2 December in Sweden
    assert local_date(late) == date(2026, 12, 2)
    summer = datetime(2026, 6, 30, 22, 15, tzinfo=timezone.utc)    # 00:15 on 1 July (CEST)
    assert local_date(summer) == date(2026, 7, 1)
    assert swedish_midnight(date(2026, 12, 2)) == datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc)


def test_the_night_run_really_runs_in_the_hour_before_midnight_utc():
    """`scripts/test.sh night` runs the date-sensitive suites under libfaketime at 23:30 UTC; this test
    proves the clock was faked there (elsewhere it only checks that the Swedish date is consistent)."""
    import os

    from backend.swedish_time import utcnow

    now = utcnow()
    if os.environ.get("KG_NIGHT_RUN") == "1":
        assert (now.hour, now.minute // 30) == (23, 1), now
        assert local_date() != now.date()  # Sweden has passed midnight (UTC+1 or +2)
    else:
        assert local_date() in (now.date(), (now + __import__("datetime").timedelta(hours=2)).date())
