"""Klagomålsguiden's custom actions (run with `rasa run actions --actions bot.actions`)."""
from . import actions, forms  # noqa: F401  (registers every Action subclass)
