"""A long import shows its progress on stderr: a ticking bar on a terminal, step lines in a log."""

import io
import re
import time
from pathlib import Path

import pytest

from etl import progress
from tests.faults.etl_cli import run_etl
from tests.unit.test_cli import AF_CSV


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_import_tells_each_step_in_a_log(built_tree: Path, tmp_path: Path) -> None:
    download = tmp_path / "oktober.csv"
    download.write_bytes(AF_CSV)
    result = run_etl(built_tree, "import", str(download))
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stderr.splitlines() if line.startswith("import oktober.csv:")]
    raw_folder = re.escape(str(built_tree / "raw" / "arbetsformedlingen"))
    patterns = [
        r"step 1/4: parse oktober\.csv \(0\.0 MB\)",
        r"step 2/4: check as the build would \(after \d+\.\d s\)",
        rf"step 3/4: save under {raw_folder} \(after \d+\.\d s\)",
        r"step 4/4: build \(after \d+\.\d s\)",
        r"done in \d+\.\d s",
    ]
    assert len(steps) == len(patterns), result.stderr
    for line, pattern in zip(steps, patterns, strict=True):
        assert re.fullmatch(f"import oktober\\.csv: {pattern}", line), line


def test_the_bar_on_a_terminal_redraws_while_a_step_runs(monkeypatch) -> None:
    monkeypatch.setattr(progress, "TICK_SECONDS", 0.05)
    terminal = Terminal()
    with progress.show_stages("import stor.xlsx", ["parse", "build"], terminal) as stage:
        stage("parse")
        time.sleep(0.5)  # a long parse: no call to the bar, yet its clock must move
        stage("build")
    drawn = terminal.getvalue().split("\r")
    parsing = [text for text in drawn if "0/2 steps" in text and "parse" in text]
    assert len(parsing) >= 3, drawn
    assert any(text.startswith("import stor.xlsx: 2/2 steps") for text in drawn), drawn


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (Terminal, r"0/2 steps \[\d\d:\d\d\], parse \(120000 rows read\)"),
        (io.StringIO, r"step 2/2: check \(after \d+\.\d s; 120000 rows read\)"),
    ],
    ids=["terminal", "log"],
)
def test_rows_a_parser_counts_are_shown_beside_the_step(monkeypatch, stream, expected) -> None:
    monkeypatch.setattr(progress, "TICK_SECONDS", 0.05)
    shown = stream()
    with progress.show_stages("import stor.xlsx", ["parse", "check"], shown) as stage:
        stage("parse")
        for _ in range(120):
            progress.count_rows(1000)
        time.sleep(0.3)  # the terminal's bar redraws with the count meanwhile
        stage("check")
    progress.count_rows(5)  # outside a bar: nothing to count, nothing breaks
    assert re.search(expected, shown.getvalue()), shown.getvalue()
