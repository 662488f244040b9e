"""One row selector and one group codec: Tabell 1's figures by measure, region, period, group."""

import pandas as pd
import pytest

from labourmarket.core.selection import TOTAL, Group, GroupError, select_rows
from labourmarket.core.store import LoadedData

TABELL_1 = "af_inskrivna_andel_rams"


@pytest.mark.parametrize(
    ("key", "sex", "group"),
    [
        ("total", "total", Group()),
        ("total", "women", Group(sex="women")),
        ("age:18-24", "total", Group(age="18-24")),
        ("age:65+", "men", Group(sex="men", age="65+")),
        ("birth_region:foreign_born", "total", Group(birth_region="foreign_born")),
        ("education:pre_upper_secondary", "total", Group(education="pre_upper_secondary")),
    ],
)
def test_decode_reads_a_link_key_and_encode_writes_it_back(key, sex, group):
    assert Group.decode(key, sex) == group
    assert group.encode() == key


@pytest.mark.parametrize(
    "key",
    ["", "age", "age:", "age:young", "colour:blue", "birth_region:mars", "sex:both", "total:x"],
)
def test_decode_refuses_an_unknown_key(key):
    with pytest.raises(GroupError, match="unknown group"):
        Group.decode(key)


def test_an_agendas_sex_key_chooses_the_sex():
    assert Group.decode("sex:women") == Group(sex="women")
    assert Group.decode("sex:women").encode() == TOTAL


def test_a_key_names_one_breakdown():
    with pytest.raises(GroupError, match="one breakdown"):
        Group(age="18-24", education="unknown").encode()


@pytest.mark.parametrize(
    ("mapping", "group"),
    [
        ({}, Group()),
        ({"birth_region": "foreign_born"}, Group(birth_region="foreign_born")),
        ({"sex": "men", "age": "18-24", "education": TOTAL}, Group(sex="men", age="18-24")),
    ],
)
def test_from_mapping_leaves_out_dimensions_as_total(mapping, group):
    assert Group.from_mapping(mapping) == group
    assert Group.from_mapping(group.as_dict()) == group


@pytest.mark.parametrize(
    ("region", "group", "value"),
    [
        ("0181", Group(birth_region="foreign_born"), 27.0),
        ("0181", Group(), 14.5),
        ("0136", Group(age="18-24"), 13.6),
        ("01", Group(education="pre_upper_secondary"), 17.2),
        ("00", Group(birth_region="born_in_sweden"), 6.1),
    ],
)
def test_select_rows_finds_tabell_1s_figure(bundled_data: LoadedData, region, group, value):
    rows = select_rows(bundled_data.observations, TABELL_1, [region], "2013K3", group)
    assert len(rows) == 1
    assert rows["value"].iloc[0] == pytest.approx(value)


@pytest.mark.parametrize(
    ("regions", "period", "group", "count"),
    [
        (None, None, None, 42),  # Tabell 1: 6 regions x 7 groups
        (["0181"], None, None, 7),
        (["0181", "01"], "2013K3", None, 14),
        (None, "2013K3", Group(), 6),
        (None, "2013K3", Group(age="18-24"), 6),
        (None, "2012K3", None, 0),
        (["9999"], None, None, 0),
    ],
)
def test_select_rows_narrows_only_where_asked(bundled_data, regions, period, group, count):
    rows = select_rows(bundled_data.observations, TABELL_1, regions, period, group)
    assert len(rows) == count
    assert set(rows["measure_id"]) <= {TABELL_1}


def test_select_rows_keeps_the_stores_order(bundled_data):
    observations = bundled_data.observations
    rows = select_rows(observations, TABELL_1)
    expected = observations[observations["measure_id"] == TABELL_1]
    pd.testing.assert_frame_equal(rows, expected)
