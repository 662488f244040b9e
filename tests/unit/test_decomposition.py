"""The gap split into composition and within-group terms: a published example, hand cases, AF."""

import io

import pandas as pd
import pytest

from bench.af_workbook import AF_ANDEL_FIELDS, generate_af_andel_records, write_af_andel_workbook
from labourmarket.core.decomposition import decompose, decompose_all, decompose_periods
from tests.unit.test_af_andel import parse

GROUPS = ("sex", "age", "birth_region", "education")


def make_rows(
    counts: dict[str, dict[str, tuple[float | None, float | None]]],
    breakdown: str,
    period: str = "2024M02",
    status: dict[tuple[str, str], str] | None = None,
) -> pd.DataFrame:
    """Canonical rows from {region: {group code: (unemployed, labour force)}}."""
    rows = []
    for region, groups in counts.items():
        for code, (unemployed, labour) in groups.items():
            row = dict.fromkeys(GROUPS, "total") | {breakdown: code}
            value = None if unemployed is None or labour is None else 100 * unemployed / labour
            rows.append(
                row
                | {
                    "measure_id": "m",
                    "region_code": region,
                    "period": period,
                    "period_start": pd.Timestamp(f"{period[:4]}-{period[5:]}-01"),
                    "value": value,
                    "numerator": unemployed,
                    "denominator": labour,
                    "status": (status or {}).get((region, code)),
                }
            )
    return pd.DataFrame(rows).astype({"numerator": "float64", "denominator": "float64"})


# Das Gupta, P. (1993). Standardization and Decomposition of Rates: A User's Manual. U.S. Bureau
# of the Census, Current Population Reports P23-186, Example 5.1 (Table 5.1): household headship
# rates per 100 by age, United States 1970 and 1985, sizes in percent. Published: crude rates
# 44.7268 and 47.6940, age composition effect 1.2269 (41.35 %), rate effect 1.7403 (58.65 %), as
# reproduced by the DasGuptR package (github.com/josiahpjking/DasGuptR, README, "population
# structure as a vector factor").
AGES_5_1 = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59")
AGES_5_1 += ("60-64", "65-69", "70-74", "75+")
SIZE_1970 = (12.9, 10.9, 9.5, 8.0, 7.8, 8.4, 8.6, 7.8, 7.0, 5.9, 4.7, 3.6, 4.9)
SIZE_1985 = (10.1, 11.2, 11.6, 10.9, 9.4, 7.7, 6.3, 6.0, 6.3, 5.9, 5.1, 4.0, 5.5)
RATE_1970 = (1.9, 25.8, 45.7, 49.6, 51.2, 51.6, 51.8, 54.9, 58.7, 60.4, 62.8, 66.6, 66.8)
RATE_1985 = (2.2, 24.3, 45.8, 52.5, 56.1, 55.6, 56.0, 57.4, 57.2, 61.2, 63.9, 68.6, 72.2)


def make_das_gupta_rows() -> pd.DataFrame:
    counts = {}
    for region, sizes, rates in (("1985", SIZE_1985, RATE_1985), ("1970", SIZE_1970, RATE_1970)):
        groups = {age: (s * r / 100, s) for age, s, r in zip(AGES_5_1, sizes, rates, strict=True)}
        groups["total"] = (sum(u for u, _ in groups.values()), sum(a for _, a in groups.values()))
        counts[region] = groups
    return make_rows(counts, "age")


def test_reproduces_das_gupta_example_5_1():
    d = decompose(make_das_gupta_rows(), "1985", "1970", "age")
    assert d.problem is None
    assert (round(d.benchmark_rate, 4), round(d.rate, 4)) == (44.7268, 47.6940)
    assert round(d.composition, 4) == 1.2269
    assert round(d.within, 4) == 1.7403
    assert round(100 * d.composition / d.gap, 2) == 41.35
    assert not any(g.derived for g in d.groups)


# Hand-computed: kommun 1000 in labour force, 300 foreign-born (45 unemployed = 15 %) and 700
# born in Sweden (35 = 5 %), total 8 %; county 100 foreign-born of 1000 (10 = 10 %), 900 born in
# Sweden (36 = 4 %), total 4,6 %. Gap 3,4 p.e.
# foreign-born: composition (0.3-0.1)(15+10)/2 = 2.5; within (15-10)(0.3+0.1)/2 = 1.0
# born in Sweden: composition (0.7-0.9)(5+4)/2 = -0.9; within (5-4)(0.7+0.9)/2 = 0.8
BIRTH = {
    "0181": {"total": (80, 1000), "foreign_born": (45, 300), "born_in_sweden": (35, 700)},
    "01": {"total": (46, 1000), "foreign_born": (10, 100), "born_in_sweden": (36, 900)},
}


@pytest.mark.parametrize(
    ("group", "composition", "within"),
    [("born_in_sweden", -0.9, 0.8), ("foreign_born", 2.5, 1.0)],
)
def test_hand_computed_birth_region_terms(group, composition, within):
    d = decompose(make_rows(BIRTH, "birth_region"), "0181", "01", "birth_region")
    effect = {g.group: g for g in d.groups}[group]
    assert effect.composition == pytest.approx(composition, abs=1e-12)
    assert effect.within == pytest.approx(within, abs=1e-12)
    assert d.gap == pytest.approx(3.4, abs=1e-12)
    assert d.composition + d.within == pytest.approx(d.gap, abs=1e-12)


def test_a_positive_remainder_becomes_the_derived_group():
    # Education listed groups cover 900 of 1000: the other 100 (20 unemployed) are "okänd".
    counts = {
        region: {
            "total": (80, 1000),
            "pre_upper_secondary": (30, 200),
            "upper_secondary": (20, 400),
            "post_secondary": (10, 300),
        }
        for region in ("0181", "01")
    }
    d = decompose(make_rows(counts, "education"), "0181", "01", "education")
    derived = [g for g in d.groups if g.derived]
    assert [(g.group, g.share, g.rate) for g in derived] == [("unknown", 0.1, 20.0)]
    assert d.gap == 0 and d.composition == pytest.approx(0) and d.within == pytest.approx(0)


@pytest.mark.parametrize(
    ("counts", "status", "problem"),
    [
        # The two age bands hold more than the total: a derived 25-54 would be negative.
        (
            {"total": (50, 1000), "18-24": (30, 600), "55-64": (20, 500)},
            None,
            "fler än totalen",
        ),
        (
            {"total": (50, 1000), "foreign_born": (None, None), "born_in_sweden": (30, 700)},
            None,
            "saknas",
        ),
        (
            {"total": (50, 1000), "foreign_born": (None, 300), "born_in_sweden": (30, 700)},
            {("0181", "foreign_born"): "suppressed"},
            "skyddat",
        ),
        (
            {"total": (50, 1000), "18-24": (5, 100), "20-29": (5, 100)},
            None,
            "överlappar",
        ),
    ],
)
def test_cannot_be_decomposed_says_why(counts, status, problem):
    breakdown = "age" if "18-24" in counts else "birth_region"
    benchmark = {"total": (50, 1000), **{k: (5, 100) for k in counts if k != "total"}}
    rows = make_rows({"0181": counts, "01": benchmark}, breakdown, status=status)
    d = decompose(rows, "0181", "01", breakdown)
    assert d.groups == () and problem in d.problem


def test_shares_without_counts_cannot_be_split():
    rows = make_rows(BIRTH, "birth_region").assign(numerator=float("nan"), denominator=float("nan"))
    d = decompose(rows, "0181", "01", "birth_region")
    assert "bara andelar" in d.problem


def test_cell_key_noise_is_not_a_group():
    # SCB's published BAS counts, 2024M06 (data/raw/scb_snapshot): parts differ from the total
    # by 1-4 persons.
    counts = {
        "01": {
            "total": (61_589, 1_263_340),
            "born_in_sweden": (24_510, 852_335),
            "foreign_born": (37_080, 411_007),
        },
        "00": {
            "total": (258_815, 5_135_870),
            "born_in_sweden": (112_926, 3_849_973),
            "foreign_born": (145_885, 1_285_897),
        },
    }
    d = decompose(make_rows(counts, "birth_region"), "01", "00", "birth_region")
    assert d.problem is None and [g.group for g in d.groups] == ["born_in_sweden", "foreign_born"]


KOMMUNER = (("Stockholms län", "Södertälje"), ("Stockholms län", "Haninge"))
KOMMUNER += (("Uppsala län", "Heby"), ("Uppsala län", "Uppsala"))
MONTHS = ("2024-01", "2024-02")


@pytest.fixture(scope="module")
def generated() -> tuple[list[tuple], pd.DataFrame]:
    """A generated AF workbook (groups partition each kommun's labour force), imported."""
    records = list(generate_af_andel_records(KOMMUNER, MONTHS, bas=True, seed=11))
    buffer = io.BytesIO()
    write_af_andel_workbook(buffer, records)
    return records, parse(buffer.getvalue())


def sum_group(records: list[tuple], month: str, county: str, kommun: str | None, group: str):
    names = [f.name for f in AF_ANDEL_FIELDS]
    rows = [dict(zip(names, r, strict=True)) for r in records]
    rows = [r for r in rows if r["PERIOD"] == month and r["LAN"] == county]
    rows = [r for r in rows if kommun is None or r["KOM"] == kommun]
    return sum(r[f"{group}SOK"] for r in rows), sum(r[f"{group}AK"] for r in rows)


def compute_by_hand(records, kommun: str, county: str, groups: dict[str, str]) -> dict:
    """Kitagawa's terms from the workbook's own counts; derived groups as total minus parts."""
    sides = {}
    for side, name in (("own", kommun), ("other", None)):
        total = sum_group(records, "2024-02", county, name, "TOT")
        parts = {
            code: sum_group(records, "2024-02", county, name, af) for code, af in groups.items()
        }
        rest = (
            total[0] - sum(p[0] for p in parts.values()),
            total[1] - sum(p[1] for p in parts.values()),
        )
        if rest[1] > 1e-6:
            parts["rest"] = rest
        sides[side] = {code: (u, a, a / total[1]) for code, (u, a) in parts.items()}
    terms = {}
    for code, (u1, a1, w1) in sides["own"].items():
        u0, a0, w0 = sides["other"][code]
        r1, r0 = 100 * u1 / a1, 100 * u0 / a0
        terms[code] = ((w1 - w0) * (r1 + r0) / 2, (r1 - r0) * (w1 + w0) / 2)
    return terms


@pytest.mark.parametrize(
    ("region", "kommun", "county_code", "county", "breakdown", "groups"),
    [
        ("0181", "Södertälje", "01", "Stockholms län", "birth_region",
         {"born_in_sweden": "INR", "foreign_born": "UTR"}),
        ("0331", "Heby", "03", "Uppsala län", "education",
         {"pre_upper_secondary": "FG", "upper_secondary": "GY", "post_secondary": "EG"}),
        ("0136", "Haninge", "01", "Stockholms län", "age", {"18-24": "UNG", "55-64": "GAM"}),
    ],
)  # fmt: skip
def test_generated_af_workbook_matches_hand_computation(
    generated, region, kommun, county_code, county, breakdown, groups
):
    records, parsed = generated
    rows = parsed[parsed["period"] == "2024M02"]
    d = decompose(rows, region, county_code, breakdown)
    assert d.problem is None
    expected = compute_by_hand(records, kommun, county, groups)
    derived = {"birth_region": "unknown_birth_region", "education": "unknown", "age": "other_ages"}
    got = {("rest" if g.derived else g.group): (g.composition, g.within) for g in d.groups}
    assert got.keys() == expected.keys()
    for code, (composition, within) in expected.items():
        assert got[code][0] == pytest.approx(composition, abs=1e-9)
        assert got[code][1] == pytest.approx(within, abs=1e-9)
    assert d.composition + d.within == pytest.approx(d.gap, abs=1e-9)
    assert breakdown in derived


def test_every_breakdown_and_every_month_add_up(generated):
    _, parsed = generated
    month = parsed[parsed["period"] == "2024M02"]
    for d in decompose_all(month, "0181", "01"):
        assert d.problem is None
        assert d.composition + d.within == pytest.approx(d.gap, abs=1e-9)
    over_time = decompose_periods(parsed, "0331", "03", "education")
    assert over_time["period"].tolist() == ["2024M01", "2024M02"]
    assert (over_time["composition"] + over_time["within"] - over_time["gap"]).abs().max() < 1e-9


def test_real_scb_counts_split_stockholms_lan_against_riket(bundled_data):
    # SCB BAS, juni 2024: the county's foreign-born share (32,5 % against 25,0 %) would raise its
    # rate by 0,55 p.e.; lower rates within the groups (9,0 % against 11,3 % for the foreign-born)
    # take off 0,71, so the county ends 0,16 p.e. below Riket.
    observations = bundled_data.observations
    rows = observations[
        (observations["measure_id"] == "scb_bas_arbetsloshet_20_64")
        & (observations["period"] == "2024M06")
    ]
    d = decompose(rows, "01", "00", "birth_region")
    assert (round(d.gap, 2), round(d.composition, 2), round(d.within, 2)) == (-0.16, 0.55, -0.71)
    foreign = {g.group: g for g in d.groups}["foreign_born"]
    assert (round(100 * foreign.share, 1), round(foreign.rate, 1)) == (32.5, 9.0)
