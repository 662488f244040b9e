"""`python -m etl update` and `build` as processes: failing sources, no network, runs at once."""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from labourmarket.core import paths
from tests.faults.etl_cli import (
    PATIENT_HTTP,
    assert_consistent_clean,
    copy_tree,
    hash_clean,
    list_raw,
    read_manifest,
    run_etl,
)
from tests.faults.test_fetch_faults import hold_closed_port
from tests.http_server import serve
from tests.unit.test_update import (
    JSON,
    KOLADA_DATA_PATH,
    KOLADA_KPI_PATH,
    PAGE_PATH,
    SCB_METADATA_PATH,
    Upstream,
    hold_in_another_process,
    write_kolada_kpi,
    write_kolada_page,
)

SOURCES = ("kolada", "scb", "arbetsformedlingen", "kolada_groups")


def point_update_at(url: str) -> dict[str, str]:
    """update's options sending every source to url (a loopback server or a closed port)."""
    return {
        "ARBETSMARKNAD_UPDATE_KOLADA": f"--kpis N03920 --regions 0181 --years 2023"
        f" --base-url {url}/v3",
        "ARBETSMARKNAD_UPDATE_SCB": "--tables TAB6260 --regions 0181,01,00"
        f" --periods 2024M09,2024M10 --base-url {url}/api/v2",
        "ARBETSMARKNAD_UPDATE_AF": f"--page-url {url}{PAGE_PATH}",
        "ARBETSMARKNAD_UPDATE_KOLADA_GROUPS": f"--base-url {url}/v3",
        **PATIENT_HTTP,
    }


def start_etl(
    root: Path, *args: str, settings: Mapping[str, str] = PATIENT_HTTP
) -> subprocess.Popen:
    env = {**os.environ, paths.DATA_DIR_ENV: str(root), **settings}
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args],
        cwd=paths.REPO_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def list_generations(root: Path) -> list[str]:
    return sorted(path.name for path in root.glob(".clean-*"))


def assert_clean_whole(root: Path) -> None:
    """data/clean points at a generation that exists, and its manifest describes its Parquet."""
    clean = root / "clean"
    assert clean.is_symlink() and (root / clean.readlink()).is_dir(), list_generations(root)
    assert_consistent_clean(root)
    assert len(list_generations(root)) <= 2  # the current one and the one it replaced


@pytest.fixture
def tree(tmp_path: Path, pristine_build: Path) -> Path:
    return copy_tree(pristine_build, tmp_path / "data")


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    state = Upstream()
    with serve(state.routes) as server:
        state.url = server.url
        yield state


def test_without_a_network_every_source_is_named_and_nothing_changes(tree: Path) -> None:
    clean, raw = hash_clean(tree), list_raw(tree)
    with hold_closed_port() as port:
        result = run_etl(tree, "update", http=point_update_at(f"http://127.0.0.1:{port}"))
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    assert [line.split(":", 2)[1].strip() for line in errors] == list(SOURCES)
    assert all("could not connect ([Errno 111] Connection refused)" in line for line in errors)
    assert result.stderr.splitlines()[-1] == (
        "update incomplete: 4 source(s) failed; data/clean is unchanged."
    )
    assert (hash_clean(tree), list_raw(tree)) == (clean, raw)


def test_a_source_answering_500_keeps_its_data_while_the_others_update(
    tree: Path, upstream: Upstream
) -> None:
    settings = point_update_at(upstream.url)
    first = run_etl(tree, "update", http=settings)
    assert first.returncode == 0, first.stderr
    scb_raw = {name for name in list_raw(tree) if name.startswith("scb/")}
    scb_rows = read_manifest(tree)["rows_by_measure"]["scb_bas_arbetsloshet_20_64"]

    # Kolada revises a figure and moves its publication date: new by either test of "new".
    upstream.serve_validated(KOLADA_KPI_PATH, JSON, write_kolada_kpi("2027-02-02"), etag='"m2"')
    upstream.serve_validated(KOLADA_DATA_PATH, JSON, write_kolada_page(11.4), etag='"k2"')
    upstream.fail(SCB_METADATA_PATH)
    second = run_etl(tree, "update", http=settings)
    assert second.returncode == 1, second.stdout
    assert error_lines(second.stderr) == [
        f"error: scb: GET {upstream.url}{SCB_METADATA_PATH}?lang=sv:"
        " HTTP 500: Internal Server Error"
    ]
    assert "kolada: 1 new or changed file(s)" in second.stdout.splitlines()
    assert "arbetsformedlingen: nothing new" in second.stdout
    manifest = read_manifest(tree)
    assert manifest["rows_by_measure"]["scb_bas_arbetsloshet_20_64"] == scb_rows
    assert {name for name in list_raw(tree) if name.startswith("scb/")} == scb_raw
    assert_clean_whole(tree)


def test_two_builds_at_once_take_turns(tree: Path) -> None:
    """Both start while another run holds the lock, both wait, both finish: clean stays whole."""
    holder = hold_in_another_process(tree)
    try:
        builds = [start_etl(tree, "build") for _ in range(2)]
        waiting = [process.stderr.readline() for process in builds]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    results = [finish(process) for process in builds]
    assert all(line.startswith(f"waiting for pid {holder.pid} (etl update") for line in waiting)
    assert [code for code, _, _ in results] == [0, 0], results
    assert_clean_whole(tree)


@pytest.mark.parametrize("round_number", range(3))
def test_two_builds_started_together_never_break_clean(tree: Path, round_number: int) -> None:
    builds = [start_etl(tree, "build") for _ in range(2)]
    results = [finish(process) for process in builds]
    assert [code for code, _, _ in results] == [0, 0], results
    assert_clean_whole(tree)


def test_two_updates_at_once_fetch_once(tree: Path, upstream: Upstream) -> None:
    settings = point_update_at(upstream.url)
    updates = [start_etl(tree, "update", settings=settings) for _ in range(2)]
    results = [finish(process) for process in updates]
    assert [code for code, _, _ in results] == [0, 0], results
    outs = sorted(out for _, out, _ in results)
    # One fetched and built; the other waited for it and then found nothing new.
    assert sum(out.splitlines()[-1] == "nothing new" for out in outs) == 1
    assert sum("built " in out for out in outs) == 1
    assert sum("waiting for pid" in err for _, _, err in results) == 1
    # Kolada's figures were sent once: the second run was told "unchanged" (by the version hook
    # or a 304).
    assert upstream.answered.count(("GET", KOLADA_DATA_PATH, 200)) == 1
    assert_clean_whole(tree)


def test_a_second_update_told_not_to_wait_stops_with_a_message(tree: Path) -> None:
    holder = hold_in_another_process(tree)
    try:
        result = run_etl(tree, "update", "--no-wait")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert result.returncode == 1
    [line] = error_lines(result.stderr)
    assert line.startswith(f"error: {tree / 'etl.lock'}: pid {holder.pid} (etl update, since ")
    assert line.endswith(
        "is still running; not waiting (--no-wait). Try again when it has finished."
    )


def list_kolada_files(root: Path) -> dict[str, bytes]:
    """Kolada's raw files and sidecars with their bytes (its hidden HTTP cache left aside)."""
    folder = root / "raw" / "kolada"
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_a_page_the_build_would_refuse_is_not_saved_and_the_rest_updates(
    tree: Path, upstream: Upstream
) -> None:
    """Kolada publishes 150 %: update names it, keeps Kolada's last good page, builds the rest."""
    settings = point_update_at(upstream.url)
    first = run_etl(tree, "update", http=settings)
    assert first.returncode == 0, first.stderr
    kolada_raw = list_kolada_files(tree)
    kolada_rows = read_manifest(tree)["rows_by_measure"]["kolada_arbetslosa_befolkning"]

    upstream.serve_validated(KOLADA_KPI_PATH, JSON, write_kolada_kpi("2027-02-02"), etag='"m2"')
    upstream.serve_validated(KOLADA_DATA_PATH, JSON, write_kolada_page(150.0), etag='"k2"')
    second = run_etl(tree, "update", http=settings)
    assert second.returncode == 1, second.stdout
    [line] = error_lines(second.stderr)
    assert line.startswith(f"error: kolada: {upstream.url}{KOLADA_DATA_PATH}?per_page=5000: ")
    assert line.endswith(
        "value 150.0: percent value outside 0-100 (percent_out_of_range); nothing was saved"
    )
    assert list_kolada_files(tree) == kolada_raw
    manifest = read_manifest(tree)
    assert manifest["rows_by_measure"]["kolada_arbetslosa_befolkning"] == kolada_rows
    assert_clean_whole(tree)
    # The next build, with no network at all, still succeeds: nothing refused was kept.
    assert run_etl(tree, "build").returncode == 0
