"""TEST DATA, not statistics: made-up monthly AF shares in the canonical shape, for app tests.

Arbetsförmedlingen's monthly import is not bundled yet. These rows have its shape: the share of
the register-based labour force (af_inskrivna_andel_reg, 2022M01-2023M12) and of the BAS labour
force (af_inskrivna_andel_bas, 2023M01-2024M06), for six kommuner in three counties, the
counties and Riket, by sex (total, women, men) crossed with each group (total, two age bands,
birth region, education), with numerator and denominator and value = 100 * numerator /
denominator. Every figure comes from the formula below, so a test can say what a user sees:

    rate in tenths of a percent = BASE[region] + GROUP_OFFSET[group] + month number % 6
                                  (- 5 for the BAS measure)
    women = rate - SEX_SPREAD[group], men = rate + SEX_SPREAD[group] (+ 12 for Haninge's young
    men), total = the sum of women's and men's counts over the sum of their labour forces

e.g. Södertälje, BAS, juni 2024 (month number 29): total 10,0 %, women 9,7 %, men 10,3 %;
Stockholms län 6,0 %, Riket 6,8 %; Haninge men 18-24 13,0 % against the county's 10,8 %.

A count (af_utan_arbete_over_12, juli 2024: 10 * BASE) is a month newer than every share: a page
of shares must still not open on it.
"""

from typing import Any

import pandas as pd

from labourmarket.core import store
from labourmarket.core.catalog import load_catalog
from labourmarket.core.periods import parse_period
from labourmarket.core.schema import COLUMNS, validate

SOURCE_ID = "af_statistik"
RETRIEVED_AT = pd.Timestamp("2024-07-15T06:00:00Z")
MEASURE_MONTHS = {
    "af_inskrivna_andel_reg": ("2022-01", "2023-12"),
    "af_inskrivna_andel_bas": ("2023-01", "2024-06"),
}
FIRST_MONTH = pd.Period("2022-01", "M")
# Tenths of a percent; three counties, their test kommuner (Heby among them) and Riket.
BASE = {
    "0181": 100,  # Södertälje
    "0127": 90,  # Botkyrka
    "0136": 70,  # Haninge
    "0331": 65,  # Heby
    "0380": 55,  # Uppsala
    "1280": 95,  # Malmö
    "01": 60,  # Stockholms län
    "03": 58,  # Uppsala län
    "12": 85,  # Skåne län
    "00": 68,  # Riket
}
# Labour force of one sex in a group, in thousands: any size gives the same shares.
SIZE = {code: 2 + index for index, code in enumerate(BASE)}
GROUPS: dict[tuple[str, str, str], int] = {  # (age, birth_region, education) -> offset
    ("total", "total", "total"): 0,
    ("18-24", "total", "total"): 40,
    ("55-64", "total", "total"): -10,
    ("total", "born_in_sweden", "total"): -20,
    ("total", "foreign_born", "total"): 80,
    ("total", "total", "pre_upper_secondary"): 100,
    ("total", "total", "upper_secondary"): 0,
    ("total", "total", "post_secondary"): -30,
}
SEX_SPREAD = {("18-24", "total", "total"): 8}  # else 3
YOUNG_MEN_EXTRA = {"0136": 12}  # Haninge's young men, the group its strategy singles out
COUNT_MEASURE, COUNT_PERIOD = "af_utan_arbete_over_12", "2024M07"


def list_months(measure_id: str) -> list[pd.Period]:
    first, last = MEASURE_MONTHS[measure_id]
    return list(pd.period_range(first, last, freq="M"))


def compute_counts(
    measure_id: str, region: str, group: tuple[str, str, str], month: pd.Period
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) per sex: women's and men's counts, and their sums."""
    rate = BASE[region] + GROUPS[group] + (month - FIRST_MONTH).n % 6
    rate -= 5 if measure_id == "af_inskrivna_andel_bas" else 0
    spread = SEX_SPREAD.get(group, 3)
    extra = YOUNG_MEN_EXTRA.get(region, 0) if group[0] == "18-24" else 0
    size = SIZE[region]
    women = ((rate - spread) * size, 1000 * size)
    men = ((rate + spread + extra) * size, 1000 * size)
    return {"women": women, "men": men, "total": (women[0] + men[0], women[1] + men[1])}


def build_rows() -> pd.DataFrame:
    """Every test row in the canonical columns (text as plain strings)."""
    rows: list[dict[str, Any]] = []
    for measure_id in MEASURE_MONTHS:
        for month in list_months(measure_id):
            period = f"{month.year}M{month.month:02d}"
            for region in BASE:
                for group in GROUPS:
                    counts = compute_counts(measure_id, region, group, month)
                    for sex, (numerator, denominator) in counts.items():
                        age, birth_region, education = group
                        rows.append(
                            {
                                "measure_id": measure_id,
                                "region_code": region,
                                "period": period,
                                "sex": sex,
                                "age": age,
                                "birth_region": birth_region,
                                "education": education,
                                "value": 100 * numerator / denominator,
                                "numerator": float(numerator),
                                "denominator": float(denominator),
                                "status": None,
                            }
                        )
    rows += [
        {
            "measure_id": COUNT_MEASURE,
            "region_code": region,
            "period": COUNT_PERIOD,
            **dict.fromkeys(["sex", "age", "birth_region", "education"], "total"),
            "value": 10.0 * BASE[region],
            "numerator": None,
            "denominator": None,
            "status": None,
        }
        for region in BASE
    ]
    frame = pd.DataFrame(rows).astype({"numerator": "float64", "denominator": "float64"})
    starts = {code: pd.Timestamp(parse_period(code).start) for code in frame["period"].unique()}
    return frame.assign(
        period_start=frame["period"].map(starts),
        frequency="M",
        source_id=SOURCE_ID,
        retrieved_at=RETRIEVED_AT,
    )[COLUMNS]


def append_to_build() -> dict[str, Any]:
    """Add the test rows to the current build (data/clean) as a new build, checked like one."""
    bundled = store.read_observations()
    manifest = store.read_manifest() or {"sources": []}
    text = {c: "string" for c in COLUMNS if bundled[c].dtype == "category"}
    added = build_rows().astype({**text, "retrieved_at": bundled["retrieved_at"].dtype})
    combined = pd.concat([bundled.astype(text), added], ignore_index=True)
    validate(combined, load_catalog())
    described = {
        "source": "test",
        "file": "tests/af_observations.py",
        "rows": len(added),
        "source_id": SOURCE_ID,
        "document": "TESTDATA, ingen statistik",
    }
    return store.write_clean(combined, [*manifest["sources"], described])
