"""README's "How to add a source", followed step by step, and the registry it names."""

import argparse
import csv
import hashlib
import importlib.util
import inspect
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from etl import pipeline
from etl.__main__ import main
from etl.http import Fetched
from etl.raw import PROVENANCE_SUFFIX, RawItem, save_raw_batch
from etl.sources import Fetcher, Source
from labourmarket.core import paths, store
from labourmarket.core.catalog import Catalog, load_catalog

README = (paths.REPO_DIR / "README.md").read_text(encoding="utf-8")
RECIPE = README.split("## How to add a source\n", 1)[1].split("\n## ", 1)[0]
PARSE_PARAMETERS = ("raw", "provenance", "catalog")

# Step 1: the module, as a new source's author would write it (here to a temp folder, not etl/).
TINY_MODULE = '''\
"""Kommun names and figures, one `name;value` line each -> canonical rows."""

from collections.abc import Mapping
from typing import Any

import pandas as pd

from etl.errors import SourceError
from labourmarket.core.catalog import Catalog

SOURCE = "tiny"


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """The file names kommuner; the catalog knows their codes."""
    codes = {name: code for code, name in catalog.region_names.items()}
    rows = []
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        name, _, value = line.partition(";")
        if name not in codes:
            raise SourceError(SOURCE, f"{provenance['file']}, line {number}", f"{name!r}?")
        rows.append({"region_code": codes[name], "value": float(value.replace(",", "."))})
    frame = pd.DataFrame(rows, columns=["region_code", "value"])
    return frame.assign(
        measure_id=provenance["measure_id"],
        period=provenance["period"],
        sex="total",
        age="total",
        birth_region="total",
        education="total",
        status=None,
    )
'''
TINY_RAW = "Södertälje;12,5\nHaninge;8,25\n".encode()
TINY_FIGURES = {"0181": 12.5, "0136": 8.25}
TINY_MEASURE = "tiny_andel"
TINY_SOURCE_ID = "tiny_publisher"
RETRIEVED_AT = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def write_tiny_module(folder: Path) -> ModuleType:
    path = folder / "tiny.py"
    path.write_text(TINY_MODULE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("tiny", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def register(monkeypatch: pytest.MonkeyPatch, source: Source) -> None:
    """Step 2: one line in the registry (patched here, so the real tuple stays as it is)."""
    monkeypatch.setattr(pipeline, "SOURCES", (*pipeline.SOURCES, source))


def append_row(path: Path, row: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    with path.open("a", encoding="utf-8", newline="") as file:
        csv.DictWriter(file, fieldnames=header).writerow({c: row.get(c, "") for c in header})


def add_reference_rows(reference: Path) -> None:
    """Step 3: the measure in measures.csv, and the publisher it cites in sources.csv."""
    append_row(
        reference / "measures.csv",
        {
            "measure_id": TINY_MEASURE,
            "name_sv": "Liten andel (%)",
            "definition_sv": "En påhittad andel för receptets test.",
            "unit": "percent",
            "decimals": "2",
            "lower_is_better": "true",
            "source_id": TINY_SOURCE_ID,
            "comparability_group": TINY_MEASURE,
        },
    )
    append_row(
        reference / "sources.csv",
        {"source_id": TINY_SOURCE_ID, "publisher": "Receptet", "title": "Testkälla"},
    )


def describe_tiny_file(name: str) -> dict[str, str]:
    return {"source_id": TINY_SOURCE_ID, "measure_id": TINY_MEASURE, "period": "2024", "file": name}


def bundle_raw(raw_dir: Path) -> None:
    """The bytes and their sidecar, placed by hand as a bundled source's are."""
    folder = raw_dir / "tiny"
    folder.mkdir()
    (folder / "tiny.txt").write_bytes(TINY_RAW)
    sidecar = describe_tiny_file("tiny.txt") | {
        "sha256": hashlib.sha256(TINY_RAW).hexdigest(),
        "retrieved_at": RETRIEVED_AT.isoformat(),
        "document": "the recipe test",
    }
    (folder / f"tiny{PROVENANCE_SUFFIX}").write_text(json.dumps(sidecar), encoding="utf-8")


def read_tiny_figures() -> dict[str, float]:
    frame = store.read_observations({"measure_id": TINY_MEASURE})
    assert set(frame["period"]) == {"2024"} and set(frame["source_id"]) == {TINY_SOURCE_ID}
    return dict(zip(frame["region_code"], frame["value"], strict=True))


def test_the_new_parse_gives_the_recorded_figures(tmp_path):
    """Step 5: parse() on the recorded bytes, asserting the published values."""
    tiny = write_tiny_module(tmp_path)
    catalog = load_catalog(paths.REPO_DIR / "data" / "reference")
    rows = tiny.parse(TINY_RAW, describe_tiny_file("tiny.txt"), catalog)
    assert dict(zip(rows["region_code"], rows["value"], strict=True)) == TINY_FIGURES


def test_a_new_bundled_source_lands_in_the_clean_parquet(data_tree, tmp_path, monkeypatch, capsys):
    tiny = write_tiny_module(tmp_path)
    register(monkeypatch, Source(tiny.SOURCE, tiny.parse))
    add_reference_rows(data_tree / "reference")
    bundle_raw(data_tree / "raw")
    # Step 4: `make data` runs this.
    assert main(["build"]) == 0, capsys.readouterr().err
    assert "tiny: raw/tiny/tiny.txt (2 rows)" in capsys.readouterr().out
    assert read_tiny_figures() == TINY_FIGURES
    # The sources already there still land beside it.
    assert store.read_manifest()["rows_by_measure"]["af_inskrivna_andel_rams"] == 42


def test_a_new_downloading_source_gets_its_fetch_command(data_tree, tmp_path, monkeypatch, capsys):
    tiny = write_tiny_module(tmp_path)

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--name", default="tiny.txt")

    def fetch(args: argparse.Namespace, catalog: Catalog) -> list[Path]:
        answer = Fetched(
            "GET", "https://example.org/tiny", 200, TINY_RAW, "text/plain", RETRIEVED_AT
        )
        item = RawItem(args.name, answer, describe_tiny_file(args.name))
        return save_raw_batch(tiny.SOURCE, [item])

    fetcher = Fetcher(
        command="tiny",
        label="Tiny",
        help="a made-up publisher",
        add_arguments=add_arguments,
        run=fetch,
        examples=("python -m etl fetch tiny --name svar.txt",),
    )
    register(monkeypatch, Source(tiny.SOURCE, tiny.parse, fetcher))
    add_reference_rows(data_tree / "reference")
    assert main(["fetch", "tiny", "--name", "svar.txt"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"saved 1 response(s) under {data_tree / 'raw' / 'tiny'}" in out
    assert "tiny: raw/tiny/svar.txt (2 rows)" in out
    assert read_tiny_figures() == TINY_FIGURES
    assert main(["status"]) == 0
    assert f"{'tiny':<20} 1 file(s)" in capsys.readouterr().out


@pytest.mark.parametrize("source", pipeline.SOURCES, ids=lambda source: source.name)
def test_every_registered_parse_takes_raw_provenance_and_catalog(source):
    assert tuple(inspect.signature(source.parse).parameters) == PARSE_PARAMETERS


@pytest.mark.parametrize("source", pipeline.SOURCES, ids=lambda source: source.name)
def test_every_registered_source_is_named_by_its_module(source):
    module = inspect.getmodule(source.parse)
    assert module is not None
    assert (module.__name__, module.SOURCE) == (f"etl.sources.{source.name}", source.name)


@pytest.mark.parametrize(
    "fetcher",
    [source.fetcher for source in pipeline.SOURCES if source.fetcher],
    ids=lambda fetcher: fetcher.command,
)
def test_every_fetcher_has_a_fetch_command_with_help(fetcher, capsys):
    with pytest.raises(SystemExit) as exit_code:
        main(["fetch", fetcher.command, "--help"])
    assert exit_code.value.code == 0
    assert "--no-build" in capsys.readouterr().out
    for example in fetcher.examples:
        assert example.startswith(f"python -m etl fetch {fetcher.command}")


def test_the_recipe_names_the_registry_and_the_parse_signature():
    registry = Path(inspect.getfile(pipeline)).relative_to(paths.REPO_DIR).as_posix()
    assert isinstance(pipeline.SOURCES, tuple)
    assert f"`SOURCES` in `{registry}`" in RECIPE
    assert f"parse({', '.join(PARSE_PARAMETERS)})" in RECIPE
    for field in ("SOURCE", "FETCHER"):
        assert f"<name>.{field}" in RECIPE
    steps = re.findall(r"^(\d+)\. ", RECIPE, flags=re.MULTILINE)
    assert steps == ["1", "2", "3", "4", "5"]
    assert "make data" in RECIPE and "measures.csv" in RECIPE
