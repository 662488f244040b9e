"""A raw file the build would refuse never lands; no crash leaves a file without its sidecar."""

import errno
import json
import os
import subprocess
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from etl import pipeline
from etl.errors import SourceError
from etl.pipeline import build
from etl.raw import PROVENANCE_SUFFIX
from etl.sources import arbetsformedlingen
from labourmarket.core import paths, store
from labourmarket.core.catalog import load_catalog
from tests.faults.etl_cli import (
    PATIENT_HTTP,
    assert_failed_cleanly,
    copy_tree,
    read_manifest,
    run_etl,
    run_side_by_side,
    take_before,
)
from tests.faults.test_fetch_faults import JSON, KOLADA_ARGS
from tests.http_server import Reply, serve
from tests.unit.test_cli import AF_CSV, KOLADA_PAGE, KOLADA_PATH

AF_DIR = "raw/arbetsformedlingen"
KOLADA_FILE = "raw/kolada/hand_placed.json"
# Renames of one file landing (--no-build): the staging folder committed, the file, its sidecar.
LANDING_RENAMES = 3


@pytest.fixture
def tree(tmp_path: Path, pristine_build: Path) -> Path:
    return copy_tree(pristine_build, tmp_path / "data")


def write_download(folder: Path, name: str, raw: bytes) -> Path:
    path = folder / name
    path.write_bytes(raw)
    return path


def list_entries(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


# Refused by the parse (etl/sources/af_sheet.py) or, were it to let one through, by the
# build's own checks before saving (etl/pipeline.py check_new_files): either way, nothing lands.
IMPORTS_REFUSED = {
    "period-000001": ("noll.csv", AF_CSV.replace(b"202410;", b"000001;"), "noll.csv"),
    "period-999912": ("sent.csv", AF_CSV.replace(b"202410;", b"999912;"), "sent.csv"),
}


@pytest.mark.parametrize("case", IMPORTS_REFUSED)
def test_an_import_the_build_would_refuse_lands_nothing(tree, tmp_path, case):
    name, raw, spot = IMPORTS_REFUSED[case]
    download = write_download(tmp_path, name, raw)
    before = take_before(tree)
    result = run_etl(tree, "import", str(download))
    assert_failed_cleanly(result, tree, before, f"error: arbetsformedlingen: {spot}")


def test_a_frame_the_build_would_refuse_is_refused_before_saving(tree, tmp_path, monkeypatch):
    """The check before saving is the build's own: a period the parse let through is refused."""
    download = write_download(tmp_path, "oktober.csv", AF_CSV)
    parse = arbetsformedlingen.parse

    def let_a_bad_period_through(raw, provenance, catalog):
        return parse(raw, provenance, catalog).assign(period="0000M01")

    sources = [
        replace(source, parse=let_a_bad_period_through)
        if source.name == arbetsformedlingen.SOURCE
        else source
        for source in pipeline.SOURCES
    ]
    monkeypatch.setattr(pipeline, "SOURCES", tuple(sources))
    with pytest.raises(SourceError) as refused:
        arbetsformedlingen.import_file(download, load_catalog())
    assert str(refused.value) == (
        f"arbetsformedlingen: {download}: period '0000M01' does not exist: year 0 is out of range"
    )
    assert list_entries(tree / AF_DIR) == []


def crash_and_build(root: Path, args: list[str], crash_at: str) -> subprocess.CompletedProcess:
    """Run with SIGKILL at a rename (tests/faults/crashpoint.py), then build as a user would."""
    env = {**os.environ, paths.DATA_DIR_ENV: str(root), "CRASH_AT": crash_at, **PATIENT_HTTP}
    command = [sys.executable, "-m", "tests.faults.crashpoint", *args, "--no-build"]
    killed = subprocess.run(command, cwd=paths.REPO_DIR, env=env, capture_output=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    return run_etl(root, "build")


CRASH_POINTS = [
    f"{when}:{number}" for number in range(1, LANDING_RENAMES + 1) for when in ("before", "after")
]
# What lands: the folder it lands in, and the rows it adds to its measure.
LANDED = {
    "import": (AF_DIR, "af_inskrivna_andel_reg", 6),
    "fetch": ("raw/kolada", "kolada_arbetslosa_befolkning", 1),
}


@pytest.mark.parametrize("command", LANDED)
def test_a_kill_at_every_rename_leaves_no_file_without_its_sidecar(
    pristine_build, tmp_path, command
):
    folder, measure, added = LANDED[command]
    roots = {point: copy_tree(pristine_build, tmp_path / point / "data") for point in CRASH_POINTS}
    with serve({KOLADA_PATH: Reply(200, JSON, json.dumps(KOLADA_PAGE).encode())}) as server:
        if command == "import":
            args = ["import", str(write_download(tmp_path, "oktober.csv", AF_CSV))]
        else:
            args = ["fetch", "kolada", *KOLADA_ARGS, "--base-url", f"{server.url}/v3"]
        runs = run_side_by_side(
            {point: partial(crash_and_build, roots[point], args, point) for point in CRASH_POINTS}
        )
        results = {point: runs[point].result() for point in CRASH_POINTS}
    for point, build_after in results.items():
        assert build_after.returncode == 0, (point, build_after.stderr)
        entries = list_entries(roots[point] / folder)
        # Nothing landed, or the file and its sidecar both did: never one without the other.
        assert len(entries) in (0, 2), (point, entries)
        assert all(not name.startswith(".") for name in entries), (point, entries)
        rows = read_manifest(roots[point])["rows_by_measure"].get(measure, 0)
        assert rows == (added if entries else 0), (point, rows)


def test_a_full_disk_while_importing_lands_nothing(tree, tmp_path, monkeypatch):
    download = write_download(tmp_path, "oktober.csv", AF_CSV)
    write_text = Path.write_text

    def fill_disk_at_the_sidecar(path: Path, *args, **kwargs):
        if path.name.endswith(PROVENANCE_SUFFIX):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return write_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", fill_disk_at_the_sidecar)
    with pytest.raises(OSError, match="No space left on device"):
        arbetsformedlingen.import_file(download, load_catalog())
    monkeypatch.undo()
    assert list_entries(tree / AF_DIR) == []
    build()
    assert "af_inskrivna_andel_reg" not in store.read_manifest()["rows_by_measure"]


def test_a_file_left_without_its_sidecar_is_named_and_left_out(tree):
    (tree / AF_DIR).mkdir(parents=True, exist_ok=True)
    (tree / AF_DIR / "oktober-0123456789ab.csv").write_bytes(AF_CSV)
    result = run_etl(tree, "build")
    assert result.returncode == 0, result.stderr
    assert (
        "warning: arbetsformedlingen: raw/arbetsformedlingen/oktober-0123456789ab.csv has no"
        " provenance sidecar (an interrupted import or fetch of an older version?), so the build"
        " leaves it out; set it aside with `python -m etl raw set-aside"
        " raw/arbetsformedlingen/oktober-0123456789ab.csv` or import the file again."
    ) in result.stderr.splitlines()
    status = run_etl(tree, "status")
    assert (
        "  without provenance (left out of the build):"
        " raw/arbetsformedlingen/oktober-0123456789ab.csv" in status.stdout.splitlines()
    )


def place_refused_kolada_page(root: Path) -> None:
    """A page saved by an older version that checked less: 150 % stops every build."""
    page = json.loads(json.dumps(KOLADA_PAGE))
    page["values"][0]["values"][0]["value"] = 150.0
    raw = json.dumps(page).encode()
    path = root / KOLADA_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    provenance = {
        "file": path.name,
        "sha256": __import__("hashlib").sha256(raw).hexdigest(),
        "source_id": "kolada",
        "retrieved_at": "2026-11-25T08:00:00Z",
        "url": "https://api.kolada.se/v3/data/kpi/N03920/municipality/0181/year/2023",
    }
    sidecar = path.with_name(f"{path.stem}{PROVENANCE_SUFFIX}")
    sidecar.write_text(json.dumps(provenance), encoding="utf-8")


def test_set_aside_moves_a_refused_file_with_its_sidecar_and_builds_again(tree):
    place_refused_kolada_page(tree)
    assert run_etl(tree, "build").returncode == 1
    result = run_etl(tree, "raw", "set-aside", KOLADA_FILE, "--reason", "150 %")
    assert result.returncode == 0, result.stderr
    [folder] = (tree / "raw" / "_set_aside" / "kolada").iterdir()
    assert (
        "set aside hand_placed.json with its provenance sidecar and a note in"
        f" raw/_set_aside/kolada/{folder.name}" in result.stdout
    )
    assert "built " in result.stdout
    assert list_entries(folder) == [
        "hand_placed.json",
        "hand_placed.provenance.json",
        "set-aside.json",
    ]
    note = json.loads((folder / "set-aside.json").read_text(encoding="utf-8"))
    assert (note["file"], note["reason"], note["from"]) == (
        "hand_placed.json",
        "150 %",
        "raw/kolada",
    )
    assert not (tree / KOLADA_FILE).exists()
    status = run_etl(tree, "status").stdout.splitlines()
    assert any(
        line.startswith("  kolada               hand_placed.json, set aside ")
        and line.endswith(": 150 %")
        for line in status
    ), status


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("raw/kolada/saknas.json", "error: raw: raw/kolada/saknas.json: no such file under"),
        ("reference/regions.csv", "error: raw: reference/regions.csv: not a raw file: set aside"),
    ],
)
def test_set_aside_refuses_what_is_not_a_raw_file(tree, given, message):
    before = take_before(tree)
    result = run_etl(tree, "raw", "set-aside", given)
    assert_failed_cleanly(result, tree, before, message)
