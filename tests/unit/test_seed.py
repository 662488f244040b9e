"""The Tabell 1 parser: every printed figure, and a clear error for every kind of bad input."""

import json

import pandas as pd
import pytest

from etl.errors import SourceError
from etl.sources import seed
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog
from tests.tabell1 import FIGURES

SEED_DIR = paths.REPO_DIR / "data" / "raw" / "seed"
RAW = (SEED_DIR / "sodertalje_2014_tabell1.txt").read_bytes()
PROVENANCE = json.loads((SEED_DIR / "sodertalje_2014_tabell1.provenance.json").read_text())
CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return seed.parse(RAW, PROVENANCE, CATALOG)


def test_parse_returns_42_figures_of_one_measure_and_period(parsed):
    assert len(parsed) == 42
    assert set(parsed["measure_id"]) == {"af_inskrivna_andel_rams"}
    assert set(parsed["period"]) == {"2013K3"}
    assert set(parsed["sex"]) == {"total"}
    assert not parsed.duplicated(["region_code", "age", "birth_region", "education"]).any()


@pytest.mark.parametrize(("region", "age", "birth_region", "education", "expected"), FIGURES)
def test_parse_reproduces_each_printed_figure(
    parsed, region, age, birth_region, education, expected
):
    match = parsed[
        (parsed["region_code"] == region)
        & (parsed["age"] == age)
        & (parsed["birth_region"] == birth_region)
        & (parsed["education"] == education)
    ]
    assert match["value"].tolist() == [expected]
    assert match["status"].isna().all()


def replace_in_raw(old: str, new: str) -> bytes:
    text = RAW.decode("utf-8")
    assert old in text, f"fixture text {old!r} not in the raw table"
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            replace_in_raw("27,0", "27.0"),
            "line 7, column 5 (Utrikes Födda): '27.0' is not a number",
        ),
        (replace_in_raw("27,0", "27,0 %"), "'27,0 %' is not a number"),
        (replace_in_raw("Botkyrka", "Salem"), "line 8: row label 'Salem' is not in region_labels"),
        (replace_in_raw("\t9,0", ""), "line 8: 6 values for 7 columns"),
        (replace_in_raw("Inrikes födda", "Födda i Norden"), "unknown label 'Födda i Norden'"),
        (replace_in_raw("Kommun\t", "Region\t"), "no header row starting with 'kommun'"),
        ("Södertälje".encode("latin-1") + RAW, "not UTF-8 at byte 1"),
    ],
    ids=[
        "decimal-point",
        "unit-in-cell",
        "unknown-region",
        "short-row",
        "unknown-column",
        "no-header",
        "latin-1",
    ],
)
def test_parse_refuses_bad_input_naming_the_spot(raw, message):
    with pytest.raises(SourceError) as error:
        seed.parse(raw, PROVENANCE, CATALOG)
    assert message in str(error.value)
    assert str(error.value).startswith("seed: sodertalje_2014_tabell1.txt")


def test_parse_keeps_missing_symbol_as_null_never_zero():
    frame = seed.parse(replace_in_raw("27,0", ".."), PROVENANCE, CATALOG)
    cell = frame[(frame["region_code"] == "0181") & (frame["birth_region"] == "foreign_born")]
    assert cell["value"].isna().all()
    assert cell["status"].tolist() == ["suppressed"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Förgym- nasial", "förgymnasial"),
        ("<i>Riket</i>", "riket"),
        ("Utrikes Födda", "utrikes födda"),
    ],
)
def test_normalise_label_undoes_typesetting(label, expected):
    assert seed.normalise_label(label) == expected
