"""Jämför: ranking a kommun within its county or its SKR kommungrupp, and the no-groups notice."""

import hashlib
import json
from pathlib import Path

import pytest

from labourmarket.views.jamfor import NO_PEER_GROUPS
from tests.app.conftest import open_page, read_shown_table

COMPARE = "app_pages/jamfor.py"
INTEGRATION = "scb_integration_arbetsloshet_20_64"
FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "kolada" / "municipality_groups_v3.json"
)
LINK = {"measure": INTEGRATION, "period": "2023", "population": "lan_01", "view": "table"}


@pytest.fixture
def groups_tree(built_tree: Path) -> Path:
    """The build plus the hand-written groups page (TEST DATA) saved as a fetch saves it."""
    directory = built_tree / "raw" / "kolada_groups"
    directory.mkdir(parents=True)
    raw = FIXTURE.read_bytes()
    (directory / "municipality_groups_p1_test.json").write_bytes(raw)
    sidecar = {
        "file": "municipality_groups_p1_test.json",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "source_id": "kolada_groups",
        "retrieved_at": "2026-11-30T10:00:00Z",
        "fetch_id": "kolada_groups-test",
    }
    (directory / "municipality_groups_p1_test.provenance.json").write_text(json.dumps(sidecar))
    return built_tree


def test_without_group_data_the_page_says_where_it_comes_from(built_tree):
    at = open_page(COMPARE, **LINK, regions="0181")
    assert not at.exception
    assert NO_PEER_GROUPS in [info.value for info in at.info]
    assert "Rangordna inom" not in [box.label for box in at.selectbox]


def test_a_kommun_is_ranked_within_its_kommungrupp(groups_tree):
    at = open_page(COMPARE, **LINK, regions="0181", peer_scope="GTEST1")
    assert not at.exception
    assert NO_PEER_GROUPS not in [info.value for info in at.info]
    assert at.selectbox(key="peer_region").value == "0181"
    scope = at.selectbox(key="peer_scope")
    assert scope.value == "GTEST1"
    assert scope.options == [
        "Kommunerna i Stockholms län",
        "Större stad, SKR:s kommungruppsindelning 2023 (3 av 4 med data)",
        "Större stad, SKR:s kommungruppsindelning 2017 (3 av 3 med data)",
    ]
    table = read_shown_table(at, len(at.table) - 1)
    assert table["Kommun"].tolist()[0] == "Södertälje"
    assert table.iloc[0][["Rang", "Markerad", "Andel (%)"]].tolist() == ["1", "ja", "16,6"]
    assert table["Kommun"].tolist()[-1] == "Uppsala"
    assert table.iloc[-1]["Andel (%)"] == ".."
    assert len(table) == 4
    shown = [m.value for m in at.markdown]
    assert (
        "**Södertälje inom Större stad, SKR:s kommungruppsindelning 2023 (3 av 4 med data)**"
        in shown
    )
    assert "2023 hade Södertälje den högsta andelen av 3 kommuner med värde: 16,6 procent." in shown


@pytest.mark.parametrize(
    ("region", "scope", "rows", "notice"),
    [
        ("0181", "lan", 26, None),
        ("0114", "lan", 26, "Upplands Väsby ingår inte i någon av SKR:s kommungrupper med värden."),
    ],
)
def test_the_county_is_always_offered(groups_tree, region, scope, rows, notice):
    at = open_page(COMPARE, **LINK, regions=region, peer_region=region, peer_scope=scope)
    assert not at.exception
    assert at.selectbox(key="peer_scope").value == "lan"
    assert len(read_shown_table(at, len(at.table) - 1)) == rows
    infos = [info.value for info in at.info]
    assert (notice in infos) if notice else not any("ingår inte" in i for i in infos)
