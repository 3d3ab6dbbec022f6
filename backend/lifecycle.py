"""The case status machine. Every status change goes through `transition`."""
from __future__ import annotations

RECEIVED = "received"
IN_PROGRESS = "in_progress"
WAITING_FOR_REPORTER = "waiting_for_reporter"
WAITING_FOR_STATEMENT = "waiting_for_statement"
ANSWERED = "answered"
CLOSED = "closed"

STATUSES = (RECEIVED, IN_PROGRESS, WAITING_FOR_REPORTER, WAITING_FOR_STATEMENT, ANSWERED, CLOSED)

TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({IN_PROGRESS}),
    # in_progress -> received only through a reassignment (the new organisation receives it anew)
    IN_PROGRESS: frozenset({RECEIVED, WAITING_FOR_REPORTER, WAITING_FOR_STATEMENT, ANSWERED, CLOSED}),
    WAITING_FOR_REPORTER: frozenset({IN_PROGRESS}),
    WAITING_FOR_STATEMENT: frozenset({IN_PROGRESS}),
    ANSWERED: frozenset({CLOSED, IN_PROGRESS}),
    CLOSED: frozenset({IN_PROGRESS}),
}

OPEN_STATUSES = frozenset({RECEIVED, IN_PROGRESS, WAITING_FOR_REPORTER, WAITING_FOR_STATEMENT})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str):
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target


def can(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check(current: str, target: str) -> None:
    if not can(current, target):
        raise IllegalTransition(current, target)
