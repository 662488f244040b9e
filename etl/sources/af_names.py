"""Arbetsförmedlingen's county and kommun names -> SCB codes, tolerant of case, spacing and NFD."""

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

# AF's residual category: a row whose kommun (or county) is unknown. It counts in the sums of
# its county and of Riket but is never published as a region of its own.
RESIDUAL_NAME = "uppgift saknas"
RESIDUAL = ""  # the code a residual row maps to
LEVELS = ("municipality", "county", "country")  # the order names are claimed in across levels
COUNTRY_ALIASES = ["hela riket", "sverige"]
ANY_LEVEL = "any"  # a lookup of every level, a kommun's own name winning


def normalise_name(name: object) -> str:
    """NFC, no-break spaces and dashes made plain, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class NameLookup:
    """Normalised names of one level (kommun, county, or "any") -> SCB code."""

    codes: dict[str, str]
    level: str

    def find(self, name: object) -> str | None:
        """The code for a name, RESIDUAL for "Uppgift saknas", None for an unknown name."""
        normalised = normalise_name(name)
        if normalised == RESIDUAL_NAME:
            return RESIDUAL
        return self.codes.get(normalised)


def build_lookup(regions: pd.DataFrame, level: str | None = None) -> NameLookup:
    """Names of one level (None: every level) and the variants AF may print.

    "Södertälje kommun" for a kommun; "Stockholm", "Stockholms" for "Stockholms län"; "Hela
    riket" and "Sverige" for Riket. Across levels a kommun's own name wins over a county's
    variant: "Stockholm" is the kommun.
    """
    levels = LEVELS if level is None else (level,)
    codes: dict[str, str] = {}
    for each in levels:
        rows = regions[regions["level"] == each]
        for code, name in zip(rows["region_code"], rows["region_name"], strict=True):
            full = normalise_name(name)
            variants = [full, f"{full} kommun"]
            if each == "county":
                short = full.removesuffix(" län")
                variants += [short, short.removesuffix("s")]
            elif each == "country":
                variants += COUNTRY_ALIASES
            for variant in variants:
                codes.setdefault(variant, code)
    return NameLookup(codes, level or ANY_LEVEL)


def map_names(names: pd.Series, lookup: NameLookup) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Map a column of names to codes, each distinct name once; return codes and unknown names.

    Unknown names come back as (first row position, name) so the caller can name the record.
    """
    categorical = names.astype("category")
    mapped = [lookup.find(name) for name in categorical.cat.categories]
    unknown_categories = [i for i, code in enumerate(mapped) if code is None]
    unknown = []
    codes_array = categorical.cat.codes.to_numpy()
    for category in unknown_categories:
        position = int(np.flatnonzero(codes_array == category)[0])
        unknown.append((position, str(categorical.cat.categories[category])))
    if (codes_array < 0).any():
        unknown.append((int(np.flatnonzero(codes_array < 0)[0]), ""))
    table = np.array([code or "" for code in mapped] + [""], dtype=object)
    return table[codes_array], unknown
