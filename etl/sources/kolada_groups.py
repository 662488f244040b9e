"""Kolada API v3 municipality groups (SKR:s kommungrupper among them) -> data/raw/kolada_groups/."""

import argparse
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from etl.errors import SourceError
from etl.http import Fetched, create_session
from etl.raw import RawItem, save_raw_batch
from etl.sources import Fetcher
from etl.sources.kolada import KOLADA_URL, fetch_pages, load_region_codes
from labourmarket.core.catalog import Catalog, load_catalog
from labourmarket.core.peers import GROUP_COLUMNS, SOURCE, find_edition, read_groups_page
from labourmarket.core.schema import PARSED_COLUMNS

GROUPS_PATH = "/municipality_groups"
ATTRIBUTION = "Källa: Kolada (RKA), kommungrupper"
__all__ = ["GROUP_COLUMNS", "SOURCE", "fetch", "find_edition", "parse", "parse_page"]


def fetch(
    session: requests.Session | None = None,
    base_url: str = KOLADA_URL,
    *,
    catalog: Catalog | None = None,
    timeout: tuple[float, float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download every page of /municipality_groups and save each one's exact bytes.

    Each page is parsed first; a page the build could not read raises before anything is
    written, so data/raw/kolada_groups never holds half a download.
    """
    session = session or create_session()
    catalog = catalog or load_catalog()
    url = f"{base_url.rstrip('/')}{GROUPS_PATH}"
    pages: list[Fetched] = []
    for fetched in fetch_pages(session, url, timeout, progress):
        parse_page(fetched.content, load_region_codes(catalog), fetched.url)
        pages.append(fetched)
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    return save_raw_batch(
        SOURCE,
        [
            RawItem(
                f"municipality_groups_p{number}_{digest}.json",
                fetched,
                {
                    "source_id": SOURCE,
                    "publisher": "RKA (Rådet för främjande av kommunala analyser)",
                    "publication": "Kolada API v3, /municipality_groups",
                    "request_url": url,
                    "page": number,
                    "attribution_sv": ATTRIBUTION,
                },
            )
            for number, fetched in enumerate(pages, 1)
        ],
    )


def parse(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """A saved page as a table: group_id, title, edition and one member region_code a row."""
    return parse_page(raw, load_region_codes(catalog), str(provenance["file"]))


def parse_for_build(raw: bytes, provenance: Mapping[str, Any], catalog: Catalog) -> pd.DataFrame:
    """What the build takes from a groups page: no figures, only the check that it parses.

    Groups are reference data read by labourmarket/core/peers.py, not observations.
    """
    parse(raw, provenance, catalog)
    return pd.DataFrame(columns=PARSED_COLUMNS)


def parse_page(
    raw: bytes, region_codes: Mapping[str, str], location: str = "response"
) -> pd.DataFrame:
    """Check a page's shape and map each member's Kolada id to its SCB region code."""
    try:
        return read_groups_page(raw, region_codes)
    except ValueError as error:
        raise SourceError(SOURCE, location, str(error)) from error


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", default=KOLADA_URL, help=f"API root (default {KOLADA_URL})")


def fetch_from_arguments(args: argparse.Namespace, catalog: Catalog) -> list[Path]:
    return fetch(base_url=args.base_url, catalog=catalog)


FETCHER = Fetcher(
    command="kolada_groups",
    label="Kolada kommungrupper",
    help="Kolada (RKA) municipality groups, SKR:s kommungrupper among them, through API v3",
    add_arguments=add_fetch_arguments,
    run=fetch_from_arguments,
    examples=("python -m etl fetch kolada_groups   # every municipality group Kolada lists",),
)
