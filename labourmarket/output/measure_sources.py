"""What each measure's definition, source and dates say: the Källor page and every Källor sheet."""

import pandas as pd

from labourmarket.core.catalog import Catalog
from labourmarket.output.change_tables import format_time
from labourmarket.output.formatting import format_number, format_period
from labourmarket.output.sentences import compose_attribution
from labourmarket.output.shown_table import ShownTable


def summarise_measures(observations: pd.DataFrame, catalog: Catalog) -> list[dict[str, str]]:
    """One entry per measure in the data: definition, population, source, coverage and counts."""
    entries = []
    for measure_id, rows in observations.groupby("measure_id", sort=True):
        measure = catalog.measure(str(measure_id))
        sources = [catalog.source(source_id) for source_id in sorted(rows["source_id"].unique())]
        # The first and last period by position of the extremes: sorting millions is not needed.
        first = rows["period"].iloc[rows["period_start"].to_numpy().argmin()]
        last = rows["period"].iloc[rows["period_start"].to_numpy().argmax()]
        entries.append(
            {
                "measure_id": str(measure_id),
                "Mått": str(measure["name_sv"]),
                "Definition": str(measure["definition_sv"]),
                "Population": str(measure["population_sv"]),
                "Nämnare": str(measure["denominator_sv"]),
                "Utgivare": ", ".join(sorted({str(s["publisher"]) for s in sources})),
                "Källa": compose_attribution([str(s["attribution_sv"]) for s in sources]),
                "Licens": "; ".join(sorted({str(s["licence"]) for s in sources})),
                "Perioder": f"{format_period(first)} – {format_period(last)}",
                "Regioner": format_number(rows["region_code"].nunique(), 0),
                "Värden": format_number(int(rows["value"].notna().sum()), 0),
                "Saknade värden": format_number(int(rows["value"].isna().sum()), 0),
                "Hämtad": f"{rows['retrieved_at'].max():%Y-%m-%d}",
                "Jämförbarhetsgrupp": str(measure["comparability_group"]),
                "Seriebrott": str(measure["series_breaks_sv"]) or "Inga kända",
            }
        )
    return entries


def summarise_definitions(catalog: Catalog) -> list[dict[str, str]]:
    """One entry per measure in measures.csv from the reference data alone: no build needed."""
    entries = []
    for measure_id in sorted(catalog.measures["measure_id"]):
        measure = catalog.measure(measure_id)
        source = catalog.source(str(measure["source_id"]))
        entries.append(
            {
                "measure_id": measure_id,
                "Mått": str(measure["name_sv"]),
                "Definition": str(measure["definition_sv"]),
                "Population": str(measure["population_sv"]),
                "Nämnare": str(measure["denominator_sv"]),
                "Utgivare": str(source["publisher"]),
                "Källa": str(source["attribution_sv"]),
                "Licens": str(source["licence"]),
                "Jämförbarhetsgrupp": str(measure["comparability_group"]),
                "Seriebrott": str(measure["series_breaks_sv"]) or "Inga kända",
            }
        )
    return entries


SOURCE_COLUMNS = [
    "measure_id",
    "Mått",
    "Definition",
    "Population",
    "Nämnare",
    "Utgivare",
    "Källa",
    "Licens",
    "Perioder",
    "Hämtad",
    "Seriebrott",
]


def shape_sources_table(rows: pd.DataFrame, catalog: Catalog, built_at: str) -> ShownTable:
    """An export's Källor sheet: each measure behind `rows`, its definition, source and dates."""

    def list_urls(measure_id: str) -> str:
        source_ids = sorted(rows.loc[rows["measure_id"] == measure_id, "source_id"].unique())
        return " ".join(url for url in (str(catalog.source(s)["url"]) for s in source_ids) if url)

    entries = summarise_measures(rows, catalog)
    table = pd.DataFrame(entries, columns=SOURCE_COLUMNS)
    table = table.assign(
        Webbadress=[list_urls(entry["measure_id"]) for entry in entries],
        **{"Data byggd": format_time(built_at)},
    )
    return ShownTable(table.rename(columns={"measure_id": "Mått-id"}))
