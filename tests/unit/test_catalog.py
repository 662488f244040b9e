"""Reference tables: complete, consistent with each other, and documented."""

import pytest

from labourmarket.core import paths
from labourmarket.core.catalog import CatalogError, load_catalog

CATALOG = load_catalog(paths.REPO_DIR / "data" / "reference")
REGIONS = CATALOG.regions


@pytest.mark.parametrize(
    ("level", "count"), [("country", 1), ("county", 21), ("municipality", 290)]
)
def test_regions_cover_sweden(level, count):
    assert (REGIONS["level"] == level).sum() == count


def test_region_codes_are_unique_and_scb_shaped():
    assert REGIONS["region_code"].is_unique
    lengths = REGIONS.groupby("level")["region_code"].apply(lambda c: set(c.str.len()))
    assert lengths.to_dict() == {"country": {2}, "county": {2}, "municipality": {4}}


@pytest.mark.parametrize(
    ("code", "name", "level", "county", "kolada"),
    [
        ("00", "Riket", "country", "", "0000"),
        ("01", "Stockholms län", "county", "01", "0001"),
        ("0181", "Södertälje", "municipality", "01", "0181"),
        ("09", "Gotlands län", "county", "09", "0009"),
        ("0980", "Gotland", "municipality", "09", "0980"),
        ("25", "Norrbottens län", "county", "25", "0025"),
        ("2584", "Kiruna", "municipality", "25", "2584"),
    ],
)
def test_region_rows(code, name, level, county, kolada):
    row = REGIONS.set_index("region_code").loc[code]
    assert (row["region_name"], row["level"], row["county_code"], row["kolada_id"]) == (
        name,
        level,
        county,
        kolada,
    )


def test_every_kommun_belongs_to_a_known_county():
    counties = set(REGIONS.loc[REGIONS["level"] == "county", "region_code"])
    kommuner = REGIONS[REGIONS["level"] == "municipality"]
    assert set(kommuner["county_code"]) == counties
    assert (kommuner["region_code"].str[:2] == kommuner["county_code"]).all()


@pytest.mark.parametrize(
    ("group", "size", "member"),
    [
        ("sodertorn", 8, "0192"),
        ("lan_01", 26, "0181"),
        ("lan_09", 1, "0980"),
        ("lan_14", 49, "1480"),
    ],
)
def test_group_members(group, size, member):
    members = CATALOG.group_members(group)
    assert len(members) == size and member in members


def test_unknown_group_is_an_error():
    with pytest.raises(KeyError, match="unknown region group 'norrort'"):
        CATALOG.group_members("norrort")


def test_every_measure_is_documented_and_sourced():
    measures = CATALOG.measures
    text_columns = ["name_sv", "definition_sv", "population_sv", "denominator_sv", "unit"]
    assert (measures[text_columns] != "").all().all()
    assert set(measures["source_id"]) <= set(CATALOG.sources["source_id"])
    assert measures["lower_is_better"].isin([True, False]).all()


def test_every_source_has_publisher_and_attribution():
    assert (CATALOG.sources[["publisher", "title", "attribution_sv"]] != "").all().all()


def test_missing_reference_column_names_the_file(tmp_path):
    for name in ("regions", "region_groups", "measures", "sources"):
        text = (paths.REPO_DIR / "data" / "reference" / f"{name}.csv").read_text()
        (tmp_path / f"{name}.csv").write_text(text)
    (tmp_path / "measures.csv").write_text("measure_id,name_sv\nx,y\n")
    with pytest.raises(CatalogError, match=r"measures\.csv: missing column\(s\) definition_sv"):
        load_catalog(tmp_path)
