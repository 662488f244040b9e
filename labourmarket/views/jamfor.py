"""The Jämför page: kommuner ranked on a measure, and one kommun's gaps per group to a benchmark."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from labourmarket.core.catalog import Catalog
from labourmarket.core.peers import find_peer_groups
from labourmarket.core.ranking import (
    compute_gap_profile,
    find_benchmarks,
    find_reference_lines,
    list_comparable_measures,
    list_group_keys,
    list_population,
    list_with_figures,
    pick_default_population,
    pick_profile_region,
    rank_regions,
    select_shown,
)
from labourmarket.core.recency import find_newer_figures
from labourmarket.core.region_offer import (
    GROUP_ALL,
    RegionOffer,
    describe_members,
    list_region_groups,
    offer_regions,
)
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES, TOTAL, Group, select_rows
from labourmarket.core.store import LoadedData
from labourmarket.output.formats import compose_file_name
from labourmarket.output.formatting import (
    BREAKDOWN_LABELS,
    format_group,
    format_period,
    sort_key_sv,
)
from labourmarket.output.ranking_charts import plot_gap_profile, plot_ranking
from labourmarket.output.sentences import (
    MISSING_NOTE,
    compose_source_line,
    describe_gap_profile,
    describe_group,
    describe_group_clause,
    describe_newer_figures,
    describe_not_covered,
    describe_ranking,
    describe_reference_lines,
)
from labourmarket.output.shown_table import (
    NumberFormat,
    ShownTable,
    make_gap_table,
    make_shown_table,
)
from labourmarket.views.gapanalys import (
    encode_sex,
    list_benchmarks,
    list_sexes,
    pick_default_benchmark,
)

SCOPE = "måttet och perioden"
VIEWS = {"chart": "Diagram", "table": "Tabell"}
COMPARABILITY_HELP = """\
Måtten räknar olika saker: vem som räknas som arbetslös, vilken befolkning andelen avser och hur
ofta den mäts. Mått ur olika jämförbarhetsgrupper, till exempel Arbetsförmedlingens inskrivna
arbetslösa och SCB:s arbetslöshet enligt BAS, ritas därför aldrig som en serie och dras aldrig
från varandra. Sidan visar ett mått i taget.
"""
NO_BENCHMARK = (
    "Måttet har inget läns- eller riksvärde för perioden att jämföra kommunerna med. "
    "Välj ett annat mått eller en annan period."
)
DIMENSION_LABELS = {**BREAKDOWN_LABELS, "sex": "Kön"}
NO_PEER_GROUPS = (
    "SKR:s kommungruppsindelning hämtas från Kolada (Kommungrupper) vid nästa datauppdatering; "
    "den finns inte i den här installationen ännu."
)
PEER_COUNTY = "lan"  # the "Rangordna inom" choice for the kommun's own county
STATUS_LABELS = {
    "provisional": "preliminärt",
    "suppressed": "undertryckt",
    "not_applicable": "ej tillämpligt",
    "lower_bound": "minst (undre gräns)",
    "missing_part": "en del saknas",
}


@dataclass(frozen=True)
class JamforOffer:
    measure_id: str
    period: str
    rows: pd.DataFrame  # the measure at the period: the sexes and kommuner come from these
    comparability: str  # why one measure at a time, and which measures share its definition
    notice: str | None  # no kommun has a figure: there is nothing to rank
    # The publisher has figures newer than the period: said even where nothing can be ranked.
    newer_notice: str | None
    populations: dict[str, str]  # group id -> "Södertörn (8 av 8 med data)"
    population_caption: str
    default_population: str | None  # None with the notice
    groups: dict[str, dict[str, str]]  # sex -> group key -> "Utbildning: förgymnasial"


@dataclass(frozen=True)
class RankingOffer:
    regions: RegionOffer  # the population's kommuner with figures, to highlight
    default_regions: list[str]
    notice: str | None  # none of the population has a figure for the group: nothing is ranked


@dataclass(frozen=True)
class JamforChoices:
    measure_id: str
    period: str
    rows: pd.DataFrame  # JamforOffer.rows
    view: str  # a key of VIEWS
    population: str  # a group id (region_offer.list_region_groups) or "alla"
    sex: str
    group_key: str  # "total" or "dimension:code"
    highlighted: list[str]


@dataclass(frozen=True)
class Exhibit:
    """A chart (or in the table view its table) under a heading, and what its downloads need."""

    title: str
    subtitle: str
    figure: go.Figure | None  # drawn in the chart view only
    table: ShownTable
    on_screen: Styler  # the table as the table view shows it
    table_note: str | None  # a caption under the table view's table
    file_name: str
    rows: pd.DataFrame  # the observations behind it, for the workbook's Källor sheet

    @property
    def download_title(self) -> str:
        return f"{self.title}. {self.subtitle}"


@dataclass(frozen=True)
class ProfileOffer:
    regions: list[str]  # the population's kommuner with a figure in any group
    default_region: str
    benchmarks: list[str]


@dataclass(frozen=True)
class JamforContent:
    ranking: Exhibit
    sentences: str  # markdown: one sentence, or a list with one per highlighted kommun
    ranking_note: str | None  # what ".." means, and the kommuner the source lacks
    profile: ProfileOffer | None  # None: nothing to compare with (profile_notice says so)
    profile_notice: str | None
    source_line: str
    measure_note: str  # the measure's definition and population


@dataclass(frozen=True)
class ProfileChoices:
    ranking: JamforChoices
    region: str
    benchmark: str


@dataclass(frozen=True)
class ProfileContent:
    notice: str | None  # the kommun's figures are not broken down: no profile
    exhibit: Exhibit | None  # None with the notice
    sentence: str
    missing_note: str | None


def offer(data: LoadedData, series: pd.DataFrame, measure_id: str, period: str) -> JamforOffer:
    """What the ranking's pickers offer for one measure (its rows `series`) and period."""
    catalog = data.catalog
    rows = select_rows(series, measure_id, period=period)
    measure_ids = sorted(data.observations["measure_id"].unique())
    comparable = list_comparable_measures(catalog, measure_id, measure_ids)
    comparability = COMPARABILITY_HELP + (
        f"\nSamma definition som det valda måttet har: {', '.join(comparable)}."
        if comparable
        else "\nInget annat mått i datan har samma definition som det valda."
    )
    # Only groups with at least one kommun with figures can be ranked; each says how many have them.
    municipalities = offer_regions(rows, catalog, SCOPE, level="municipality")
    population_sv = str(catalog.measure(measure_id)["population_sv"])
    sexes = {TOTAL, *list_sexes(rows)}
    newer = find_newer_figures(data.observations, catalog, measure_id, period)
    return JamforOffer(
        measure_id=measure_id,
        period=period,
        rows=rows,
        comparability=comparability,
        notice=(
            None if municipalities.codes else describe_no_figures("någon kommun", period, TOTAL)
        ),
        newer_notice=None if newer is None else describe_newer_figures(newer, catalog),
        populations=municipalities.groups,
        population_caption=municipalities.describe_groups(),
        default_population=(
            pick_default_population(rows, catalog, list(municipalities.groups))
            if municipalities.codes
            else None
        ),
        groups={
            sex: {
                key: format_group_choice(key, population_sv) for key in list_group_keys(rows, sex)
            }
            for sex in sexes
        },
    )


def offer_ranking(
    data: LoadedData, offered: JamforOffer, population: str, sex: str, group_key: str
) -> RankingOffer:
    """The kommuner to highlight in a population, and whether its group has figures to rank."""
    catalog = data.catalog
    name = format_population(catalog, population)
    members = list_members(catalog, population)
    regions = replace(
        offer_regions(
            offered.rows,
            catalog,
            SCOPE,
            level="municipality",
            population=(members, describe_members(population, name)),
        ),
        label="Markera kommuner",
    )
    group = Group.decode(group_key, sex)
    period = offered.period
    ranking = rank_regions(offered.rows, members, offered.measure_id, period, group)
    return RankingOffer(
        regions=regions,
        default_regions=[code for code in DEFAULT_MUNICIPALITIES if code in regions.codes],
        notice=(
            describe_no_figures(name, period, group_key, sex)
            if ranking["value"].isna().all()
            else None
        ),
    )


def build(data: LoadedData, choices: JamforChoices) -> JamforContent:
    """The ranking of the population in the chosen group, and what its profile can offer."""
    catalog, measure_id, period = data.catalog, choices.measure_id, choices.period
    rows = choices.rows
    measure = catalog.measure(measure_id)
    decimals = int(measure["decimals"])
    population_name = format_population(catalog, choices.population)
    members = list_members(catalog, choices.population)
    highlighted = choices.highlighted
    group = Group.decode(choices.group_key, choices.sex)
    ranking = rank_regions(rows, members, measure_id, period, group)
    source_line = compose_source_line(catalog, rows)
    shown = select_shown(ranking, highlighted)
    title, subtitle = compose_ranking_title(
        measure["name_sv"], period, population_name, choices.group_key, choices.sex
    )
    lines = find_reference_lines(rows, catalog, members, measure_id, period, group)
    table = shape_ranking_table(shown, catalog.region_names, highlighted, decimals)
    figure = None
    if choices.view == "chart":
        figure = plot_ranking(
            shown, catalog.region_names, highlighted, lines, title, subtitle, source_line, decimals
        )
    benchmarks = find_benchmarks(rows, catalog, highlighted, measure_id, period, group)
    sentences = describe_ranking(
        ranking,
        highlighted,
        period,
        catalog.region_names,
        benchmarks,
        decimals,
        describe_group_clause(group.as_dict()),
    )
    notes = [MISSING_NOTE] if shown["value"].isna().any() else []
    notes.append(
        describe_not_covered(ranking, shown, describe_members(choices.population, population_name))
    )
    benchmark_options = list_benchmarks(rows, catalog)
    with_figures = list_with_figures(rows, members)
    return JamforContent(
        ranking=Exhibit(
            title=title,
            subtitle=subtitle,
            figure=figure,
            table=table,
            on_screen=emphasise_highlighted(table),
            table_note=describe_reference_lines(lines, decimals),
            file_name=compose_file_name(
                "jamfor",
                measure_id,
                period,
                choices.population,
                choices.group_key,
                encode_sex(choices.sex),
            ),
            rows=rows,
        ),
        # One kommun reads as a sentence; several as a list, one line each.
        sentences=sentences[0] if len(sentences) == 1 else "\n".join(f"- {s}" for s in sentences),
        ranking_note=" ".join(note for note in notes if note) or None,
        profile=(
            ProfileOffer(
                with_figures,
                pick_profile_region(ranking, highlighted, with_figures),
                benchmark_options,
            )
            if benchmark_options
            else None
        ),
        profile_notice=None if benchmark_options else NO_BENCHMARK,
        source_line=source_line,
        measure_note=f"Mått: {measure['definition_sv']} Population: {measure['population_sv']}.",
    )


def pick_benchmark(data: LoadedData, profile: ProfileOffer, region: str) -> str:
    """The benchmark a kommun's profile opens on: its county, else the country."""
    return pick_default_benchmark(profile.benchmarks, [region], data.catalog)


def build_profile(data: LoadedData, choices: ProfileChoices) -> ProfileContent:
    """One kommun's gap to the benchmark in every group of the chosen sex, largest first."""
    catalog, ranking = data.catalog, choices.ranking
    measure_id, period, rows = ranking.measure_id, ranking.period, ranking.rows
    region, benchmark = choices.region, choices.benchmark
    measure = catalog.measure(measure_id)
    decimals = int(measure["decimals"])
    region_name, benchmark_name = catalog.region_name(region), catalog.region_name(benchmark)
    profile = compute_gap_profile(
        rows, region, benchmark, measure_id, period, decimals, ranking.sex
    )
    if profile.empty:
        return ProfileContent(
            notice=(
                "Måttet är inte uppdelat på ålder, födelseland, utbildning eller kön för "
                f"{region_name} {format_period(period)}."
            ),
            exhibit=None,
            sentence="",
            missing_note=None,
        )
    title, subtitle = compose_profile_title(
        measure["name_sv"], period, region_name, benchmark_name, ranking.sex
    )
    table = shape_profile_table(profile, region_name, benchmark_name, decimals)
    figure = None
    if ranking.view == "chart":
        figure = plot_gap_profile(
            label_profile(profile),
            region_name,
            benchmark_name,
            title,
            subtitle,
            compose_source_line(catalog, rows),
            decimals,
        )
    return ProfileContent(
        notice=None,
        exhibit=Exhibit(
            title=title,
            subtitle=subtitle,
            figure=figure,
            table=table,
            on_screen=table.style(),
            table_note=None,
            file_name=compose_file_name(
                "jamfor",
                measure_id,
                period,
                region,
                benchmark,
                encode_sex(ranking.sex),
                "profil",
            ),
            rows=rows[rows["region_code"].isin([region, benchmark])],
        ),
        sentence=describe_gap_profile(profile, region_name, benchmark_name, decimals, ranking.sex),
        missing_note=MISSING_NOTE if profile["gap_pp"].isna().any() else None,
    )


def format_population(catalog: Catalog, population: str) -> str:
    """A ranking population as a sentence names it: "Södertörn", "alla kommuner"."""
    return {**list_region_groups(catalog), GROUP_ALL: "alla kommuner"}[population]


def list_members(catalog: Catalog, population: str) -> list[str]:
    """A ranking population's kommuner in Swedish alphabetical order."""
    return sorted(
        list_population(catalog, population),
        key=lambda code: sort_key_sv(catalog.region_name(code)),
    )


def format_group_choice(key: str, population: str = "") -> str:
    """Say a group key as the picker shows it: "Totalt 16-64 år", "Utbildning: förgymnasial"."""
    if key == TOTAL:
        return format_group("age", TOTAL, population)
    dimension, code = Group.decode(key).narrowed[0]
    return f"{DIMENSION_LABELS[dimension]}: {format_group(dimension, code).lower()}"


def format_group_name(group_key: str, sex: str = TOTAL) -> str:
    """A group and sex as a title lists them: "18-24 år, män"; "" for everyone."""
    parts = [describe_group(d, c) for d, c in Group.decode(group_key).narrowed]
    return ", ".join([*parts, *([describe_group("sex", sex)] if sex != TOTAL else [])])


def compose_ranking_title(
    measure_name: str, period: str, population_name: str, group_key: str, sex: str = TOTAL
) -> tuple[str, str]:
    """The ranking's title and subtitle: the measure and period, then what is ranked."""
    named = format_group_name(group_key, sex)
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
    named = format_group_name(group_key, sex)
    group = f" ({named})" if named else ""
    return (
        f"Måttet har inga värden för {population_name} {format_period(period)}{group}. "
        "Välj ett annat urval, en annan period eller ett annat mått."
    )


def label_profile(profile: pd.DataFrame) -> pd.DataFrame:
    """Add the group_label a chart or table shows ("Förgymnasial utbildning", "18-24 år")."""
    labels = [describe_group(row.dimension, row.group) for row in profile.itertuples()]
    return profile.assign(group_label=[label[:1].upper() + label[1:] for label in labels])


def format_rank_status(row: pd.Series) -> str:
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
    """The ranking as a report table: rank, kommun (highlighted ones marked), value, status.

    The status column only where a row has one (a missing or provisional figure, a kommun the
    source lacks): published figures without a note would leave it empty.
    """
    statuses = [format_rank_status(row) for _, row in shown.iterrows()]
    table = pd.DataFrame(
        {
            "Rang": shown["rank"].to_numpy(),
            "Kommun": [region_names.get(code, code) for code in shown["region_code"]],
            "Markerad": ["ja" if flag else "" for flag in shown["region_code"].isin(highlighted)],
            "Andel (%)": shown["value"].to_numpy(),
            **({"Status": statuses} if any(statuses) else {}),
        }
    )
    return make_shown_table(table, {"Rang": NumberFormat(0), "Andel (%)": NumberFormat(decimals)})


def emphasise_highlighted(table: ShownTable) -> Styler:
    """Style a ranking table for the screen: the highlighted kommuner in bold."""
    bold = ["font-weight: bold" if flag == "ja" else "" for flag in table.frame["Markerad"]]
    return table.style().apply(lambda _: bold, axis=0, subset=["Kommun", "Andel (%)"])


def shape_profile_table(
    profile: pd.DataFrame, region_name: str, benchmark_name: str, decimals: int = 1
) -> ShownTable:
    """The gap profile as a report table, largest gap first."""
    labelled = label_profile(profile)
    labels = {
        "Uppdelning": [DIMENSION_LABELS[d] for d in labelled["dimension"]],
        "Grupp": labelled["group_label"],
    }
    return make_gap_table(labels, f"{region_name} (%)", labelled, benchmark_name, decimals)


@dataclass(frozen=True)
class PeerOffer:
    """Where one kommun can be ranked: its county, and each SKR kommungrupp it is in."""

    regions: list[str]  # kommuner with a figure, to pick from
    default_region: str | None
    scopes: dict[str, str]  # PEER_COUNTY or a group id -> "Större stad, ... 2023 (3 av 4 med data)"
    members: dict[str, list[str]]  # the same keys -> the kommuner ranked
    notice: str | None  # no group data, or the kommun is in no kommungrupp


@dataclass(frozen=True)
class PeerRanking:
    title: str
    table: ShownTable
    on_screen: Styler
    sentence: str


def offer_peers(
    data: LoadedData, choices: JamforChoices, groups: pd.DataFrame, region: str | None = None
) -> PeerOffer:
    """The kommun to rank (region, else the first highlighted one) and where it can be ranked.

    A kommungrupp is offered when at least one of its members has a figure for the choices.
    """
    catalog = data.catalog
    group = Group.decode(choices.group_key, choices.sex)
    everyone = list_members(catalog, GROUP_ALL)
    ranked = rank_regions(choices.rows, everyone, choices.measure_id, choices.period, group)
    with_figures = set(ranked.dropna(subset=["value"])["region_code"])
    regions = [code for code in everyone if code in with_figures]
    picked = [code for code in choices.highlighted if code in regions]
    default = region if region in regions else (picked[0] if picked else next(iter(regions), None))
    if groups.empty or default is None:
        return PeerOffer(regions, default, {}, {}, NO_PEER_GROUPS if groups.empty else None)
    county = str(catalog.regions.set_index("region_code").loc[default, "county_code"])
    members = {PEER_COUNTY: list_members(catalog, f"lan_{county}")}
    scopes = {PEER_COUNTY: f"Kommunerna i {catalog.region_name(county)}"}
    for peer in find_peer_groups(groups, default):
        counted = sum(code in with_figures for code in peer.members)
        if counted:
            members[peer.group_id] = sorted(
                peer.members, key=lambda code: sort_key_sv(catalog.region_name(code))
            )
            scopes[peer.group_id] = f"{peer.title} ({counted} av {len(peer.members)} med data)"
    notice = (
        None
        if len(scopes) > 1
        else f"{catalog.region_name(default)} ingår inte i någon av SKR:s kommungrupper med värden."
    )
    return PeerOffer(regions, default, scopes, members, notice)


def build_peer_ranking(
    data: LoadedData, choices: JamforChoices, offered: PeerOffer, region: str, scope: str
) -> PeerRanking:
    """Rank the kommun among its county's or kommungrupp's members, the kommun marked."""
    catalog = data.catalog
    decimals = int(catalog.measure(choices.measure_id)["decimals"])
    group = Group.decode(choices.group_key, choices.sex)
    members = offered.members[scope]
    ranking = rank_regions(choices.rows, members, choices.measure_id, choices.period, group)
    table = shape_ranking_table(ranking, catalog.region_names, [region], decimals)
    sentences = describe_ranking(
        ranking,
        [region],
        choices.period,
        catalog.region_names,
        {},
        decimals,
        describe_group_clause(group.as_dict()),
    )
    return PeerRanking(
        title=f"{catalog.region_name(region)} inom {offered.scopes[scope]}",
        table=table,
        on_screen=emphasise_highlighted(table),
        sentence=" ".join(sentences),
    )
