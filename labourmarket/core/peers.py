"""SKR:s kommungrupper from the newest Kolada groups fetch in data/raw/kolada_groups/."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from labourmarket.core import paths
from labourmarket.core.catalog import Catalog, load_catalog

SOURCE = "kolada_groups"  # the folder under data/raw (etl/sources/kolada_groups.py fills it)
PROVENANCE_SUFFIX = ".provenance.json"  # etl/raw.py's; the app does not import etl
GROUP_COLUMNS = ["group_id", "title", "edition", "region_code"]
# SKR names an edition by its year ("... kommungruppsindelning 2023"); the last year in a title.
EDITION_PATTERN = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
# Kolada lists every group anyone published; SKR's titles name the kommungruppsindelning.
KOMMUNGRUPP_PATTERN = re.compile(r"kommungrupp", re.IGNORECASE)


@dataclass(frozen=True)
class PeerGroup:
    group_id: str
    title: str
    edition: str  # the year in the title, "" when it names none
    members: tuple[str, ...]  # SCB region codes


def list_region_codes(catalog: Catalog) -> dict[str, str]:
    """Kolada id -> SCB region code, from regions.csv's kolada_id column."""
    regions = catalog.regions[catalog.regions["kolada_id"] != ""]
    return dict(zip(regions["kolada_id"], regions["region_code"], strict=True))


def find_edition(title: str) -> str:
    """The last year a group's title names ("... kommungruppsindelning 2023" -> "2023"), or ""."""
    years = EDITION_PATTERN.findall(title)
    return years[-1] if years else ""


def read_groups_page(raw: bytes, region_codes: Mapping[str, str]) -> pd.DataFrame:
    """One /municipality_groups page as rows of GROUP_COLUMNS; ValueError names what is wrong."""
    try:
        document: Any = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not JSON: {error}") from error
    groups = document.get("values") if isinstance(document, dict) else None
    if not isinstance(groups, list):
        raise ValueError("no 'values' list at the top level")
    rows = []
    for index, group in enumerate(groups):
        if not isinstance(group, dict):
            raise ValueError(f"values[{index}] is not an object")
        group_id, title, members = group.get("id"), group.get("title"), group.get("members")
        if not isinstance(group_id, str) or not group_id:
            raise ValueError(f"values[{index}].id {group_id!r} is not a text")
        if not isinstance(title, str):
            raise ValueError(f"group {group_id}: title {title!r} is not a text")
        if not isinstance(members, list):
            raise ValueError(f"group {group_id} ({title}): no 'members' list")
        edition = find_edition(title)
        for position, member in enumerate(members):
            member_id = member.get("id") if isinstance(member, dict) else None
            if member_id not in region_codes:
                raise ValueError(
                    f"group {group_id} ({title}): members[{position}] id {member_id!r} "
                    "is no region in regions.csv"
                )
            rows.append((group_id, title, edition, region_codes[member_id]))
    frame = pd.DataFrame(rows, columns=GROUP_COLUMNS, dtype="string")
    twice = frame[frame.duplicated(["group_id", "region_code"])]
    if not twice.empty:
        first = twice.iloc[0]
        raise ValueError(f"group {first['group_id']}: member {first['region_code']} twice")
    return frame


def read_peer_groups(raw_dir: Path | None = None, catalog: Catalog | None = None) -> pd.DataFrame:
    """Every group of the newest fetch (GROUP_COLUMNS); no rows when none was fetched.

    One fetch's pages share a fetch_id; an older fetch's pages are left out, so a group that
    Kolada has since dropped does not linger.
    """
    directory = (raw_dir or paths.raw_dir()) / SOURCE
    sidecars = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob(f"*{PROVENANCE_SUFFIX}"))
    ]
    if not sidecars:
        return pd.DataFrame(columns=GROUP_COLUMNS, dtype="string")
    newest = max(sidecars, key=lambda sidecar: str(sidecar["retrieved_at"]))["fetch_id"]
    region_codes = list_region_codes(catalog or load_catalog())
    frames = [
        read_groups_page((directory / sidecar["file"]).read_bytes(), region_codes)
        for sidecar in sidecars
        if sidecar["fetch_id"] == newest
    ]
    return pd.concat(frames, ignore_index=True)


def find_peer_groups(groups: pd.DataFrame, region_code: str) -> list[PeerGroup]:
    """SKR kommungrupper that region_code belongs to, newest edition first, then by title."""
    is_kommungrupp = groups["title"].str.contains(KOMMUNGRUPP_PATTERN).fillna(False)
    ids = set(groups.loc[is_kommungrupp & (groups["region_code"] == region_code), "group_id"])
    found = [
        PeerGroup(
            group_id=str(group_id),
            title=str(rows["title"].iloc[0]),
            edition=str(rows["edition"].iloc[0]),
            members=tuple(str(code) for code in rows["region_code"]),
        )
        for group_id, rows in groups[groups["group_id"].isin(ids)].groupby("group_id", sort=True)
    ]
    return sorted(found, key=lambda group: (-int(group.edition or 0), group.title))
