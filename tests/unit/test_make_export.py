"""The README's export command works in a fresh shell: `make export`, which the Makefile has."""

import os
import re
import subprocess
import zipfile
from pathlib import Path

from labourmarket.core import paths
from tests.chromium import require_chromium

README = (paths.REPO_DIR / "README.md").read_text(encoding="utf-8")
MAKEFILE = (paths.REPO_DIR / "Makefile").read_text(encoding="utf-8")
EXPORTS = README.split("## Exports", 1)[1].split("\n## ", 1)[0]


def list_shell_lines(text: str) -> list[str]:
    """The command lines of the ```sh blocks in a piece of Markdown."""
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_exports_with_make():
    commands = list_shell_lines(EXPORTS)
    assert commands, "the Exports section shows no command"
    assert all(c.startswith('make export ARGS="--regions ') for c in commands), commands
    assert 'make export ARGS="--regions sodertorn --period 2013K3 --out ut/"' in commands


def test_no_readme_command_needs_an_activated_venv():
    """`python -m labourmarket` fails in a shell without the venv: no block shows it bare."""
    bare = [c for c in list_shell_lines(README) if c.startswith("python -m labourmarket")]
    assert bare == []


def test_the_makefile_has_export_after_data():
    assert re.search(r"^\.PHONY:.*\bexport\b", MAKEFILE, flags=re.MULTILINE)
    (rule,) = re.findall(r"^export: (.*)\n\t(.*)$", MAKEFILE, flags=re.MULTILINE)
    assert rule == ("data", "$(PY) -m labourmarket export $(ARGS)")


def test_make_export_writes_the_pack_from_a_fresh_shell(data_tree: Path, tmp_path: Path):
    """No venv on PATH, no built data: make builds it and writes Botkyrka's pack."""
    require_chromium()
    out = tmp_path / "ut"
    shell = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    }
    shell["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "export",
            f"ARGS=--regions 0127 --period 2013K3 --out {out}",
        ],
        cwd=paths.REPO_DIR,
        env={**shell, paths.DATA_DIR_ENV: str(data_tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    stem = "mal_och_budget_0127_2013K3"
    assert f"wrote {out / stem}.zip" in result.stdout
    names = zipfile.ZipFile(out / f"{stem}.zip").namelist()
    assert f"{stem}/{stem}.docx" in names
    assert (data_tree / "clean" / "manifest.json").is_file()


def test_the_readme_opening_lists_make_export():
    assert "`make export" in README.split("## What is in the data", 1)[0]
