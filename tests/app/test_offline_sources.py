"""Recorded upstream responses in data/raw -> `python -m etl build` -> the pages show them."""

import hashlib
import json
import shutil
import subprocess
import sys

from labourmarket.core import paths
from tests.app.conftest import GAP, open_page, read_shown_table

FIXTURES = paths.REPO_DIR / "tests" / "fixtures"
NBSP = "\u00a0"


def place_recorded_kolada(data_tree) -> None:
    """Put two recorded Kolada v3 pages in data/raw/kolada with sidecars as fetch() writes them."""
    target = data_tree / "raw" / "kolada"
    target.mkdir(parents=True)
    for page in ("page1", "page2"):
        raw = (FIXTURES / "kolada" / f"{page}.json").read_bytes()
        shutil.copyfile(FIXTURES / "kolada" / f"{page}.json", target / f"{page}.json")
        provenance = {
            "file": f"{page}.json",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "url": "https://api.kolada.se/v3/data/kpi/N03920,N03935/municipality/0000,0001,0181/year/2023",
            "http_status": 200,
            "source_id": "kolada",
            "retrieved_at": "2026-11-20T08:00:00Z",
        }
        (target / f"{page}.provenance.json").write_text(json.dumps(provenance), encoding="utf-8")


def test_recorded_kolada_pages_reach_the_gap_page(data_tree):
    place_recorded_kolada(data_tree)
    result = subprocess.run(
        [sys.executable, "-m", "etl", "build"], cwd=paths.REPO_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "kolada: raw/kolada/page1.json (9 rows)" in result.stdout
    at = open_page(GAP, measure="kolada_arbetslosa_befolkning", view="table")
    assert not at.exception
    assert at.selectbox(key="period").value == "2023"
    table = read_shown_table(at)
    total = table[(table["Kommun"] == "Södertälje") & (table["Grupp"] == "Totalt 18-65 år")].iloc[0]
    assert (total["Andel (%)"], total["Stockholms län (%)"]) == ("11,1", "5,6")
    assert total["Skillnad mot Stockholms län"] == f"+5,5{NBSP}p.e."
    youth = table[(table["Kommun"] == "Södertälje") & (table["Grupp"] == "18-24 år")].iloc[0]
    # N03935 is published for kommuner only: no county figure, so no gap, never a 0.
    assert (
        youth["Andel (%)"],
        youth["Stockholms län (%)"],
        youth["Skillnad mot Stockholms län"],
    ) == (
        "8,3",
        "..",
        "..",
    )
    assert any("Källa: Kolada (RKA)" in caption.value for caption in at.caption)


def place_recorded_scb(data_tree, retrieved_at: str) -> None:
    """Put a recorded TAB6260 json-stat2 answer in data/raw/scb as scb.fetch() records it."""
    target = data_tree / "raw" / "scb"
    target.mkdir(parents=True)
    raw = (FIXTURES / "scb" / "TAB6260_data.json").read_bytes()
    (target / "TAB6260_data.json").write_bytes(raw)
    provenance = {
        "file": "TAB6260_data.json",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "url": "https://statistikdatabasen.scb.se/api/v2/tables/TAB6260/data?lang=sv&outputFormat=json-stat2",
        "http_status": 200,
        "source_id": "scb_bas",
        "table_id": "TAB6260",
        "retrieved_at": retrieved_at,
    }
    (target / "TAB6260_data.provenance.json").write_text(json.dumps(provenance), encoding="utf-8")


def test_a_newer_scb_retrieval_supersedes_the_bundled_snapshot(data_tree):
    """The snapshot and a live TAB6260 answer share months; the newer vintage wins, counted."""
    from etl.pipeline import build
    from labourmarket.core import store

    place_recorded_scb(data_tree, "2026-11-25T07:00:00Z")
    manifest = build()
    assert manifest["superseded_rows"] > 0
    frame = store.read_observations(
        {"measure_id": "scb_bas_arbetsloshet_20_64", "region_code": "01", "period": "2024M10"}
    )
    is_total = (frame[["birth_region", "age", "sex"]] == "total").all(axis=1)
    total = frame[is_total]
    assert total["source_id"].tolist() == ["scb_bas"]
    older = store.read_observations(
        {"measure_id": "scb_bas_arbetsloshet_20_64", "region_code": "01", "period": "2024M12"}
    )
    assert set(older["source_id"]) == {"scb_bas_tab6260"}


def test_a_registry_row_added_after_a_fetch_does_not_break_the_rebuild(data_tree):
    """The saved answer is parsed for the ContentsCodes recorded at fetch time, not new rows."""
    from etl.pipeline import build

    place_recorded_scb(data_tree, "2026-11-25T07:00:00Z")
    sidecar = data_tree / "raw" / "scb" / "TAB6260_data.provenance.json"
    provenance = json.loads(sidecar.read_text(encoding="utf-8"))
    provenance["contents_codes"] = {"scb_bas_arbetsloshet_20_64": "000006II"}
    sidecar.write_text(json.dumps(provenance), encoding="utf-8")
    registry = data_tree / "reference" / "scb_tables.csv"
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + "TAB6260,scb_bas_sysselsattning_16_64,000006IK,sysselsättningsgrad,16-64,,true,scb_bas,"
        "START/AM/AM0210/AM0210A/ArbStatusM,,added later\n",
        encoding="utf-8",
    )
    manifest = build()
    assert "scb_bas_sysselsattning_16_64" not in manifest["rows_by_measure"]
    assert manifest["rows_by_measure"]["scb_bas_arbetsloshet_20_64"] >= 360
