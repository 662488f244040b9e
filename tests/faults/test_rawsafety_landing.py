"""A batch killed halfway through landing: status, set-aside and build all lead back to a build."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl import set_aside
from etl.raw import LANDING_PREFIX, PROVENANCE_SUFFIX, sync_directory
from labourmarket.core import paths
from tests.faults.etl_cli import (
    PATIENT_HTTP,
    assert_failed_cleanly,
    copy_tree,
    read_manifest,
    run_etl,
    take_before,
)
from tests.faults.test_fetch_faults import JSON, KOLADA_ARGS, KOLADA_URL
from tests.http_server import Reply, serve
from tests.unit.test_cli import AF_CSV, KOLADA_PAGE, KOLADA_PATH

AF_DIR = "raw/arbetsformedlingen"
MEASURE = "af_inskrivna_andel_reg"  # what AF_CSV adds: 6 rows
# land_files renames the staging folder (1), moves the data file (2), then its sidecar (3).
AFTER_DATA_FILE_MOVED = "after:2"
MONTHLY_MEASURE = "scb_bas_arbetsloshet_20_64"  # monthly in the bundled build


@pytest.fixture
def tree(tmp_path: Path, pristine_build: Path) -> Path:
    return copy_tree(pristine_build, tmp_path / "data")


def kill_import_after_data_file(root: Path, download: Path) -> Path:
    """Import with SIGKILL right after the data file moved in, before its sidecar: the data file."""
    env = {
        **os.environ,
        paths.DATA_DIR_ENV: str(root),
        "CRASH_AT": AFTER_DATA_FILE_MOVED,
        **PATIENT_HTTP,
    }
    command = [sys.executable, "-m", "tests.faults.crashpoint", "import", str(download)]
    killed = subprocess.run(
        [*command, "--no-build"], cwd=paths.REPO_DIR, env=env, capture_output=True, timeout=300
    )
    assert killed.returncode == -9, killed.stderr
    [data] = [path for path in (root / AF_DIR).iterdir() if path.is_file()]
    [landing] = (root / AF_DIR).glob(f"{LANDING_PREFIX}*")
    assert [path.name for path in landing.iterdir()] == [f"{data.stem}{PROVENANCE_SUFFIX}"]
    return data


def test_status_set_aside_and_build_after_a_kill_between_commit_and_sidecar(tree, tmp_path):
    download = tmp_path / "oktober.csv"
    download.write_bytes(AF_CSV)
    data = kill_import_after_data_file(tree, download)
    shown = f"{AF_DIR}/{data.name}"

    status = run_etl(tree, "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert not any("without provenance" in line for line in lines), lines
    assert (
        f"  landing pending (the next build, import or set-aside finishes it): {shown}" in lines
    ), lines

    aside = run_etl(tree, "raw", "set-aside", shown, "--reason", "fel månad")
    assert aside.returncode == 0, aside.stderr
    [folder] = (tree / "raw" / "_set_aside" / "arbetsformedlingen").iterdir()
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [data.name, f"{data.stem}{PROVENANCE_SUFFIX}", "set-aside.json"]
    )
    assert f"set aside {data.name} with its provenance sidecar and a note" in aside.stdout
    assert list((tree / AF_DIR).iterdir()) == []

    built = run_etl(tree, "build")
    assert built.returncode == 0, built.stderr
    assert MEASURE not in read_manifest(tree)["rows_by_measure"]


def test_a_sidecar_without_its_data_file_names_set_aside_and_set_aside_takes_it(tree, tmp_path):
    """What the older set-aside left: the build names the way out, and that way works."""
    download = tmp_path / "oktober.csv"
    download.write_bytes(AF_CSV)
    data = kill_import_after_data_file(tree, download)
    data.unlink()  # the older set-aside moved the data file alone
    sidecar = f"{AF_DIR}/{data.stem}{PROVENANCE_SUFFIX}"

    refused = run_etl(tree, "build")
    assert refused.returncode == 1
    assert (
        f"error: arbetsformedlingen: {tree / AF_DIR / data.name}: unreadable: no such file, but"
        f" its provenance sidecar {sidecar} is there: put the file back, or set the sidecar"
        f" aside with `python -m etl raw set-aside {sidecar}`"
    ) in refused.stderr.splitlines(), refused.stderr

    aside = run_etl(tree, "raw", "set-aside", sidecar)
    assert aside.returncode == 0, aside.stderr
    [folder] = (tree / "raw" / "_set_aside" / "arbetsformedlingen").iterdir()
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [f"{data.stem}{PROVENANCE_SUFFIX}", "set-aside.json"]
    )
    note = json.loads((folder / "set-aside.json").read_text(encoding="utf-8"))
    assert note["file"] == f"{data.stem}{PROVENANCE_SUFFIX}"
    assert list((tree / AF_DIR).iterdir()) == []
    assert MEASURE not in read_manifest(tree)["rows_by_measure"]


def test_set_aside_syncs_both_ends_of_its_moves(tree, monkeypatch):
    """A power cut after set-aside keeps what moved: every folder the move touched is synced."""
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tree))
    data = tree / "raw" / "kolada" / "hand_placed.json"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_bytes(b"{}")
    synced = []

    def sync_and_record(directory: Path) -> None:
        synced.append(directory)
        sync_directory(directory)

    monkeypatch.setattr(set_aside, "sync_directory", sync_and_record)
    moved = set_aside.set_aside(data, "prov")
    aside = tree / "raw" / "_set_aside"
    assert synced == [data.parent, moved.folder, aside / "kolada", aside, tree / "raw"]


def test_a_fetch_giving_a_measure_a_second_frequency_lands_nothing(tree):
    """Checked alone the page passes; next to data/clean's monthly rows every build would fail."""
    kpis = tree / "reference" / "kolada_kpis.csv"
    # A mapping slip: Kolada's yearly N03920 sent to SCB's monthly BAS measure.
    kpis.write_text(
        kpis.read_text(encoding="utf-8").replace(
            "N03920,kolada_arbetslosa_befolkning,", f"N03920,{MONTHLY_MEASURE},", 1
        ),
        encoding="utf-8",
    )
    before = take_before(tree)
    with serve({KOLADA_PATH: Reply(200, JSON, json.dumps(KOLADA_PAGE).encode())}) as server:
        base = f"{server.url}/v3"
        result = run_etl(tree, "fetch", "kolada", *KOLADA_ARGS, "--base-url", base)
        url = KOLADA_URL.format(url=server.url)
    assert_failed_cleanly(
        result,
        tree,
        before,
        f"error: kolada: {url}: the build would refuse the row with measure_id"
        f" '{MONTHLY_MEASURE}', region_code '0181', period '2023', sex 'total', age 'total',"
        " birth_region 'total', education 'total', value 11.1: data/clean holds this measure"
        " as M, these rows as A: one measure holds more than one frequency (mixed_frequency);"
        " nothing was saved",
    )
