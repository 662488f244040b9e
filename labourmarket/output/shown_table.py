"""A table as a page shows it: numbers rounded as on screen and each column's format, for export."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from pandas.io.formats.style import Styler

from labourmarket.output.formatting import format_gap, format_number, is_missing, round_half_up


@dataclass(frozen=True)
class NumberFormat:
    """How one number column reads: `27,0` on screen and `0.0` in Excel, or signed `+11,3 p.e.`."""

    decimals: int
    signed: bool = False
    unit: str = ""  # after each signed figure on screen; in an export it moves to the header

    def format(self, value: float | None) -> str:
        if self.signed:
            return format_gap(value, self.decimals, unit=self.unit)
        return format_number(value, self.decimals)

    @property
    def excel_format(self) -> str:
        """US notation: Excel shows it in the viewer's own style (27,0 in Swedish Excel)."""
        body = "0" + ("." + "0" * self.decimals if self.decimals else "")
        return f"+{body};-{body};{body}" if self.signed else body


@dataclass(frozen=True)
class ShownTable:
    """Rows and columns as shown; number columns hold floats already rounded to what is shown."""

    frame: pd.DataFrame
    formats: Mapping[str, NumberFormat] = field(default_factory=dict)

    def style(self) -> Styler:
        """The screen's table: Swedish number formats, `..` for a missing figure, no index."""
        return self.frame.style.hide(axis="index").format(
            {column: number.format for column, number in self.formats.items()}
        )

    def format_cells(self) -> pd.DataFrame:
        """Every cell as the text the screen shows (for a Word table)."""
        return pd.DataFrame(
            {
                column: [
                    self.formats[column].format(v)
                    if column in self.formats
                    else ("" if is_missing(v) else str(v))
                    for v in self.frame[column]
                ]
                for column in self.frame.columns
            }
        )

    def name_export_columns(self) -> list[str]:
        """Headers for an export: a signed column's unit moves from its cells into the header."""
        return [
            f"{column} ({self.formats[column].unit})"
            if column in self.formats and self.formats[column].signed and self.formats[column].unit
            else str(column)
            for column in self.frame.columns
        ]

    def export_frame(self) -> pd.DataFrame:
        """The figures as exports write them: real numbers, units in the headers."""
        return self.frame.set_axis(self.name_export_columns(), axis=1).reset_index(drop=True)


def round_shown(value: float | None, decimals: int) -> float:
    """Round half up as the screen does (2,25 -> 2,3); a missing figure stays NaN, never 0."""
    return float("nan") if is_missing(value) else float(round_half_up(value, decimals))


def make_shown_table(frame: pd.DataFrame, formats: Mapping[str, NumberFormat]) -> ShownTable:
    """Round every number column to its shown decimals, so an export holds what the screen shows."""
    rounded = frame.assign(
        **{
            column: [round_shown(v, number.decimals) for v in frame[column]]
            for column, number in formats.items()
        }
    )
    return ShownTable(rounded.reset_index(drop=True), dict(formats))


def make_gap_table(
    labels: Mapping[str, pd.Series | list[str]],
    value_column: str,
    gaps: pd.DataFrame,
    benchmark_name: str,
    decimals: int = 1,
    has_ratio: bool = False,
) -> ShownTable:
    """Figures beside a benchmark's as a report table: the `labels` columns, then the value,
    the benchmark's value and the gap in p.e. (and the ratio), from `gaps`' value,
    benchmark_value, gap_pp (and ratio) columns."""
    benchmark_column = f"{benchmark_name} (%)"
    gap_column = f"Skillnad mot {benchmark_name}"
    columns = {
        **labels,
        value_column: gaps["value"],
        benchmark_column: gaps["benchmark_value"],
        gap_column: gaps["gap_pp"],
    }
    formats = {
        value_column: NumberFormat(decimals),
        benchmark_column: NumberFormat(decimals),
        gap_column: NumberFormat(decimals, signed=True, unit="p.e."),
    }
    if has_ratio:
        ratio_column = f"Kvot mot {benchmark_name}"
        columns[ratio_column] = gaps["ratio"]
        formats[ratio_column] = NumberFormat(2)
    return make_shown_table(pd.DataFrame(columns), formats)
