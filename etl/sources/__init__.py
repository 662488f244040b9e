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
    # What `python -m etl update` asks before run(): given the same arguments, something small
    # (text, or a dict or list of texts) that changes whenever the publisher's figures for them
    # change, such as SCB's `updated` or Kolada's publication dates; None (also as a dict's
    # value) when it cannot say. The same answer as at the last good run, with the same
    # arguments and raw files, skips run(). Without it, update runs run() with conditional GETs
    # (etl/http.py). E.g. `version=lambda args, catalog: {t: describe_remote_version(
    # create_session(), t, base_url=args.base_url) for t in args.tables.split(",")}`.
    version: Callable[[argparse.Namespace, Catalog], Any] | None = None


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
