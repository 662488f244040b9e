"""AF's time-without-work files: kommun counts, "<5" hidden, lower-bound sums, exact Riket."""

import io

import pandas as pd
import pytest

from bench.af_tid_workbook import write_kommun_workbook, write_riket_workbook
from etl.errors import SourceError
from etl.pipeline import normalise
from etl.sources import arbetsformedlingen
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from labourmarket.core.targets import evaluate, load_targets

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
TOTAL_ROWS = [
    ("2026-08", "Stockholms län", "Södertälje", None, 5210, 2900, 1800, 950),
    ("2026-08", "Stockholms län", "Nykvarn", None, 310, 150, "<5", "<5"),
    ("2026-08", "Stockholms län", "Uppgift saknas", None, 40, 12, 6, "<5"),
    ("2026-08", "Uppsala län", "Heby", None, 420, 230, 140, 60),
]
SEX_ROWS = [
    ("2026-08", "Stockholms län", "Södertälje", "Kvinnor", 2500, 1400, 900, 480),
    ("2026-08", "Stockholms län", "Södertälje", "Män", 2710, 1500, 900, 470),
]
BIRTH_ROWS = [
    ("2026-08", "Stockholms län", "Södertälje", "Sverige", 1900, 1000, 600, 300),
    ("2026-08", "Stockholms län", "Södertälje", "Europa", 800, 450, "<5", 150),
    ("2026-08", "Stockholms län", "Södertälje", "Övriga länder", 2510, 1450, 1000, 500),
]
KOMMUN_FILE = write_kommun_workbook(
    {"Total": TOTAL_ROWS, "Kön": SEX_ROWS, "Födelseland": BIRTH_ROWS}
)
# The riket cache: one record per month, sex and other dimensions; AF's own totals for
# 2026-08 were 214 835 (>6), 149 016 (>12) and 83 001 (>24); these are smaller, made up.
RIKET_RECORDS = [
    ("2026-08", "Kvinnor", "16-24", "Nej", "Sverige", "Gymnasial", 900, 400, 200, 90),
    ("2026-08", "Kvinnor", "25-54", "Ja", "Europa", "Förgymnasial", 1100, 700, 500, 300),
    ("2026-08", "Män", "16-24", "Nej", "Sverige", "Gymnasial", 1000, 500, 250, 100),
    ("2026-08", "Män", "55-65", "Nej", "Övriga världen", "Eftergymnasial", 1300, 800, 600, 410),
]


def parse(raw: bytes, name: str) -> pd.DataFrame:
    return arbetsformedlingen.parse(raw, {"file": name}, CATALOG)


@pytest.fixture(scope="module")
def kommun() -> pd.DataFrame:
    return parse(KOMMUN_FILE, "web-inskrivna-arbetslosa-tid-utan-arbete-lan-kom-2026-08.xlsx")


@pytest.fixture(scope="module")
def riket() -> pd.DataFrame:
    buffer = io.BytesIO()
    write_riket_workbook(buffer, RIKET_RECORDS)
    return parse(buffer.getvalue(), "web-tid-riket-2026-08.xlsx")


def pick(frame: pd.DataFrame, measure: str, region: str, **group: str) -> tuple:
    wanted = {"sex": "total", "birth_region": "total"} | group
    mask = (frame["measure_id"] == measure) & (frame["region_code"] == region)
    for dimension, code in wanted.items():
        mask &= frame[dimension] == code
    rows = frame[mask]
    assert len(rows) == 1, rows
    row = rows.iloc[0]
    return (None if pd.isna(row["value"]) else row["value"]), (
        None if pd.isna(row["status"]) else row["status"]
    )


@pytest.mark.parametrize(
    ("measure", "region", "group", "expected"),
    [
        ("af_utan_arbete_over_6", "0181", {}, (2900, None)),
        ("af_utan_arbete_over_12", "0181", {}, (1800, None)),
        ("af_utan_arbete_over_24", "0331", {}, (60, None)),
        # "<5" is neither 0 nor a number: hidden, with a status saying so.
        ("af_utan_arbete_over_12", "0140", {}, (None, "suppressed")),
        # Stockholms län: Södertälje + Nykvarn + the residual row; exact where nothing is hidden.
        ("af_utan_arbete_over_6", "01", {}, (2900 + 150 + 12, None)),
        # A sum with a "<5" part is a lower bound: at least the known parts.
        ("af_utan_arbete_over_12", "01", {}, (1800 + 6, "lower_bound")),
        ("af_utan_arbete_over_24", "01", {}, (950, "lower_bound")),
        ("af_utan_arbete_over_12", "0181", {"sex": "women"}, (900, None)),
        ("af_utan_arbete_over_6", "0181", {"birth_region": "born_in_sweden"}, (1000, None)),
        # Foreign-born = Europa + Övriga länder.
        ("af_utan_arbete_over_6", "0181", {"birth_region": "foreign_born"}, (1900, None)),
        ("af_utan_arbete_over_12", "0181", {"birth_region": "foreign_born"}, (1000, "lower_bound")),
    ],
)
def test_kommun_file_counts(kommun, measure, region, group, expected):
    assert pick(kommun, measure, region, **group) == expected


def test_kommun_file_gives_no_riket_rows_and_no_residual_region(kommun):
    """Riket comes exact from the riket file, never from a sum over "<5" cells."""
    assert "00" not in set(kommun["region_code"])
    assert set(kommun["region_code"]) == {"0181", "0140", "0331", "01", "03"}
    assert kommun["value"].min() > 0


@pytest.mark.parametrize(
    ("measure", "group", "expected"),
    [
        ("af_utan_arbete_over_6", {}, 2400),
        ("af_utan_arbete_over_12", {}, 1550),
        ("af_utan_arbete_over_24", {}, 900),
        ("af_utan_arbete_over_6", {"sex": "women"}, 1100),
        ("af_utan_arbete_over_24", {"sex": "men"}, 510),
    ],
)
def test_riket_file_sums_its_cache_exactly(riket, measure, group, expected):
    assert pick(riket, measure, "00", **group) == (expected, None)


def test_an_unknown_group_label_stops_naming_sheet_and_value():
    raw = write_kommun_workbook(
        {"Total": TOTAL_ROWS, "Födelseland": [(*BIRTH_ROWS[0][:3], "Mars", 1, 1, 1, 1)]}
    )
    with pytest.raises(SourceError, match=r"sheet Födelseland.*unknown 'födelseland' value 'Mars'"):
        parse(raw, "tid.xlsx")


@pytest.mark.parametrize(
    ("now_count", "status"),
    [(1500, "met"), (1900, "not_met"), ("<5", "cannot_assess")],
)
def test_sodertalje_long_term_target_is_judged_on_af_counts(now_count, status):
    """'Minska långtidsarbetslösheten': >12 months now against September 2013."""
    raw = write_kommun_workbook(
        {
            "Total": [
                ("2013-09", "Stockholms län", "Södertälje", None, 5000, 2600, 1700, 900),
                ("2026-08", "Stockholms län", "Södertälje", None, 5210, 2900, now_count, 950),
            ]
        }
    )
    rows = parse(raw, "tid.xlsx")
    observations = normalise(
        rows, {"source_id": "af_statistik", "retrieved_at": "2026-09-25T00:00:00Z"}
    )
    targets = [t for t in load_targets(CATALOG) if t.id == "sodertalje_langtid_antal_minska"]
    result = evaluate(observations, targets, CATALOG).iloc[0]
    assert result["status"] == status
    if status != "cannot_assess":
        assert (result["period"], result["value"]) == ("2026M08", now_count)
