"""Saving fetched bytes: one fetch lands whole or not at all; the build tells fetches apart."""

import json
from datetime import UTC, datetime

import pytest

from etl.errors import SourceError
from etl.http import Fetched
from etl.pipeline import build
from etl.raw import RawItem, save_raw_batch
from labourmarket.core import store

PAGE = {
    "values": [
        {
            "kpi": "N03920",
            "municipality": "0181",
            "period": 2023,
            "values": [{"gender": "T", "count": 1, "status": "", "value": 11.1}],
        }
    ],
    "count": 1,
    "next_url": None,
}


def fetched(value: float, second: int = 0, year: int = 2023) -> Fetched:
    page = json.loads(json.dumps(PAGE))
    page["values"][0]["values"][0]["value"] = value
    page["values"][0]["period"] = year
    return Fetched(
        method="GET",
        url="https://api.kolada.se/v3/data/kpi/N03920/municipality/0181/year/2023",
        status=200,
        content=json.dumps(page).encode(),
        content_type="application/json",
        retrieved_at=datetime(2026, 11, 25, 8, 0, second, tzinfo=UTC),
    )


def list_kolada(data_tree) -> list[str]:
    directory = data_tree / "raw" / "kolada"
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_failure_midway_lands_nothing(data_tree):
    items = [
        RawItem("p1.json", fetched(11.1), {"source_id": "kolada"}),
        RawItem("missing-folder/p2.json", fetched(11.2, year=2022), {"source_id": "kolada"}),
    ]
    with pytest.raises(FileNotFoundError):
        save_raw_batch("kolada", items)
    assert list_kolada(data_tree) == []


def test_a_batch_shares_one_fetch_id(data_tree):
    items = [
        RawItem(f"p{n}.json", fetched(11.1, year=2021 + n), {"source_id": "kolada"}) for n in (1, 2)
    ]
    save_raw_batch("kolada", items)
    sidecars = [
        json.loads((data_tree / "raw" / "kolada" / f"p{n}.provenance.json").read_text())
        for n in (1, 2)
    ]
    assert sidecars[0]["fetch_id"] == sidecars[1]["fetch_id"]
    assert list_kolada(data_tree) == [
        "p1.json",
        "p1.provenance.json",
        "p2.json",
        "p2.provenance.json",
    ]


def test_duplicates_within_one_fetch_are_refused_before_saving(data_tree):
    """Two pages of one fetch giving the same figure twice is an upstream error, not a revision."""
    with pytest.raises(SourceError, match=r"key is not unique \(duplicate_key\); nothing was"):
        save_raw_batch(
            "kolada",
            [
                RawItem("p1.json", fetched(11.1, second=0), {"source_id": "kolada"}),
                RawItem("p2.json", fetched(99.9, second=5), {"source_id": "kolada"}),
            ],
        )
    assert list_kolada(data_tree) == []


def test_a_later_fetch_supersedes_an_earlier_one(data_tree):
    save_raw_batch(
        "kolada", [RawItem("old.json", fetched(11.1, second=0), {"source_id": "kolada"})]
    )
    save_raw_batch(
        "kolada", [RawItem("new.json", fetched(10.9, second=9), {"source_id": "kolada"})]
    )
    manifest = build()
    assert manifest["superseded_rows"] == 1

    rows = store.read_observations({"measure_id": "kolada_arbetslosa_befolkning"})
    assert rows["value"].tolist() == [10.9]
