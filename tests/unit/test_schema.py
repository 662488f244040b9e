"""Validation: a clean frame passes, and each check catches the rows that break it."""

from collections.abc import Callable

import pandas as pd
import pytest

from etl.pipeline import normalise
from etl.sources import seed
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.schema import ValidationError, validate
from tests.unit.test_seed import PROVENANCE, RAW

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")


@pytest.fixture
def frame() -> pd.DataFrame:
    return normalise(seed.parse_table(RAW, PROVENANCE), PROVENANCE)


def set_cell(column: str, value: object, row: int = 0) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame

    return mutate


def duplicate_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)


@pytest.mark.parametrize(
    ("mutate", "check", "bad_rows"),
    [
        (set_cell("region_code", None), "missing_required", 1),
        (set_cell("sex", "both"), "unknown_codes", 1),
        (set_cell("education", "phd"), "unknown_codes", 1),
        (set_cell("age", "young"), "unknown_codes", 1),
        (set_cell("status", "estimated"), "unknown_codes", 1),
        (set_cell("period", "2013Q3"), "bad_period", 1),
        (set_cell("period_start", pd.Timestamp("2013-01-01")), "bad_period", 1),
        (set_cell("frequency", "M"), "bad_period", 1),
        (duplicate_first_row, "duplicate_key", 2),
        (set_cell("measure_id", "af_unknown"), "unknown_measure", 1),
        (set_cell("region_code", "0199"), "unknown_region", 1),
        (set_cell("source_id", "nowhere"), "unknown_source", 1),
        (set_cell("value", 145.0), "percent_out_of_range", 1),
        (set_cell("value", -0.1), "percent_out_of_range", 1),
        (set_cell("status", "suppressed"), "value_despite_status", 1),
    ],
)
def test_validate_names_the_failing_check_and_rows(frame, mutate, check, bad_rows):
    with pytest.raises(ValidationError) as error:
        validate(mutate(frame), CATALOG)
    failures = {failure.check: failure for failure in error.value.failures}
    assert check in failures
    assert len(failures[check].rows) == bad_rows
    assert f"- {check}:" in str(error.value)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda f: f.drop(columns="status"), "missing column 'status'"),
        (lambda f: f.assign(comment="x"), "unexpected column 'comment'"),
        (lambda f: f.assign(value=f["value"].astype(str)), "column 'value' has dtype"),
        (lambda f: f.assign(period_start=f["period"]), "column 'period_start' has dtype"),
    ],
)
def test_validate_rejects_wrong_columns_and_dtypes(frame, mutate, problem):
    with pytest.raises(ValidationError) as error:
        validate(mutate(frame), CATALOG)
    assert problem in str(error.value)


def test_validate_accepts_the_seed_table(frame):
    assert validate(frame, CATALOG) is None


def test_validate_allows_a_missing_value_without_status(frame):
    frame.loc[0, "value"] = None
    assert validate(frame, CATALOG) is None


def test_failure_message_shows_the_key_of_the_bad_row(frame):
    frame.loc[3, "value"] = 101.0
    with pytest.raises(ValidationError) as error:
        validate(frame, CATALOG)
    row = frame.loc[3]
    assert f"region_code='{row['region_code']}'" in str(error.value)
    assert "value=101.0" in str(error.value)
