"""Choosing rows: one selector for measure, regions, period and group, and the group codec."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from labourmarket.core.schema import AGE_PATTERN, ALLOWED_CODES, GROUP_DIMENSIONS

TOTAL = "total"
COUNTRY_CODE = "00"
# Tabell 1's four kommuner: Södertälje, Botkyrka, Haninge, Huddinge.
DEFAULT_MUNICIPALITIES = ("0181", "0127", "0136", "0126")
# The dimensions a group key narrows; sex crosses every one of them and is chosen on its own.
BREAKDOWNS = ("age", "birth_region", "education")


class GroupError(ValueError):
    """A group key that names no known dimension or code."""


@dataclass(frozen=True)
class Group:
    """A population: one code per group dimension, `total` where it does not narrow."""

    sex: str = TOTAL
    age: str = TOTAL
    birth_region: str = TOTAL
    education: str = TOTAL

    @classmethod
    def decode(cls, key: str, sex: str = TOTAL) -> "Group":
        """Read a link's group key: "total" or "dimension:code" (Utveckling, Jämför, agendas)."""
        if key == TOTAL:
            return cls(sex=sex)
        dimension, separator, code = key.partition(":")
        if not separator or not is_known_code(dimension, code):
            raise GroupError(f"unknown group {key!r}")
        return replace(cls(sex=sex), **{dimension: code})

    @classmethod
    def from_mapping(cls, group: Mapping[str, str]) -> "Group":
        """A group from a mapping of dimensions; the ones it leaves out are total."""
        return cls(**{d: group.get(d, TOTAL) for d in GROUP_DIMENSIONS})

    def encode(self) -> str:
        """The key a link carries: "total" or the one narrowed breakdown, "age:18-24"."""
        narrowed = self.narrowed
        if not narrowed:
            return TOTAL
        if len(narrowed) > 1:
            raise GroupError(f"a key names one breakdown, not {narrowed}")
        return f"{narrowed[0][0]}:{narrowed[0][1]}"

    @property
    def narrowed(self) -> tuple[tuple[str, str], ...]:
        """The breakdowns (not sex) that this group narrows, with their codes."""
        return tuple((d, getattr(self, d)) for d in BREAKDOWNS if getattr(self, d) != TOTAL)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def with_sex(self, sex: str) -> "Group":
        return replace(self, sex=sex)


def is_known_code(dimension: str, code: str) -> bool:
    """Whether a group dimension has this code (ages are any band, e.g. 18-24 or 65+)."""
    if dimension == "age":
        return re.fullmatch(AGE_PATTERN, code) is not None
    return dimension in GROUP_DIMENSIONS and code in ALLOWED_CODES[dimension]


def select_rows(
    observations: pd.DataFrame,
    measure: str,
    regions: Iterable[str] | None = None,
    period: str | None = None,
    group: Group | None = None,
) -> pd.DataFrame:
    """Rows of one measure, narrowed to regions, a period and a group where given.

    A group matches every dimension exactly (total where it does not narrow); None keeps all.
    Rows keep the store's order.
    """
    rows = slice_measure(observations, measure)
    mask = np.ones(len(rows), dtype=bool)
    if regions is not None:
        mask &= rows["region_code"].isin(list(regions)).to_numpy()
    if period is not None:
        mask &= (rows["period"] == period).to_numpy()
    if group is not None:
        for dimension, code in group.as_dict().items():
            mask &= (rows[dimension] == code).to_numpy()
    return rows if mask.all() else rows[mask]


def slice_measure(observations: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One measure's rows, as a slice where they are one run of rows."""
    # One mask, one copy: at national scale a measure alone is millions of rows.
    wanted = (observations["measure_id"] == measure).to_numpy()
    positions = np.flatnonzero(wanted)
    if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
        # The store sorts by measure first, so a measure is one run of rows: a slice shares
        # them (copy-on-write) where a mask would copy millions.
        return observations.iloc[positions[0] : positions[-1] + 1]
    return observations[wanted]
