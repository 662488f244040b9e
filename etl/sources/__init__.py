"""The shape every source module shares: parse() for the build, a Fetcher for `etl fetch`."""

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from etl.errors import SourceError
from labourmarket.core.catalog import Catalog

Parser = Callable[[bytes, Mapping[str, Any], Catalog], pd.DataFrame]
"""parse(raw, provenance, catalog): one raw file's exact bytes and sidecar -> canonical rows."""

DEFAULT_REGIONS = "sodertorn,01,00"


@dataclass(frozen=True)
class Fetcher:
    """What `python -m etl fetch <command>` needs from a source that downloads."""

    command: str  # the word after `fetch`
    label: str  # how the command list names the publisher
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Catalog], list[Path]]  # [] when nothing was new
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One entry of the registry (etl/pipeline.py SOURCES)."""

    name: str  # its folder under data/raw
    parse: Parser
    fetcher: Fetcher | None = None  # None: its bytes are bundled, not downloaded


def add_regions_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--regions",
        default=DEFAULT_REGIONS,
        help="SCB codes and/or groups, comma-separated: 0181,01,00, sodertorn, lan_01 "
        f"(default: {DEFAULT_REGIONS})",
    )


def resolve_regions(text: str, catalog: Catalog) -> list[str]:
    """Expand region codes and group names (sodertorn, lan_01) into SCB region codes."""
    try:
        return catalog.resolve_regions(text)
    except KeyError as error:
        raise SourceError(
            "cli", "--regions", f"unknown region or group {error.args[0]!r}"
        ) from error
