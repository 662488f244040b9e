"""Where the data tree lives; one environment variable moves all of it (tests use a temp tree)."""

import os
from pathlib import Path

DATA_DIR_ENV = "ARBETSMARKNAD_DATA_DIR"
REPO_DIR = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Return the root of the data tree, honouring the override variable at call time."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else REPO_DIR / "data"


def raw_dir() -> Path:
    return data_dir() / "raw"


def reference_dir() -> Path:
    return data_dir() / "reference"


def clean_dir() -> Path:
    return data_dir() / "clean"
