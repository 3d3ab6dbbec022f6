"""Klagomålsguiden's custom actions (run with `rasa run actions --actions bot.actions`)."""
# the modules that define actions (importing them registers every Action subclass)
from . import actions, answers, complaint_form, followup_forms, questions  # noqa: F401
