"""Bundled SCB snapshots: published values land exactly; mangled copies are refused."""

import json

import pandas as pd
import pytest

from etl.errors import SourceError
from etl.sources import scb_snapshot
from labourmarket.core import paths
from labourmarket.core.catalog import load_catalog

SNAPSHOT_DIR = paths.REPO_DIR / "data" / "raw" / "scb_snapshot"
CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
BAS = "scb_bas_arbstatusm_monthly_2020_2024_riket_stockholmslan_by_birthregion"
INTEGRATION = "scb_integration_unemployment_20_64_kommun_stockholmslan_2016_2023"


def load(stem: str) -> tuple[bytes, dict]:
    provenance = json.loads((SNAPSHOT_DIR / f"{stem}.provenance.json").read_text("utf-8"))
    return (SNAPSHOT_DIR / provenance["file"]).read_bytes(), provenance


def parse_snapshot(stem: str) -> pd.DataFrame:
    return scb_snapshot.parse(*load(stem), CATALOG)


@pytest.mark.parametrize(
    ("region", "period", "birth_region", "value"),
    [
        ("00", "2020M01", "total", 5.9),
        ("00", "2020M02", "total", 6.0),
        ("00", "2020M04", "total", 6.0),
    ],
)
def test_bas_monthly_values(region, period, birth_region, value):
    frame = parse_snapshot(BAS)
    row = frame[
        (frame["region_code"] == region)
        & (frame["period"] == period)
        & (frame["birth_region"] == birth_region)
    ]
    assert row["value"].tolist() == [value]
    assert row["status"].tolist() == ["provisional"]


def test_bas_monthly_shape():
    frame = parse_snapshot(BAS)
    assert len(frame) == 360
    assert sorted(frame["region_code"].unique()) == ["00", "01"]
    assert sorted(frame["birth_region"].unique()) == ["born_in_sweden", "foreign_born", "total"]
    assert (frame["period"].min(), frame["period"].max()) == ("2020M01", "2024M12")


@pytest.mark.parametrize(
    ("region", "year", "value", "source_id"),
    [
        ("0114", "2016", 11.9, "scb_integration_intgr1komkonutb"),
        ("0115", "2016", 6.1, "scb_integration_intgr1komkonutb"),
        ("0117", "2016", 7.2, "scb_integration_intgr1komkonutb"),
    ],
)
def test_integration_values_and_their_table(region, year, value, source_id):
    frame = parse_snapshot(INTEGRATION)
    row = frame[(frame["region_code"] == region) & (frame["period"] == year)]
    assert row["value"].tolist() == [value]
    assert row["source_id"].tolist() == [source_id]


def test_integration_series_break_is_carried_by_source_table():
    frame = parse_snapshot(INTEGRATION)
    tables = frame.groupby("period")["source_id"].unique().map(list).to_dict()
    assert tables["2021"] == ["scb_integration_intgr1komkonutb"]
    assert tables["2022"] == ["scb_integration_intgr1komutbbas"]
    assert len(frame) == 208 and frame["region_code"].nunique() == 26


def replace_line(raw: bytes, old: str, new: str) -> bytes:
    text = raw.decode("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("stem", "old", "new", "message"),
    [
        (BAS, "290665,4938702,5.9", "290665,4938702,6.9", "line 2: arbetsloshet_pct 6.9 differs"),
        (BAS, ",totalt,2020M01", ",alla,2020M01", "line 2: unknown fodelseregion 'alla'"),
        (INTEGRATION, "2016,11.9,", "2016,elva,", "line 2, column unemployment_rate: 'elva'"),
        (INTEGRATION, "2016,11.9,IntGr1KomKonUtb", "2016,11.9,Okand", "unknown scb_source_table"),
    ],
)
def test_mangled_snapshot_is_refused_naming_the_line(stem, old, new, message):
    raw, provenance = load(stem)
    with pytest.raises(SourceError, match=message):
        scb_snapshot.parse(replace_line(raw, old, new), provenance, CATALOG)


def test_missing_value_stays_null():
    raw, provenance = load(INTEGRATION)
    frame = scb_snapshot.parse(replace_line(raw, "2016,11.9,", "2016,..,"), provenance, CATALOG)
    assert frame.loc[frame["region_code"] == "0114", "value"].isna().iloc[0]
