"""What a region picker offers: the regions with figures, how many lack them, groups with counts."""

from dataclasses import dataclass

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.output.formatting import sort_key_sv

GROUP_ALL = "alla"  # every offered region at once; the ranking's "alla kommuner" too
NAMED_AT_MOST = 5  # a caption names the covered regions when they are this few
LEVEL_WORDS = {"municipality": ("Kommuner", "kommuner"), "county": ("Län", "län")}
SINGULAR = {"municipality": "kommun", "county": "län"}


@dataclass(frozen=True)
class RegionOffer:
    label: str  # the picker's label: "Kommuner" or "Län"
    codes: list[str]  # the regions with a figure, in Swedish alphabetical order
    groups: dict[str, str]  # group id -> "Kommunerna i Skåne län (33 av 33 med data)"
    caption: str  # how many have figures, how many lack them and why they are not offered
    hidden_groups: int = 0  # groups left out: none of their kommuner has a figure
    placeholder: str = "Välj kommuner"  # the empty picker's text (Streamlit's is English)
    level: str = "municipality"  # what the codes are: "municipality" or "county"
    # The most a link or another page's set opens the picker with (a card or line each); None:
    # no limit but the offered codes.
    link_limit: int | None = None

    def describe_group_added(self, group_id: str, added: int) -> str:
        """What adding a group did: "Södertörn (8 av 8 med data): 4 kommuner lades till."."""
        label = self.groups[group_id]
        if added == 0:
            return f"{label}: alla med data var redan valda."
        one, many = SINGULAR[self.level], LEVEL_WORDS[self.level][1]
        return f"{label}: {added} {one if added == 1 else many} lades till."

    def describe_groups(self) -> str:
        """The caption under a picker of groups (the ranking's): what the counts mean."""
        text = "Grupperna visar hur många av sina kommuner som har värden"
        if self.hidden_groups:
            return (
                f"{text}; grupper där ingen kommun har värden ({self.hidden_groups} st) visas inte."
            )
        return f"{text}."


def list_region_groups(catalog: Catalog) -> dict[str, str]:
    """Named groups of kommuner: hand-kept ones, then each county's kommuner."""
    groups = dict(
        catalog.region_groups.drop_duplicates("group_id")[["group_id", "group_name"]].itertuples(
            index=False
        )
    )
    counties = catalog.regions[catalog.regions["level"] == "county"]
    for code, name in zip(counties["region_code"], counties["region_name"], strict=True):
        groups[f"lan_{code}"] = f"Kommunerna i {name}"
    return groups


def describe_members(group_id: str, name: str) -> str:
    """A group's kommuner inside a sentence: "kommuner i Södertörn", or just "kommuner" (all)."""
    # A county's group is named "Kommunerna i Stockholms län": not "kommuner i Kommunerna i …".
    return (
        "kommuner" if group_id == GROUP_ALL else f"kommuner i {name.removeprefix('Kommunerna i ')}"
    )


def find_regions_with_figures(observations: pd.DataFrame) -> set[str]:
    return set(observations.loc[observations["value"].notna(), "region_code"].unique())


def list_level(catalog: Catalog, level: str) -> list[str]:
    regions = catalog.regions
    return regions.loc[regions["level"] == level, "region_code"].tolist()


def pick_level(known: set[str], catalog: Catalog) -> str:
    """Kommuner, or the län when the figures have no kommun (BAS is published by län)."""
    return "municipality" if known & set(list_level(catalog, "municipality")) else "county"


def count_groups(catalog: Catalog, offered: list[str]) -> tuple[dict[str, str], int]:
    """Each group with at least one offered kommun, labelled with its count; how many had none."""
    labels, hidden = {}, 0
    offered_set = set(offered)
    for group_id, name in list_region_groups(catalog).items():
        members = catalog.group_members(group_id)
        covered = sum(code in offered_set for code in members)
        if covered:
            labels[group_id] = f"{name} ({covered} av {len(members)} med data)"
        else:
            hidden += 1
    return labels, hidden


def join_names(names: list[str]) -> str:
    """ "Botkyrka, Haninge och Huddinge": a list in a Swedish sentence."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


def describe_coverage(catalog: Catalog, codes: list[str], level: str) -> str | None:
    """What the source covers, when it is whole counties or a few regions; None otherwise.

    "kommunerna i Stockholms län", "Botkyrka, Haninge, Huddinge och Södertälje".
    """
    regions = catalog.regions.set_index("region_code")
    if level == "municipality" and codes:
        counties = sorted({str(regions.at[code, "county_code"]) for code in codes})
        county_members = regions.index[
            (regions["level"] == "municipality") & regions["county_code"].isin(counties)
        ]
        if set(county_members) == set(codes):
            return f"kommunerna i {join_names([catalog.region_name(c) for c in counties])}"
    if 0 < len(codes) <= NAMED_AT_MOST:
        return join_names([catalog.region_name(code) for code in codes])
    return None


def describe_offer(
    offered: int, universe: int, noun: str, scope: str, hidden_groups: int, covered: str | None
) -> str:
    """The caption under a picker: "26 av 290 kommuner har värden för måttet. Källan täcker …".

    `covered` names what the source covers (describe_coverage), when that can be said briefly.
    """
    text = f"{offered} av {universe} {noun} har värden för {scope}."
    missing = universe - offered
    # A multiselect's search only finds its options (and says "No results" in English):
    # say why a kommun cannot be found.
    if missing and covered:
        text += (
            f" Källan täcker bara {covered}; övriga {missing} visas inte i listan och kan inte "
            "sökas fram."
        )
    elif missing:
        text += (
            f" Källan saknar värden för övriga {missing}: de visas inte i listan och kan inte "
            "sökas fram."
        )
    if hidden_groups:
        text += (
            f" Grupper där ingen kommun har värden ({hidden_groups} st) visas inte i gruppvalet."
        )
    return text


def offer_regions(
    observations: pd.DataFrame,
    catalog: Catalog,
    scope: str,
    level: str | None = None,
    population: tuple[list[str], str] | None = None,
) -> RegionOffer:
    """The regions a picker offers: those with a figure in `observations`, and their groups.

    `scope` says what the figures cover ("måttet och perioden"). Without `level` the picker
    offers kommuner, or län where the figures have no kommun. `population` narrows it to a
    group of kommuner: (codes, "kommuner i Södertörn").
    """
    known = find_regions_with_figures(observations)
    level = level or pick_level(known, catalog)
    label, noun = LEVEL_WORDS[level]
    universe = list_level(catalog, level)
    if population is not None:
        universe, noun = population
    codes = sorted(
        (code for code in universe if code in known),
        key=lambda code: sort_key_sv(catalog.region_name(code)),
    )
    groups, hidden = count_groups(catalog, codes) if level == "municipality" else ({}, 0)
    if codes:
        groups[GROUP_ALL] = f"Alla ({len(codes)} av {len(universe)} med data)"
    covered = describe_coverage(catalog, codes, level)
    caption = describe_offer(len(codes), len(universe), noun, scope, hidden, covered)
    return RegionOffer(
        label, codes, groups, caption, hidden, f"Välj {LEVEL_WORDS[level][1]}", level
    )
