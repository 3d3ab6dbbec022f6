"""Klagomålsguiden's custom actions (run with `rasa run actions --actions bot.actions`)."""
from .backend_client import require_service_token

require_service_token()  # every way of starting the action server imports this package first

# the modules that define actions (importing them registers every Action subclass)
from . import actions, answers, complaint_form, followup_forms, questions  # noqa: E402,F401
