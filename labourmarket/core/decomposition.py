"""Split a gap in unemployment into composition and within-group rates (Kitagawa / Das Gupta)."""

import itertools
import re
from dataclasses import dataclass

import pandas as pd

from labourmarket.core.gaps import select_breakdown
from labourmarket.core.selection import BREAKDOWNS, TOTAL
from labourmarket.output.formatting import format_group

# The groups a breakdown's labour force is split into; what they leave out of the total is one
# derived group ("okänd"), so the groups always partition the labour force.
LISTED: dict[str, tuple[str, ...]] = {
    "birth_region": ("born_in_sweden", "foreign_born"),
    "education": ("pre_upper_secondary", "upper_secondary", "post_secondary", "unknown"),
}
DERIVED = {"birth_region": "unknown_birth_region", "education": "unknown", "age": "other_ages"}
DERIVED_LABELS = {
    "unknown_birth_region": "Okänd födelseregion",
    "unknown": "Okänd utbildning",
    "other_ages": "Övriga åldrar (främst 25-54 år)",
}
# SCB perturbs its counts (cell key method): parts may differ from the total by a few persons.
# A remainder within this share of the total count is noise, not a group.
NOISE_SHARE = 0.0005
BAND = re.compile(r"^(\d{2})(?:-(\d{2})|\+)$")


@dataclass(frozen=True)
class GroupEffect:
    """One group's shares, rates and its two terms of the gap."""

    group: str
    derived: bool
    share: float  # of the region's labour force, 0-1
    benchmark_share: float
    rate: float  # percent
    benchmark_rate: float
    composition: float  # percentage points: (w1 - w0)(r1 + r0) / 2
    within: float  # percentage points: (r1 - r0)(w1 + w0) / 2


@dataclass(frozen=True)
class Decomposition:
    """A region's gap to a benchmark in one breakdown, split by group, or why it cannot be."""

    breakdown: str
    region: str
    benchmark: str
    period: str
    sex: str
    rate: float | None  # the total rate from the groups' counts, percent
    benchmark_rate: float | None
    groups: tuple[GroupEffect, ...]
    problem: str | None  # a Swedish sentence: why the gap cannot be split

    @property
    def gap(self) -> float:
        if self.rate is None or self.benchmark_rate is None:
            return float("nan")
        return self.rate - self.benchmark_rate

    @property
    def composition(self) -> float:
        return sum(g.composition for g in self.groups) if self.groups else float("nan")

    @property
    def within(self) -> float:
        return sum(g.within for g in self.groups) if self.groups else float("nan")


@dataclass(frozen=True)
class Counts:
    """One region's counts per group of a breakdown, or why they cannot be used."""

    groups: dict[str, tuple[float, float]]  # code -> (unemployed, labour force)
    problem: str | None
    derived: str | None = None  # the code of the remainder group, where there is one


def has_counts(rows: pd.DataFrame) -> bool:
    """Whether any row carries the counts behind its share (AF does, Tabell 1 does not)."""
    return bool(rows["denominator"].notna().any()) if "denominator" in rows else False


def label_group(breakdown: str, code: str, population: str = "") -> str:
    """A group's Swedish label, derived groups included."""
    return DERIVED_LABELS.get(code) or format_group(breakdown, code, population)


def list_listed(breakdown: str, present: list[str]) -> tuple[list[str], str | None]:
    """The stored groups that partition the breakdown, or why the present ones cannot."""
    if breakdown != "age":
        return [code for code in LISTED[breakdown] if code in present], None
    bands = sorted(
        (int(m.group(1)), int(m.group(2) or 999), code)
        for code in present
        if (m := BAND.match(code)) is not None
    )
    for (_, end, first), (start, _, second) in itertools.pairwise(bands):
        if start <= end:
            return [], f"åldersgrupperna {first} och {second} år överlappar varandra."
    return [code for _, _, code in bands], None


def read_counts(rows: pd.DataFrame, region: str, breakdown: str, name: str) -> Counts:
    """The region's total and group counts, with the derived remainder as its own group."""
    own = rows[rows["region_code"] == region]
    if own.empty:
        return Counts({}, f"{name} saknar uppgifter för perioden.")
    by_group = own.set_index(breakdown)
    present = [str(code) for code in by_group.index if code != TOTAL]
    listed, problem = list_listed(breakdown, present)
    if problem:
        return Counts({}, problem)
    if not listed:
        return Counts({}, "måttet är inte uppdelat så att grupperna täcker arbetskraften.")
    needed = [TOTAL, *listed]
    if TOTAL not in by_group.index:
        return Counts({}, f"{name} saknar totalen för perioden.")
    for code in needed:
        row = by_group.loc[code]
        status = row["status"] if isinstance(row["status"], str) else None
        label = "totalen" if code == TOTAL else label_group(breakdown, code).lower()
        if status in {"suppressed", "lower_bound"}:
            return Counts({}, f"antalet för {label} i {name} är skyddat (färre än fem personer).")
        if pd.isna(row["numerator"]) or pd.isna(row["denominator"]):
            return Counts({}, f"antalet för {label} i {name} saknas.")
        if row["denominator"] <= 0:
            return Counts({}, f"arbetskraften för {label} i {name} är noll.")
    groups = {
        code: (float(by_group.at[code, "numerator"]), float(by_group.at[code, "denominator"]))
        for code in listed
    }
    total = (float(by_group.at[TOTAL, "numerator"]), float(by_group.at[TOTAL, "denominator"]))
    rest = (
        total[0] - sum(u for u, _ in groups.values()),
        total[1] - sum(a for _, a in groups.values()),
    )
    is_noise = all(abs(r) <= NOISE_SHARE * t for r, t in zip(rest, total, strict=True))
    if is_noise:
        return Counts(groups, None)
    if rest[0] < 0 or rest[1] <= 0:
        return Counts(
            {},
            f"grupperna i {name} är tillsammans fler än totalen "
            f"({-rest[1]:.0f} i arbetskraften, {-rest[0]:.0f} arbetslösa), "
            "så resten kan inte räknas fram.",
        )
    derived = DERIVED[breakdown]
    if derived in groups:
        return Counts({}, f"grupperna i {name} täcker inte totalen.")
    return Counts({**groups, derived: rest}, None, derived)


def decompose(
    rows: pd.DataFrame, region: str, benchmark: str, breakdown: str, sex: str = TOTAL
) -> Decomposition:
    """Split the region's total rate minus the benchmark's into composition and within-group
    terms, group by group: the two sums add up to the gap exactly.

    `rows` hold one measure and one period. Shares w and rates r per group give
    gap = sum (w1 - w0)(r1 + r0)/2 + sum (r1 - r0)(w1 + w0)/2 (Kitagawa 1955, Das Gupta 1993).
    """
    periods = rows["period"].unique()
    if len(periods) > 1 or rows["measure_id"].nunique() > 1:
        raise ValueError("a decomposition needs one measure and one period")
    period = str(periods[0]) if len(periods) else ""

    def fail(problem: str) -> Decomposition:
        return Decomposition(breakdown, region, benchmark, period, sex, None, None, (), problem)

    if not has_counts(rows):
        return fail("källan ger bara andelar, inte antal arbetslösa och arbetskraft per grupp.")
    selected = select_breakdown(rows, breakdown, sex)
    own = read_counts(selected, region, breakdown, "kommunen")
    if own.problem:
        return fail(own.problem)
    other = read_counts(selected, benchmark, breakdown, "jämförelseområdet")
    if other.problem:
        return fail(other.problem)
    codes = [code for code in own.groups if code in other.groups]
    codes += [code for code in other.groups if code not in codes]
    empty = (0.0, 0.0)
    own_force = sum(a for _, a in own.groups.values())
    other_force = sum(a for _, a in other.groups.values())
    effects = []
    for code in codes:
        (u1, a1), (u0, a0) = own.groups.get(code, empty), other.groups.get(code, empty)
        if a1 == 0 or a0 == 0:
            # A group absent on one side has no rate there; the split would invent one.
            return fail(f"gruppen {label_group(breakdown, code).lower()} finns bara på ena sidan.")
        w1, w0 = a1 / own_force, a0 / other_force
        r1, r0 = 100 * u1 / a1, 100 * u0 / a0
        effects.append(
            GroupEffect(
                group=code,
                derived=code in (own.derived, other.derived),
                share=w1,
                benchmark_share=w0,
                rate=r1,
                benchmark_rate=r0,
                composition=(w1 - w0) * (r1 + r0) / 2,
                within=(r1 - r0) * (w1 + w0) / 2,
            )
        )
    rate = 100 * sum(u for u, _ in own.groups.values()) / own_force
    benchmark_rate = 100 * sum(u for u, _ in other.groups.values()) / other_force
    return Decomposition(
        breakdown, region, benchmark, period, sex, rate, benchmark_rate, tuple(effects), None
    )


def decompose_all(
    rows: pd.DataFrame, region: str, benchmark: str, sex: str = TOTAL
) -> list[Decomposition]:
    """The region's gap split by every breakdown, in BREAKDOWNS order."""
    return [decompose(rows, region, benchmark, breakdown, sex) for breakdown in BREAKDOWNS]


def decompose_periods(
    rows: pd.DataFrame, region: str, benchmark: str, breakdown: str, sex: str = TOTAL
) -> pd.DataFrame:
    """The split for every period of one measure's rows, oldest first."""
    records = []
    for period, part in rows.groupby("period", observed=True):
        start = part["period_start"].iloc[0] if "period_start" in part else None
        d = decompose(part, region, benchmark, breakdown, sex)
        records.append(
            {
                "period": str(period),
                "period_start": start,
                "gap": d.gap,
                "composition": d.composition,
                "within": d.within,
                "problem": d.problem,
            }
        )
    columns = ["period", "period_start", "gap", "composition", "within", "problem"]
    return pd.DataFrame(records, columns=columns).sort_values("period_start", ignore_index=True)
