"""SKR kommungrupper read from the newest Kolada groups fetch, and the ones a kommun is in."""

import json
from pathlib import Path

import pytest

from labourmarket.core import paths, peers
from labourmarket.core.catalog import load_catalog

FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "kolada" / "municipality_groups_v3.json"
)
CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")


def save_page(raw_dir: Path, name: str, raw: bytes, fetch_id: str, retrieved_at: str) -> None:
    """A page and its sidecar as etl/raw.py writes them (the fields peers.py reads)."""
    directory = raw_dir / peers.SOURCE
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(raw)
    sidecar = {"file": name, "fetch_id": fetch_id, "retrieved_at": retrieved_at}
    (directory / f"{Path(name).stem}{peers.PROVENANCE_SUFFIX}").write_text(json.dumps(sidecar))


def test_no_fetch_means_no_groups(tmp_path: Path) -> None:
    groups = peers.read_peer_groups(tmp_path, CATALOG)
    assert groups.empty
    assert list(groups.columns) == peers.GROUP_COLUMNS
    assert peers.find_peer_groups(groups, "0181") == []


def test_only_the_newest_fetch_is_read(tmp_path: Path) -> None:
    old = {"count": 1, "values": [{"id": "GOLD", "title": "Kommungrupp 2011", "members": []}]}
    save_page(tmp_path, "old.json", json.dumps(old).encode(), "f-old", "2025-01-01T00:00:00Z")
    save_page(tmp_path, "new.json", FIXTURE.read_bytes(), "f-new", "2026-11-30T10:00:00Z")
    groups = peers.read_peer_groups(tmp_path, CATALOG)
    assert sorted(groups["group_id"].unique()) == ["GTEST1", "GTEST2", "GTEST3", "GTEST4"]


@pytest.mark.parametrize(
    ("region_code", "expected"),
    [
        ("0181", [("GTEST1", "2023", 4), ("GTEST3", "2017", 3)]),  # GTEST4 is no kommungrupp
        ("0180", [("GTEST2", "2023", 3)]),
        ("0136", [("GTEST3", "2017", 3)]),
        ("0114", []),
        ("0580", []),
    ],
)
def test_find_peer_groups_lists_skr_groups_newest_edition_first(
    tmp_path: Path, region_code: str, expected: list[tuple[str, str, int]]
) -> None:
    save_page(tmp_path, "p1.json", FIXTURE.read_bytes(), "f1", "2026-11-30T10:00:00Z")
    found = peers.find_peer_groups(peers.read_peer_groups(tmp_path, CATALOG), region_code)
    assert [(g.group_id, g.edition, len(g.members)) for g in found] == expected


def test_a_group_keeps_its_members_in_koladas_order(tmp_path: Path) -> None:
    save_page(tmp_path, "p1.json", FIXTURE.read_bytes(), "f1", "2026-11-30T10:00:00Z")
    first = peers.find_peer_groups(peers.read_peer_groups(tmp_path, CATALOG), "0127")[0]
    assert first.title == "Större stad, SKR:s kommungruppsindelning 2023"
    assert first.members == ("0181", "0126", "0127", "0380")
