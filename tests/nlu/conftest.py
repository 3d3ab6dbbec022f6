"""Fixtures for the category suggester tests (run from the repo root with PYTHONPATH=.)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# bot.actions is imported as a library here (no server, no token): development settings are fine
os.environ.setdefault("KG_ENV", "dev")

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TAXONOMY_PATH = ROOT / "backend" / "data" / "taxonomy.json"
TRAIN_PATH = ROOT / "nlu" / "data" / "categories" / "train.yml"


@pytest.fixture(scope="session")
def taxonomy():
    from nlu.category_data import load_taxonomy

    return load_taxonomy(TAXONOMY_PATH)


@pytest.fixture(scope="session")
def real_model(taxonomy):
    """The model trained on the real train.yml (fails, not skips, if it is missing)."""
    from nlu.category_suggester import train_from_files

    return train_from_files(str(TRAIN_PATH), str(TAXONOMY_PATH), seed=42)
