"""OS errors in `python -m etl` read as a sentence naming the file, never as `[Errno 2] ...`."""

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.__main__ import main
from labourmarket.core import store
from tests.unit.test_pipeline import SEED_FILE

GONE = (
    "no such file or directory: another ETL run or a person moved or deleted it meanwhile;"
    " run the command again"
)
FULL = "no space left on device: the disk is full; free some space and run the command again"


def delete_a_listed_raw_file(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A data file gone, its sidecar still there: running again cannot help, set-aside does."""
    (root / SEED_FILE).unlink()
    sidecar = f"{Path(SEED_FILE).parent.as_posix()}/{Path(SEED_FILE).stem}.provenance.json"
    return (
        f"error: seed: {root / SEED_FILE}: unreadable: no such file, but its provenance sidecar"
        f" {sidecar} is there: put the file back, or set the sidecar aside with"
        f" `python -m etl raw set-aside {sidecar}`"
    )


def fill_the_disk_while_writing_clean(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    def run_out_of_space(writer: pq.ParquetWriter, table: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(writer.where))

    monkeypatch.setattr(store.pq.ParquetWriter, "write_table", run_out_of_space)
    return f"error: {root}/.clean-"


def make_the_lock_file_a_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A lock file that cannot be opened: a folder stands in its place (a careless copy)."""
    lock = root / "etl.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    return f"error: {lock}: is a directory"


@pytest.mark.parametrize(
    "fault",
    [
        delete_a_listed_raw_file,
        fill_the_disk_while_writing_clean,
        make_the_lock_file_a_folder,
    ],
)
def test_a_build_names_the_file_and_what_happened(
    built_tree: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: Callable[[Path, pytest.MonkeyPatch], str],
) -> None:
    start = fault(built_tree, monkeypatch)
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert "[Errno" not in err
    [line] = [line for line in err.splitlines() if line.startswith("error: ")]
    assert line.startswith(start), line
    if fault is fill_the_disk_while_writing_clean:
        assert line.endswith(f".tmp: {FULL}"), line
