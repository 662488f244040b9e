"""Rank kommuner on one measure and profile one kommun's gaps per group, with Swedish sentences."""

from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from labourmarket.core.catalog import Catalog
from labourmarket.core.gaps import BREAKDOWNS, order_groups
from labourmarket.core.schema import GROUP_DIMENSIONS
from labourmarket.core.selection import COUNTRY_CODE, select_rows
from labourmarket.output.formatting import (
    BREAKDOWN_LABELS,
    MISSING,
    format_group,
    format_number,
    format_percent,
    format_period,
    sort_key_sv,
)
from labourmarket.output.shown_table import NumberFormat, ShownTable, make_shown_table

TOTAL = "total"
TOTAL_GROUP_KEY = "total"
ALL_MUNICIPALITIES = "alla"  # the population of every kommun; matches region_offer.GROUP_ALL
RANKING_COLUMNS = ["region_code", "value", "status", "rank", "is_in_source"]
PROFILE_COLUMNS = ["dimension", "group", "value", "benchmark_value", "gap_pp"]
# Reading order of the profile's dimensions when two gaps are equally large.
PROFILE_DIMENSIONS = [*BREAKDOWNS, *(d for d in GROUP_DIMENSIONS if d not in BREAKDOWNS)]
DIMENSION_LABELS = {**BREAKDOWN_LABELS, "sex": "Kön"}
STATUS_LABELS = {
    "provisional": "preliminärt",
    "suppressed": "undertryckt",
    "not_applicable": "ej tillämpligt",
    "lower_bound": "minst (undre gräns)",
    "missing_part": "en del saknas",
}
# "den högsta", "den näst högsta", "den tredje högsta" ... then numerals ("den 11:e högsta").
ORDINALS = (
    *("", "näst", "tredje", "fjärde", "femte"),
    *("sjätte", "sjunde", "åttonde", "nionde", "tionde"),
)
MISSING_NOTE = f"{MISSING}: värde saknas eller är undertryckt."


def list_population(catalog: Catalog, group_id: str) -> list[str]:
    """Return a ranking population's kommuner: a named group, a county (`lan_LL`) or all."""
    if group_id == ALL_MUNICIPALITIES:
        regions = catalog.regions
        return regions.loc[regions["level"] == "municipality", "region_code"].tolist()
    return catalog.group_members(group_id)


def pick_default_population(selection: pd.DataFrame, catalog: Catalog, group_ids: list[str]) -> str:
    """The group with most kommuner that have figures; among equals the smallest (best covered).

    Without any kommun figures the first group is kept, not the smallest county.
    """
    known = set(selection.loc[selection["value"].notna(), "region_code"])

    def coverage(group_id: str) -> tuple[int, int]:
        members = list_population(catalog, group_id)
        covered = len(known.intersection(members))
        return (-covered, len(members) if covered else 0)

    return min(group_ids, key=coverage)


def encode_group(dimension: str, code: str) -> str:
    return TOTAL_GROUP_KEY if code == TOTAL else f"{dimension}:{code}"


def decode_group(key: str, sex: str = TOTAL) -> dict[str, str]:
    """Turn a group key (`total`, `age:18-24`) and a sex into a value for every dimension."""
    group = {**dict.fromkeys(GROUP_DIMENSIONS, TOTAL), "sex": sex}
    if key != TOTAL_GROUP_KEY:
        dimension, code = key.split(":", 1)
        group[dimension] = code
    return group


def list_group_keys(selection: pd.DataFrame, sex: str = TOTAL) -> list[str]:
    """Return the whole population, then every single-breakdown group one sex has.

    Sex is chosen on its own (it crosses every breakdown), so it is no group key here.
    """
    keys = [TOTAL_GROUP_KEY]
    for dimension in BREAKDOWNS:
        rows = select_single_breakdown(selection, dimension, sex)
        keys += [encode_group(dimension, c) for c in order_groups(dimension, list(rows[dimension]))]
    return list(dict.fromkeys(keys))


def label_group_key(key: str, population: str = "") -> str:
    """Say a group key as the picker shows it: "Totalt 16-64 år", "Utbildning: förgymnasial"."""
    if key == TOTAL_GROUP_KEY:
        return format_group("age", TOTAL, population)
    dimension, code = key.split(":", 1)
    return f"{DIMENSION_LABELS[dimension]}: {format_group(dimension, code).lower()}"


def describe_group(dimension: str, code: str) -> str:
    """Name a group inside a sentence: "förgymnasial utbildning", "utrikes födda", "18-24 år"."""
    label = format_group(dimension, code).lower()
    if dimension == "education" and code != "unknown":
        return f"{label} utbildning"
    return label


def phrase_group(group: Mapping[str, str]) -> str:
    """The words that narrow a sentence to one group, or "" for the whole population.

    " i åldern 18-24 år", " bland män i åldern 18-24 år", " bland utrikes födda kvinnor".
    """
    sex = group.get("sex", TOTAL)
    people = "" if sex == TOTAL else describe_group("sex", sex)
    varied = [(d, c) for d, c in group.items() if c != TOTAL and d != "sex"]
    if not varied:
        return f" bland {people}" if people else ""
    dimension, code = varied[0]
    if dimension == "age":
        return f" bland {people} i åldern {code} år" if people else f" i åldern {code} år"
    if dimension == "education":
        return f" bland {people or 'dem'} med {describe_group(dimension, code)}"
    return f" bland {describe_group(dimension, code)}" + (f" {people}" if people else "")


def select_group_rows(
    observations: pd.DataFrame, measure_id: str, period: str, group: Mapping[str, str]
) -> pd.DataFrame:
    """Rows of one measure, period and group; dimensions the group leaves out are `total`."""
    rows = select_rows(observations, measure_id, period=period)
    wanted = {dimension: group.get(dimension, TOTAL) for dimension in GROUP_DIMENSIONS}
    return rows[(rows[list(wanted)] == pd.Series(wanted)).all(axis=1)]


def select_single_breakdown(rows: pd.DataFrame, dimension: str, sex: str = TOTAL) -> pd.DataFrame:
    """One sex's rows that vary only `dimension`, its total group left out.

    `dimension` may be sex itself: both sexes for the whole population, or the one chosen.
    """
    others = [d for d in GROUP_DIMENSIONS if d not in (dimension, "sex")]
    varied = rows[(rows[others] == TOTAL).all(axis=1) & (rows[dimension] != TOTAL)]
    if dimension == "sex" and sex == TOTAL:
        return varied
    return varied[varied["sex"] == sex]


def rank_regions(
    observations: pd.DataFrame,
    members: list[str],
    measure_id: str,
    period: str,
    group: Mapping[str, str],
) -> pd.DataFrame:
    """Rank the members by value, highest first; equal values share the better rank.

    Members without a figure (suppressed, missing, or absent from the source) stay in the
    table after the ranked ones with rank NaN: a missing figure is never ranked as 0.
    """
    rows = select_group_rows(observations, measure_id, period, group)
    population = pd.DataFrame({"region_code": list(dict.fromkeys(members))})
    ranking = population.merge(
        rows[["region_code", "value", "status"]], on="region_code", how="left", indicator=True
    )
    ranking["is_in_source"] = ranking.pop("_merge") == "both"
    ranking["value"] = ranking["value"].astype("float64")
    ranking["rank"] = ranking["value"].rank(method="min", ascending=False)
    ranking = ranking.sort_values("rank", na_position="last", kind="stable")
    return ranking[RANKING_COLUMNS].reset_index(drop=True)


def select_shown(ranking: pd.DataFrame, highlighted: list[str]) -> pd.DataFrame:
    """Rows a chart or table shows: figures, rows the source publishes as "..", highlighted ones.

    Kommuner the source does not cover at all are left out (and counted in the footnote):
    a national population would otherwise drown a county table in rows of "..".
    """
    is_shown = ranking["is_in_source"] | ranking["region_code"].isin(highlighted)
    return ranking[is_shown | ranking["value"].notna()]


def list_with_figures(selection: pd.DataFrame, members: list[str]) -> list[str]:
    """The members with at least one figure in the selection (any group), in members' order."""
    known = set(selection.loc[selection["value"].notna(), "region_code"])
    return [code for code in members if code in known]


def pick_profile_region(ranking: pd.DataFrame, highlighted: list[str], options: list[str]) -> str:
    """The first highlighted kommun with figures, else the one ranked first."""
    for code in [*highlighted, *ranking.dropna(subset=["value"])["region_code"]]:
        if code in options:
            return code
    return options[0]


def name_group(group_key: str, sex: str = TOTAL) -> str:
    """A group and sex as a title lists them: "18-24 år, män"; "" for everyone."""
    parts = [] if group_key == TOTAL_GROUP_KEY else [describe_group(*group_key.split(":", 1))]
    return ", ".join([*parts, *([describe_group("sex", sex)] if sex != TOTAL else [])])


def compose_ranking_title(
    measure_name: str, period: str, population_name: str, group_key: str, sex: str = TOTAL
) -> tuple[str, str]:
    """The ranking's title and subtitle: the measure and period, then what is ranked."""
    named = name_group(group_key, sex)
    group = f", {named}" if named else ""
    ranked = population_name[:1].upper() + population_name[1:]
    return f"{measure_name}, {format_period(period)}", f"{ranked}{group} – högsta värdet överst"


def compose_profile_title(
    measure_name: str, period: str, region_name: str, benchmark_name: str, sex: str = TOTAL
) -> tuple[str, str]:
    named = f", {describe_group('sex', sex)}" if sex != TOTAL else ""
    return (
        f"{region_name} mot {benchmark_name}, {format_period(period)}: "
        "skillnad i procentenheter per grupp",
        f"{measure_name}{named} – största skillnaden överst",
    )


def describe_no_figures(population_name: str, period: str, group_key: str, sex: str = TOTAL) -> str:
    named = name_group(group_key, sex)
    group = f" ({named})" if named else ""
    return (
        f"Måttet har inga värden för {population_name} {format_period(period)}{group}. "
        "Välj ett annat urval, en annan period eller ett annat mått."
    )


def find_value(
    observations: pd.DataFrame,
    region_code: str,
    measure_id: str,
    period: str,
    group: Mapping[str, str],
) -> float | None:
    rows = select_group_rows(observations, measure_id, period, group)
    values = rows.loc[rows["region_code"] == region_code, "value"].dropna()
    return None if values.empty else float(values.iloc[0])


def find_reference_lines(
    observations: pd.DataFrame,
    catalog: Catalog,
    members: list[str],
    measure_id: str,
    period: str,
    group: Mapping[str, str],
) -> list[tuple[str, float]]:
    """The county (when every member lies in one) and the country, as (name, value) pairs."""
    regions = catalog.regions.set_index("region_code")
    counties = set(regions.loc[regions.index.intersection(members), "county_code"])
    # A population spread over several counties has no one county to compare with.
    candidates = [*counties, COUNTRY_CODE] if len(counties) == 1 else [COUNTRY_CODE]
    lines = []
    for code in candidates:
        value = find_value(observations, code, measure_id, period, group)
        if value is not None:
            lines.append((catalog.region_name(code), value))
    return lines


def describe_reference_lines(lines: list[tuple[str, float]], decimals: int = 1) -> str:
    """The benchmarks a table shows beside the ranking: "Som jämförelse: Riket 8,5 %."."""
    if not lines:
        return ""
    values = ", ".join(f"{name} {format_percent(value, decimals)}" for name, value in lines)
    return f"Som jämförelse: {values}."


def find_benchmarks(
    observations: pd.DataFrame,
    catalog: Catalog,
    region_codes: list[str],
    measure_id: str,
    period: str,
    group: Mapping[str, str],
) -> dict[str, tuple[str, float]]:
    """Each kommun's own county as a sentence says it ("länet"), else the country ("riket")."""
    regions = catalog.regions.set_index("region_code")
    benchmarks = {}
    for code in region_codes:
        county = regions.at[code, "county_code"] if code in regions.index else ""
        for word, benchmark_code in (("länet", county), ("riket", COUNTRY_CODE)):
            value = find_value(observations, benchmark_code, measure_id, period, group)
            if benchmark_code and value is not None:
                benchmarks[code] = (word, value)
                break
    return benchmarks


def compute_gap_profile(
    observations: pd.DataFrame,
    region_code: str,
    benchmark_code: str,
    measure_id: str,
    period: str,
    decimals: int = 1,
    sex: str = TOTAL,
) -> pd.DataFrame:
    """Return every group of one kommun (one sex) beside the benchmark's, largest gap first.

    A group where either side lacks a figure keeps its row, with gap NaN, after the others.
    """
    rows = select_rows(observations, measure_id, period=period)
    parts = []
    for dimension in PROFILE_DIMENSIONS:
        varied = select_single_breakdown(rows, dimension, sex)
        region = varied.loc[varied["region_code"] == region_code, [dimension, "value"]]
        benchmark = varied.loc[varied["region_code"] == benchmark_code, [dimension, "value"]]
        merged = region.merge(
            benchmark.rename(columns={"value": "benchmark_value"}), on=dimension, how="outer"
        )
        if merged.empty:
            continue
        order = order_groups(dimension, list(merged[dimension]))
        merged = merged.set_index(dimension).loc[order].reset_index()
        parts.append(merged.rename(columns={dimension: "group"}).assign(dimension=dimension))
    if not parts:
        return pd.DataFrame(columns=PROFILE_COLUMNS).astype(
            {"value": "float64", "benchmark_value": "float64", "gap_pp": "float64"}
        )
    profile = pd.concat(parts, ignore_index=True).astype(
        {"value": "float64", "benchmark_value": "float64"}
    )
    profile["gap_pp"] = (profile["value"] - profile["benchmark_value"]).round(decimals)
    profile = profile.assign(size=profile["gap_pp"].abs()).sort_values(
        "size", ascending=False, na_position="last", kind="stable"
    )
    return profile[PROFILE_COLUMNS].reset_index(drop=True)


def label_profile(profile: pd.DataFrame) -> pd.DataFrame:
    """Add the group_label a chart or table shows ("Förgymnasial utbildning", "18-24 år")."""
    labels = [describe_group(row.dimension, row.group) for row in profile.itertuples()]
    return profile.assign(group_label=[label[:1].upper() + label[1:] for label in labels])


def join_sv(words: list[str]) -> str:
    """Join as Swedish lists do: "A", "A och B", "A, B och C"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} och {words[-1]}"


def say_ordinal(number: int) -> str:
    """The ordinal before "högsta": "" (1), "näst" (2), "tredje" ... "tionde", then "11:e"."""
    if number <= len(ORDINALS):
        return ORDINALS[number - 1]
    suffix = ":a" if number % 10 in (1, 2) and number % 100 not in (11, 12) else ":e"
    return f"{number}{suffix}"


def say_position(ranked: pd.DataFrame, value: float) -> str:
    """Place a value from whichever end is nearer: "högsta", "tredje högsta", "näst lägsta"."""
    from_top = int((ranked["value"] > value).sum()) + 1
    from_bottom = int((ranked["value"] < value).sum()) + 1
    if from_top <= from_bottom:
        return f"{say_ordinal(from_top)} högsta".strip()
    return f"{say_ordinal(from_bottom)} lägsta".strip()


def say_period(period: str) -> str:
    text = format_period(period)
    return text[:1].upper() + text[1:]


def say_difference(value: float, benchmark: tuple[str, float] | None, decimals: int) -> str:
    if benchmark is None:
        return ""
    word, benchmark_value = benchmark
    gap = round(value - benchmark_value, decimals)
    if gap == 0:
        return f", samma som {word}"
    direction = "över" if gap > 0 else "under"
    return f", {format_number(abs(gap), decimals)} procentenheter {direction} {word}"


def describe_rank(
    ranking: pd.DataFrame,
    region_code: str,
    period: str,
    region_names: Mapping[str, str],
    benchmark: tuple[str, float] | None = None,
    decimals: int = 1,
    group_phrase: str = "",
) -> str:
    """Say where one kommun lies in the ranking, its value and its gap to the benchmark."""
    name = region_names.get(region_code, region_code)
    rows = ranking[ranking["region_code"] == region_code]
    if rows.empty:
        return f"{name} ingår inte i urvalet."
    row = rows.iloc[0]
    if pd.isna(row["value"]):
        is_suppressed = pd.notna(row["status"]) and row["status"] == "suppressed"
        why = "är värdet undertryckt" if is_suppressed else "saknas värde"
        return (
            f"{say_period(period)} {why} för {name} ({MISSING}); "
            "kommunen ingår inte i rangordningen."
        )
    ranked = ranking.dropna(subset=["value"])
    value = float(row["value"])
    figures = (
        f"{format_number(value, decimals)} procent{say_difference(value, benchmark, decimals)}"
    )
    if len(ranked) == 1:
        return f"{say_period(period)} var {name} den enda kommunen i urvalet med värde: {figures}."
    peers = ranked.loc[
        (ranked["value"] == value) & (ranked["region_code"] != region_code), "region_code"
    ]
    peer_names = sorted((region_names.get(c, c) for c in peers), key=sort_key_sv)
    alongside = f", liksom {join_sv(peer_names)}," if peer_names else ""
    with_value = " med värde" if len(ranked) < len(ranking) else ""
    return (
        f"{say_period(period)} hade {name}{alongside} den {say_position(ranked, value)} andelen"
        f"{group_phrase} av {len(ranked)} kommuner{with_value}: {figures}."
    )


def describe_ranking(
    ranking: pd.DataFrame,
    highlighted: list[str],
    period: str,
    region_names: Mapping[str, str],
    benchmarks: Mapping[str, tuple[str, float]],
    decimals: int = 1,
    group_phrase: str = "",
) -> list[str]:
    """One sentence per highlighted kommun; without any, about the kommun ranked first."""
    ranked = ranking.dropna(subset=["value"])
    if ranked.empty:
        return [f"Ingen kommun i urvalet har ett värde för {format_period(period)}."]
    subjects = highlighted or ranked["region_code"].tolist()[:1]
    return [
        describe_rank(
            ranking, code, period, region_names, benchmarks.get(code), decimals, group_phrase
        )
        for code in subjects
    ]


def describe_gap_profile(
    profile: pd.DataFrame,
    region_name: str,
    benchmark_name: str,
    decimals: int = 1,
    sex: str = TOTAL,
) -> str:
    """Say in which group the kommun lies furthest from the benchmark, and by how much."""
    if sex != TOTAL:
        region_name = f"{region_name} ({describe_group('sex', sex)})"
    known = profile.dropna(subset=["gap_pp"])
    if known.empty:
        return f"Det finns ingen grupp där både {region_name} och {benchmark_name} har värden."
    largest = known["gap_pp"].abs().max()
    if largest == 0:
        return f"{region_name} har samma andel som {benchmark_name} i alla grupper med värden."
    # Every group at the maximum is named: a tie must not hide one of them.
    ties = known[known["gap_pp"].abs() == largest]
    parts = [
        f"{describe_group(row.dimension, row.group)}, {format_number(row.value, decimals)} "
        f"procent mot {format_number(row.benchmark_value, decimals)} procent"
        for row in ties.itertuples()
    ]
    directions = ["högre" if gap > 0 else "lägre" for gap in ties["gap_pp"]]
    size = f"{format_number(largest, decimals)} procentenheter"
    if len(ties) == 1:
        return (
            f"Störst skillnad mot {benchmark_name} för {region_name}: {parts[0]}, "
            f"{size} {directions[0]}."
        )
    each = "båda" if len(ties) == 2 else "alla"
    if len(set(directions)) == 1:
        ending = f"{each} {size} {directions[0]}"
    else:
        ending = f"{each} {size}: {', '.join(directions[:-1])} respektive {directions[-1]}"
    return (
        f"Störst skillnad mot {benchmark_name} för {region_name}, lika stor i {len(ties)} "
        f"grupper: {', och '.join(parts)}, {ending}."
    )


def describe_not_covered(ranking: pd.DataFrame, shown: pd.DataFrame, population_name: str) -> str:
    """Count the population's kommuner the source has no row for (they are not drawn)."""
    hidden = len(ranking) - len(shown)
    if hidden == 0:
        return ""
    return f"{hidden} av {len(ranking)} kommuner i {population_name} finns inte i källan."


def list_comparable_measures(catalog: Catalog, measure_id: str, present: list[str]) -> list[str]:
    """Other measures with data whose definition allows comparing them with `measure_id`."""
    measures = catalog.measures
    group = catalog.measure(measure_id)["comparability_group"]
    same = measures[
        (measures["comparability_group"] == group)
        & measures["measure_id"].isin(present)
        & (measures["measure_id"] != measure_id)
    ]
    return same["name_sv"].tolist()


def say_status(row: pd.Series) -> str:
    if not row["is_in_source"]:
        return "finns inte i källan"
    if pd.isna(row["status"]):
        return "" if pd.notna(row["value"]) else "saknas"
    return STATUS_LABELS.get(row["status"], str(row["status"]))


def shape_ranking_table(
    shown: pd.DataFrame,
    region_names: Mapping[str, str],
    highlighted: list[str],
    decimals: int = 1,
) -> ShownTable:
    """The ranking as a report table: rank, kommun (highlighted ones marked), value, status."""
    table = pd.DataFrame(
        {
            "Rang": shown["rank"].to_numpy(),
            "Kommun": [region_names.get(code, code) for code in shown["region_code"]],
            "Markerad": ["ja" if flag else "" for flag in shown["region_code"].isin(highlighted)],
            "Andel (%)": shown["value"].to_numpy(),
            "Status": [say_status(row) for _, row in shown.iterrows()],
        }
    )
    return make_shown_table(table, {"Rang": NumberFormat(0), "Andel (%)": NumberFormat(decimals)})


def build_ranking_table(
    shown: pd.DataFrame,
    region_names: Mapping[str, str],
    highlighted: list[str],
    decimals: int = 1,
) -> Styler:
    """The ranking table on screen, the highlighted kommuner in bold."""
    return emphasise_highlighted(shape_ranking_table(shown, region_names, highlighted, decimals))


def emphasise_highlighted(table: ShownTable) -> Styler:
    """Style a ranking table for the screen: the highlighted kommuner in bold."""
    bold = ["font-weight: bold" if flag == "ja" else "" for flag in table.frame["Markerad"]]
    return table.style().apply(lambda _: bold, axis=0, subset=["Kommun", "Andel (%)"])


def shape_profile_table(
    profile: pd.DataFrame, region_name: str, benchmark_name: str, decimals: int = 1
) -> ShownTable:
    """The gap profile as a report table, largest gap first."""
    labelled = label_profile(profile)
    region_column = f"{region_name} (%)"
    benchmark_column = f"{benchmark_name} (%)"
    gap_column = f"Skillnad mot {benchmark_name}"
    table = pd.DataFrame(
        {
            "Uppdelning": [DIMENSION_LABELS[d] for d in labelled["dimension"]],
            "Grupp": labelled["group_label"],
            region_column: labelled["value"],
            benchmark_column: labelled["benchmark_value"],
            gap_column: labelled["gap_pp"],
        }
    )
    return make_shown_table(
        table,
        {
            region_column: NumberFormat(decimals),
            benchmark_column: NumberFormat(decimals),
            gap_column: NumberFormat(decimals, signed=True, unit="p.e."),
        },
    )


def build_profile_table(
    profile: pd.DataFrame, region_name: str, benchmark_name: str, decimals: int = 1
) -> Styler:
    """The gap profile as a report table, largest gap first, with Swedish number formats."""
    return shape_profile_table(profile, region_name, benchmark_name, decimals).style()
