"""Write pivot-table workbooks shaped like Arbetsförmedlingen's downloads, for tests and bench.

Every part is plain OOXML built from strings; the records part is streamed, so a full-size
cache (tens of thousands of records of 51 fields) is written without being held in memory.
The visible sheet shows what AF's file shows when opened: one page-filtered region, as rows
of shares computed from the calculated fields.
"""

import ast
import math
import operator
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

DEFINITION_PART = "xl/pivotCache/pivotCacheDefinition1.xml"
RECORDS_PART = "xl/pivotCache/pivotCacheRecords1.xml"
PERCENT_STYLE = 1  # index in cellXfs of the "0.00%" format
PERCENT_FORMAT = 10  # Excel's built-in "0.00%"
# Every part gets this time stamp, so one seed always gives the same bytes.
ZIP_TIMESTAMP = (2026, 8, 1, 0, 0, 0)
RECORD_BATCH = 2_000  # records joined per write to the zip stream
AF_UNKNOWN = "Uppgift saknas"

AF_COUNT_GROUPS = (
    "TOT",
    "KVI",
    "MAN",
    "UNG",
    "UNGK",
    "UNGM",
    "GAM",
    "GAMK",
    "GAMM",
    "INR",
    "INRK",
    "INRM",
    "UTR",
    "UTRK",
    "UTRM",
    "FG",
    "FGK",
    "FGM",
    "GY",
    "GYK",
    "GYM",
    "EG",
    "EGK",
    "EGM",
)
AF_COUNT_NAMES = tuple(f"{group}{kind}" for group in AF_COUNT_GROUPS for kind in ("SOK", "AK"))
AF_SHARE_NAMES = {
    "TOT": "Totalt",
    "KVI": "Kvinnor",
    "MAN": "Män",
    "UNG": "Unga 18-24",
    "UNGK": "Unga kvinnor 18-24",
    "UNGM": "Unga män 18-24",
    "GAM": "Äldre 55-64",
    "GAMK": "Äldre kvinnor 55-64",
    "GAMM": "Äldre män 55-64",
    "INR": "Inrikes",
    "INRK": "Inrikes kvinnor",
    "INRM": "Inrikes män",
    "UTR": "Utrikes",
    "UTRK": "Utrikes kvinnor",
    "UTRM": "Utrikes män",
    "FG": "Fg",
    "FGK": "Fg KVI",
    "FGM": "Fg MAN",
    "GY": "Gy",
    "GYK": "Gy KVI",
    "GYM": "Gy MAN",
    "EG": "Eg",
    "EGK": "Eg KVI",
    "EGM": "Eg MAN",
}
AF_CALCULATED = tuple((AF_SHARE_NAMES[group], f"{group}SOK/{group}AK") for group in AF_COUNT_GROUPS)


@dataclass(frozen=True)
class FieldSpec:
    """One database field of the cache; a shared field's records point into its distinct values."""

    name: str
    shared: bool = False


AF_ANDEL_FIELDS = (
    FieldSpec("PERIOD", shared=True),
    FieldSpec("LAN", shared=True),
    FieldSpec("KOM", shared=True),
    *(FieldSpec(name) for name in AF_COUNT_NAMES),
)


def describe_member(part: str) -> zipfile.ZipInfo:
    member = zipfile.ZipInfo(part, date_time=ZIP_TIMESTAMP)
    member.compress_type = zipfile.ZIP_DEFLATED
    return member


def escape_attribute(text: str) -> str:
    # Tabs and line breaks are escaped because XML reads them as spaces in an attribute value.
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_number(value: float) -> str:
    """The shortest text that reads back as the same double; integral values without '.0'."""
    if isinstance(value, int | np.integer):
        return str(int(value))
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def encode_item(value: object, text: Callable[[str], str]) -> str:
    """One value as a cache element: <m/>, <b>, <n>, <s> or <d>."""
    if is_missing(value):
        return "<m/>"
    if isinstance(value, bool | np.bool_):
        return f'<b v="{int(value)}"/>'
    if is_number(value):
        return f'<n v="{format_number(value)}"/>'
    if isinstance(value, str):
        return f'<s v="{escape_attribute(text(value))}"/>'
    if isinstance(value, date):
        stamp = value if isinstance(value, datetime) else datetime.combine(value, time())
        return f'<d v="{stamp.isoformat(timespec="seconds")}"/>'
    raise TypeError(f"no pivot cache form for {type(value).__name__} value {value!r}")


def identify_item(value: object) -> tuple[str, object]:
    if is_missing(value):
        return ("m", None)
    if isinstance(value, bool | np.bool_):
        return ("b", bool(value))
    if is_number(value):
        return ("n", float(value))
    return (type(value).__name__, value)


@dataclass
class FieldStats:
    """What the definition says about a field's values, gathered while the records stream."""

    items: dict[tuple[str, object], int] = field(default_factory=dict)
    shared_values: list[object] = field(default_factory=list)
    has_string: bool = False
    has_number: bool = False
    has_blank: bool = False
    has_other: bool = False
    all_integers: bool = True
    minimum: float = math.inf
    maximum: float = -math.inf

    def note(self, value: object) -> None:
        if is_missing(value):
            self.has_blank = True
        elif is_number(value):
            self.has_number = True
            self.all_integers = self.all_integers and float(value).is_integer()
            self.minimum = min(self.minimum, float(value))
            self.maximum = max(self.maximum, float(value))
        elif isinstance(value, str):
            self.has_string = True
        else:
            self.has_other = True

    def index_of(self, value: object) -> int:
        key = identify_item(value)
        index = self.items.get(key)
        if index is None:
            index = self.items[key] = len(self.shared_values)
            self.shared_values.append(value)
            self.note(value)
        return index

    def describe(self) -> str:
        """The sharedItems attributes Excel writes for these values."""
        attributes = []
        if not (self.has_string or self.has_blank):
            attributes.append('containsSemiMixedTypes="0"')
        if not self.has_string:
            attributes.append('containsString="0"')
        if self.has_blank:
            attributes.append('containsBlank="1"')
        if self.has_string + self.has_number + self.has_other > 1:
            attributes.append('containsMixedTypes="1"')
        if self.has_number:
            attributes.append('containsNumber="1"')
            if self.all_integers:
                attributes.append('containsInteger="1"')
            attributes.append(f'minValue="{format_number(self.minimum)}"')
            attributes.append(f'maxValue="{format_number(self.maximum)}"')
        return "".join(f" {attribute}" for attribute in attributes)


UNSET = object()  # a table whose page item is the n-th one the records bring


@dataclass
class TableView:
    """One pivot table: the page item it filters on and, per row item, its fields' sums."""

    page_item: object = UNSET
    sums: dict[tuple[str, object], dict[str, float]] = field(default_factory=dict)


BINARY_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def evaluate_formula(formula: str, sums: dict[str, float]) -> float:
    """A calculated field as a pivot table shows it: the formula applied to the fields' sums."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY_OPERATORS:
            return BINARY_OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Name):
            return sums.get(node.id, 0.0)
        if isinstance(node, ast.Constant) and is_number(node.value):
            return float(node.value)
        raise ValueError(f"formula {formula!r}: only field names, numbers and + - * / render")

    try:
        return walk(ast.parse(formula, mode="eval"))
    except SyntaxError as error:
        raise ValueError(f"formula {formula!r}: {error.msg}") from error


def name_column(index: int) -> str:
    """Column letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class Layout:
    """What the workbook holds and where, fixed before the records are read."""

    fields: Sequence[FieldSpec]
    calculated: Sequence[tuple[str, str]]
    row_field: int
    page_field: int | None
    sheet_names: Sequence[str]
    cache_id: int
    absolute_targets: bool
    with_records: bool
    text: Callable[[str], str]

    def target(self, part: str, relative: str) -> str:
        return f"/{part}" if self.absolute_targets else relative

    def data_fields(self) -> list[tuple[int, str]]:
        """(cache field index, name) of what the tables show: the calculated fields, else sums."""
        if self.calculated:
            return [(len(self.fields) + k, name) for k, (name, _) in enumerate(self.calculated)]
        return [(i, spec.name) for i, spec in enumerate(self.fields) if not spec.shared]


def write_pivot_workbook(
    target: Path | BinaryIO,
    fields: Sequence[FieldSpec],
    records: Iterable[Sequence[object]],
    *,
    sheet_name: str = "andel",
    calculated: Sequence[tuple[str, str]] = (),
    row_field: str | None = None,
    page_field: str | None = None,
    page_items: Sequence[object] = (),
    second_table: bool = False,
    omit_records_part: bool = False,
    normalization: Literal["NFC", "NFD"] | None = None,
    absolute_targets: bool = False,
    cache_id: int = 4,
) -> int:
    """Write the workbook and return how many records its cache holds.

    Record values: None or NaN (<m/>), bool, int or float, str, date or datetime. A shared
    field's items are numbered in order of first appearance, as Excel does. `row_field`
    (default: the first shared field) labels the visible table's rows; `page_field` filters it
    to `page_items[0]`, by default the first item seen (the second table's: the second one).
    `omit_records_part` writes the definition as Excel does when told not to save the source
    data: saveData="0", no records part and no relationship to one. `normalization` rewrites
    every text (sheet and field names, items, cells) into that Unicode form.
    """
    names = [spec.name for spec in fields]
    if len(set(names)) != len(names):
        raise ValueError(f"field names repeat: {names}")
    shared = [index for index, spec in enumerate(fields) if spec.shared]
    row_index = names.index(row_field) if row_field else (shared[0] if shared else None)
    if row_index is None:
        raise ValueError("the visible table needs a shared field for its rows")
    page_index = names.index(page_field) if page_field else None
    for index in (row_index, page_index):
        if index is not None and not fields[index].shared:
            raise ValueError(f"{names[index]}: a table's row or page field must be shared")

    def text(value: str) -> str:
        return unicodedata.normalize(normalization, value) if normalization else value

    sheet_names = [sheet_name, f"{sheet_name} (2)"] if second_table else [sheet_name]
    layout = Layout(
        fields=fields,
        calculated=calculated,
        row_field=row_index,
        page_field=page_index,
        sheet_names=[text(name) for name in sheet_names],
        cache_id=cache_id,
        absolute_targets=absolute_targets,
        with_records=not omit_records_part,
        text=text,
    )
    views = [TableView() for _ in sheet_names]
    for view, item in zip(views, page_items, strict=False):
        view.page_item = text(item) if isinstance(item, str) else item
    stats = [FieldStats() for _ in fields]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(part: str, content: str) -> None:
            archive.writestr(describe_member(part), content)

        put("[Content_Types].xml", write_content_types(layout))
        put(
            "_rels/.rels",
            write_rels([("rId1", "officeDocument", "xl/workbook.xml")]),
        )
        put("xl/workbook.xml", write_workbook(layout))
        put("xl/_rels/workbook.xml.rels", write_workbook_rels(layout))
        put("xl/styles.xml", write_styles())
        if layout.with_records:
            with archive.open(describe_member(RECORDS_PART), "w", force_zip64=True) as stream:
                stream.write(f'{XML_DECLARATION}<pivotCacheRecords xmlns="{MAIN_NS}">'.encode())
                count = stream_records(stream.write, layout, records, stats, views)
                stream.write(b"</pivotCacheRecords>")
            records_target = layout.target(RECORDS_PART, "pivotCacheRecords1.xml")
            put(
                "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels",
                write_rels([("rId1", "pivotCacheRecords", records_target)]),
            )
        else:
            count = stream_records(None, layout, records, stats, views)
        put(DEFINITION_PART, write_definition(layout, stats, count))
        definition_target = layout.target(
            DEFINITION_PART, "../pivotCache/pivotCacheDefinition1.xml"
        )
        for number, view in enumerate(views, start=1):
            table_part = f"xl/pivotTables/pivotTable{number}.xml"
            put(table_part, write_table(layout, stats, view, number))
            put(
                f"xl/pivotTables/_rels/pivotTable{number}.xml.rels",
                write_rels([("rId1", "pivotCacheDefinition", definition_target)]),
            )
            put(f"xl/worksheets/sheet{number}.xml", write_sheet(layout, stats, view))
            table_target = layout.target(table_part, f"../pivotTables/pivotTable{number}.xml")
            put(
                f"xl/worksheets/_rels/sheet{number}.xml.rels",
                write_rels([("rId1", "pivotTable", table_target)]),
            )
    return count


def stream_records(
    write: Callable[[bytes], object] | None,
    layout: Layout,
    records: Iterable[Sequence[object]],
    stats: list[FieldStats],
    views: list[TableView],
) -> int:
    """Write the records in batches (when `write` is given) and gather shared items and sums."""
    shared = [spec.shared for spec in layout.fields]
    summed = [(i, spec.name) for i, spec in enumerate(layout.fields) if not spec.shared]
    text = layout.text
    page_stats = stats[layout.page_field] if layout.page_field is not None else None
    batch: list[str] = []
    count = 0
    for count, record in enumerate(records, start=1):
        if len(record) != len(shared):
            raise ValueError(f"record {count}: {len(record)} values for {len(shared)} fields")
        cells = ["<r>"]
        for column, value in enumerate(record):
            if shared[column]:
                item = text(value) if isinstance(value, str) else value
                cells.append(f'<x v="{stats[column].index_of(item)}"/>')
            else:
                stats[column].note(value)
                cells.append(encode_item(value, text))
        cells.append("</r>")
        if write is not None:
            batch.append("".join(cells))
            if len(batch) >= RECORD_BATCH:
                write("".join(batch).encode())
                batch.clear()
        add_to_views(layout, record, page_stats, views, summed)
    if write is not None and batch:
        write("".join(batch).encode())
    return count


def add_to_views(
    layout: Layout,
    record: Sequence[object],
    page_stats: FieldStats | None,
    views: list[TableView],
    summed: list[tuple[int, str]],
) -> None:
    for number, view in enumerate(views):
        if page_stats is not None:
            if view.page_item is UNSET and len(page_stats.shared_values) > number:
                view.page_item = page_stats.shared_values[number]
            page_value = record[layout.page_field]
            if isinstance(page_value, str):
                page_value = layout.text(page_value)
            if view.page_item is UNSET or identify_item(page_value) != identify_item(
                view.page_item
            ):
                continue
        row_value = record[layout.row_field]
        if isinstance(row_value, str):
            row_value = layout.text(row_value)
        sums = view.sums.setdefault(identify_item(row_value), {})
        for column, name in summed:
            value = record[column]
            if is_number(value) and not math.isnan(value):
                sums[name] = sums.get(name, 0.0) + float(value)


def write_rels(relationships: Sequence[tuple[str, str, str]]) -> str:
    """A rels part; a type without a slash is one of the officeDocument relationship types."""
    lines = [f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">']
    for rel_id, rel_type, target in relationships:
        full_type = rel_type if "/" in rel_type else f"{REL_NS}/{rel_type}"
        lines.append(f'<Relationship Id="{rel_id}" Type="{full_type}" Target="{target}"/>')
    lines.append("</Relationships>")
    return "".join(lines)


def write_content_types(layout: Layout) -> str:
    overrides = [
        ("/xl/workbook.xml", "sheet.main+xml"),
        ("/xl/styles.xml", "styles+xml"),
        (f"/{DEFINITION_PART}", "pivotCacheDefinition+xml"),
    ]
    if layout.with_records:
        overrides.append((f"/{RECORDS_PART}", "pivotCacheRecords+xml"))
    for number in range(1, len(layout.sheet_names) + 1):
        overrides.append((f"/xl/worksheets/sheet{number}.xml", "worksheet+xml"))
        overrides.append((f"/xl/pivotTables/pivotTable{number}.xml", "pivotTable+xml"))
    return (
        f'{XML_DECLARATION}<Types xmlns="{CONTENT_TYPES_NS}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="{part}" ContentType="{SPREADSHEET_TYPE}.{kind}"/>'
            for part, kind in overrides
        )
        + "</Types>"
    )


def write_workbook(layout: Layout) -> str:
    sheets = "".join(
        f'<sheet name="{escape_attribute(name)}" sheetId="{number}" r:id="rId{number}"/>'
        for number, name in enumerate(layout.sheet_names, start=1)
    )
    cache_rel = len(layout.sheet_names) + 2
    return (
        f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"<workbookPr/><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>"
        f'<pivotCaches><pivotCache cacheId="{layout.cache_id}" r:id="rId{cache_rel}"/>'
        "</pivotCaches></workbook>"
    )


def write_workbook_rels(layout: Layout) -> str:
    count = len(layout.sheet_names)
    relationships = [
        (
            f"rId{number}",
            "worksheet",
            layout.target(f"xl/worksheets/sheet{number}.xml", f"worksheets/sheet{number}.xml"),
        )
        for number in range(1, count + 1)
    ]
    relationships.append(
        (f"rId{count + 1}", "styles", layout.target("xl/styles.xml", "styles.xml"))
    )
    relationships.append(
        (
            f"rId{count + 2}",
            "pivotCacheDefinition",
            layout.target(DEFINITION_PART, "pivotCache/pivotCacheDefinition1.xml"),
        )
    )
    return write_rels(relationships)


def write_styles() -> str:
    return (
        f'{XML_DECLARATION}<styleSheet xmlns="{MAIN_NS}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        f'<xf numFmtId="{PERCENT_FORMAT}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def write_definition(layout: Layout, stats: list[FieldStats], count: int) -> str:
    text = layout.text
    parts = [
        f'{XML_DECLARATION}<pivotCacheDefinition xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"',
        ' r:id="rId1"' if layout.with_records else ' saveData="0"',
        ' refreshedBy="Arbetsförmedlingen" refreshedDate="46000.5" createdVersion="6"'
        f' refreshedVersion="6" minRefreshableVersion="3" recordCount="{count}">',
        '<cacheSource type="worksheet">'
        f'<worksheetSource ref="A1:{name_column(len(layout.fields) - 1)}{count + 1}"'
        ' sheet="Data"/></cacheSource>',
        f'<cacheFields count="{len(layout.fields) + len(layout.calculated)}">',
    ]
    for spec, field_stats in zip(layout.fields, stats, strict=True):
        parts.append(f'<cacheField name="{escape_attribute(text(spec.name))}" numFmtId="0">')
        if spec.shared:
            items = "".join(encode_item(value, text) for value in field_stats.shared_values)
            parts.append(
                f'<sharedItems{field_stats.describe()} count="{len(field_stats.shared_values)}">'
                f"{items}</sharedItems>"
            )
        else:
            parts.append(f"<sharedItems{field_stats.describe()}/>")
        parts.append("</cacheField>")
    for name, formula in layout.calculated:
        parts.append(
            f'<cacheField name="{escape_attribute(text(name))}" numFmtId="0"'
            f' formula="{escape_attribute(text(formula))}" databaseField="0"/>'
        )
    parts.append("</cacheFields></pivotCacheDefinition>")
    return "".join(parts)


def list_rows(layout: Layout, stats: list[FieldStats], view: TableView) -> list[int]:
    """The row field's items that the table shows: those with records, in cache order."""
    values = stats[layout.row_field].shared_values
    return [index for index, value in enumerate(values) if identify_item(value) in view.sums]


def write_table(layout: Layout, stats: list[FieldStats], view: TableView, number: int) -> str:
    rows = list_rows(layout, stats, view)
    data = layout.data_fields()
    last_cell = f"{name_column(len(data))}{4 + len(rows)}"
    page_count = 1 if layout.page_field is not None else 0
    pivot_fields = []
    for index, spec in enumerate(layout.fields):
        if index in (layout.row_field, layout.page_field):
            axis = "axisRow" if index == layout.row_field else "axisPage"
            item_count = len(stats[index].shared_values)
            items = "".join(f'<item x="{item}"/>' for item in range(item_count))
            pivot_fields.append(
                f'<pivotField axis="{axis}" showAll="0"><items count="{item_count + 1}">'
                f'{items}<item t="default"/></items></pivotField>'
            )
        elif not layout.calculated and not spec.shared:
            pivot_fields.append('<pivotField dataField="1" showAll="0"/>')
        else:
            pivot_fields.append('<pivotField showAll="0"/>')
    pivot_fields.extend(
        '<pivotField dataField="1" dragToRow="0" dragToCol="0" dragToPage="0" showAll="0"'
        ' defaultSubtotal="0"/>'
        for _ in layout.calculated
    )
    row_items = "".join(f'<i><x v="{item}"/></i>' if item else "<i><x/></i>" for item in rows)
    parts = [
        f'{XML_DECLARATION}<pivotTableDefinition xmlns="{MAIN_NS}" name="Pivottabell{number}"'
        f' cacheId="{layout.cache_id}" dataCaption="Värden"'
        f' rowHeaderCaption="{escape_attribute(layout.text(layout.fields[layout.row_field].name))}"'
        ' updatedVersion="6" minRefreshableVersion="3" useAutoFormatting="1" itemPrintTitles="1"'
        ' createdVersion="6" indent="0" outline="1" outlineData="1">',
        f'<location ref="A3:{last_cell}" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"'
        + (' rowPageCount="1" colPageCount="1"/>' if page_count else "/>"),
        f'<pivotFields count="{len(pivot_fields)}">{"".join(pivot_fields)}</pivotFields>',
        f'<rowFields count="1"><field x="{layout.row_field}"/></rowFields>',
        f'<rowItems count="{len(rows) + 1}">{row_items}<i t="grand"><x/></i></rowItems>',
    ]
    if len(data) > 1:
        col_items = "".join(
            f'<i i="{k}"><x v="{k}"/></i>' if k else "<i><x/></i>" for k in range(len(data))
        )
        parts.append('<colFields count="1"><field x="-2"/></colFields>')
        parts.append(f'<colItems count="{len(data)}">{col_items}</colItems>')
    else:
        parts.append('<colItems count="1"><i/></colItems>')
    if layout.page_field is not None:
        page_stats = stats[layout.page_field]
        item = (
            0 if view.page_item is UNSET else page_stats.items.get(identify_item(view.page_item), 0)
        )
        parts.append(
            f'<pageFields count="1"><pageField fld="{layout.page_field}" item="{item}"'
            ' hier="-1"/></pageFields>'
        )
    number_format = f' numFmtId="{PERCENT_FORMAT}"' if layout.calculated else ""
    data_fields = "".join(
        # Excel refuses a data field named like a cache field; a trailing space is the usual way.
        f'<dataField name="{escape_attribute(layout.text(name))} " fld="{index}" baseField="0"'
        f' baseItem="0"{number_format}/>'
        for index, name in data
    )
    parts.append(f'<dataFields count="{len(data)}">{data_fields}</dataFields>')
    parts.append(
        '<pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" showColHeaders="1"'
        ' showRowStripes="0" showColStripes="0" showLastColumn="1"/></pivotTableDefinition>'
    )
    return "".join(parts)


def render_cell(reference: str, value: object, style: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape_text(value)}</t></is></c>'
    return f'<c r="{reference}" s="{style}"><v>{format_number(value)}</v></c>'


def render_value(layout: Layout, sums: dict[str, float], reference: str, name: str) -> str:
    """One data cell: the calculated field's share (or #DIV/0!), else the field's sum."""
    formulas = dict(layout.calculated)
    if name not in formulas:
        return render_cell(reference, sums.get(name, 0.0))
    try:
        share = evaluate_formula(formulas[name], sums)
    except ZeroDivisionError:
        return f'<c r="{reference}" t="e"><v>#DIV/0!</v></c>'
    return render_cell(reference, share, PERCENT_STYLE)


def render_label(value: object) -> object:
    if is_missing(value):
        return "(tom)"
    if isinstance(value, bool | date):
        return str(value)
    return value


def write_sheet(layout: Layout, stats: list[FieldStats], view: TableView) -> str:
    """The table as AF's file shows it: the page filter, a header, one row per row item."""
    text = layout.text
    data = layout.data_fields()
    rows = []
    if layout.page_field is not None:
        page_item = None if view.page_item is UNSET else view.page_item
        page_name = text(layout.fields[layout.page_field].name)
        label = render_label(page_item)
        rows.append(
            f'<row r="1">{render_cell("A1", page_name)}'
            f"{render_cell('B1', text(label) if isinstance(label, str) else label)}</row>"
        )
    header = [render_cell("A3", text(layout.fields[layout.row_field].name))]
    header += [
        render_cell(f"{name_column(k)}3", text(name) + " ") for k, (_, name) in enumerate(data, 1)
    ]
    rows.append(f'<row r="3">{"".join(header)}</row>')
    values = stats[layout.row_field].shared_values
    total: dict[str, float] = {}
    line = 4
    for index in list_rows(layout, stats, view):
        sums = view.sums[identify_item(values[index])]
        for name, value in sums.items():
            total[name] = total.get(name, 0.0) + value
        label = render_label(values[index])
        cells = [render_cell(f"A{line}", text(label) if isinstance(label, str) else label)]
        cells += [
            render_value(layout, sums, f"{name_column(k)}{line}", name)
            for k, (_, name) in enumerate(data, 1)
        ]
        rows.append(f'<row r="{line}">{"".join(cells)}</row>')
        line += 1
    cells = [render_cell(f"A{line}", "Totalsumma")]
    cells += [
        render_value(layout, total, f"{name_column(k)}{line}", name)
        for k, (_, name) in enumerate(data, 1)
    ]
    rows.append(f'<row r="{line}">{"".join(cells)}</row>')
    return (
        f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<dimension ref="A1:{name_column(len(data))}{line}"/>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def write_af_andel_workbook(
    target: Path | BinaryIO, records: Iterable[Sequence[object]], **options: Any
) -> int:
    """An "andel" workbook as AF publishes it: AF_ANDEL_FIELDS and AF_CALCULATED, the visible
    table by PERIOD filtered to one KOM; `options` as write_pivot_workbook takes them."""
    options = {"row_field": "PERIOD", "page_field": "KOM", **options}
    return write_pivot_workbook(
        target, AF_ANDEL_FIELDS, records, calculated=AF_CALCULATED, **options
    )


# The 48 cells every count is a sum of: sex x birth region x age band x education level.
SEXES = ("K", "M")
ORIGINS = ("INR", "UTR")
AGES = ("UNG", "MID", "GAM")
EDUCATIONS = ("FG", "GY", "EG", "UNKNOWN")
LEAVES = [
    (sex, origin, age, education)
    for sex in range(2)
    for origin in range(2)
    for age in range(3)
    for education in range(4)
]
SEX_SHARE = np.array([0.48, 0.52])
AGE_SHARE = np.array([0.11, 0.67, 0.22])
EDUCATION_SHARE = np.array([0.12, 0.43, 0.42, 0.03])
SEX_RATE = np.array([0.95, 1.05])
ORIGIN_RATE = np.array([0.7, 2.4])
AGE_RATE = np.array([1.5, 0.95, 0.85])
EDUCATION_RATE = np.array([2.5, 0.9, 0.6, 2.0])
# Residues mod 100 sharing no factor with 100: a sum of n such cents is whole only if 100 | n,
# and no group has 100 cells, so every BAS average keeps a fraction.
COPRIME_CENTS = np.array([cents for cents in range(1, 100) if math.gcd(cents, 100) == 1])


# Group code -> the cells it covers, as {axis of LEAVES: value}; a K or M suffix adds the sex.
GROUP_BASES: dict[str, dict[int, int]] = {
    "TOT": {},
    "KVI": {0: 0},
    "MAN": {0: 1},
    "UNG": {2: 0},
    "GAM": {2: 2},
    "INR": {1: 0},
    "UTR": {1: 1},
    "FG": {3: 0},
    "GY": {3: 1},
    "EG": {3: 2},
}


def select_leaves(group: str) -> np.ndarray:
    """Which of the 48 cells a count group (TOT, KVI, UNGK, FGM, ...) adds up."""
    if group in GROUP_BASES:
        wanted = GROUP_BASES[group]
    else:
        wanted = {**GROUP_BASES[group[:-1]], 0: SEXES.index(group[-1])}
    return np.array([all(leaf[axis] == value for axis, value in wanted.items()) for leaf in LEAVES])


GROUP_MATRIX = np.stack([select_leaves(group) for group in AF_COUNT_GROUPS], axis=1).astype(int)


def parse_month(month: str) -> float:
    year, number = month.split("-")
    return int(year) + (int(number) - 1) / 12


def scale_economy(moment: float) -> float:
    """Unemployment relative to normal: the 2009 crisis, the 2020 pandemic, winter highs."""
    crisis = 0.35 * math.exp(-(((moment - 2009.9) / 0.9) ** 2))
    pandemic = 0.25 * math.exp(-(((moment - 2020.7) / 0.6) ** 2))
    season = 0.06 * math.cos(2 * math.pi * (moment % 1 - 1 / 12))
    return 1 + crisis + pandemic + season


def generate_af_andel_records(
    kommuner: Sequence[tuple[str, str]],
    months: Sequence[str],
    *,
    bas: bool,
    seed: int,
    missing_rate: float = 0.0,
) -> Iterator[tuple[object, ...]]:
    """Deterministic, plausible records for AF_ANDEL_FIELDS: month by month, kommun by kommun.

    Every count is the sum of its cells in a sex x birth region x age x education grid, so the
    groups agree (KVI+MAN = TOT, INR+UTR = TOT, INRK+UTRK = KVI, FG+GY+EG <= TOT) and each
    cell's labour force exceeds its unemployed (>= 1): AK > SOK > 0 in every group. With `bas`
    the AK are averages with two decimals, never whole. A kommun named "Uppgift saknas" gets a
    few unemployed and no labour force (AK missing). `missing_rate` blanks that share of counts
    at random, drawn apart from the counts so the other cells stay the same.
    """
    rng = np.random.default_rng(seed)
    blanks = np.random.default_rng([seed, 1])
    size = len(kommuner)
    labour_force = np.clip(rng.lognormal(math.log(9_000), 0.9, size), 1_500, 700_000)
    base_rate = rng.uniform(0.025, 0.09, size)
    foreign_share = rng.uniform(0.08, 0.35, size)
    residual = np.array([kommun == AF_UNKNOWN for _, kommun in kommuner])
    sex, origin, age, education = (np.array(values) for values in zip(*LEAVES, strict=True))
    leaf_share = SEX_SHARE[sex] * AGE_SHARE[age] * EDUCATION_SHARE[education]
    foreign = foreign_share[:, None]
    origin_share = np.where(origin[None, :] == 1, foreign, 1 - foreign)
    leaf_labour = labour_force[:, None] * leaf_share[None, :] * origin_share
    leaf_rate = SEX_RATE[sex] * ORIGIN_RATE[origin] * AGE_RATE[age] * EDUCATION_RATE[education]
    for month in months:
        moment = parse_month(month)
        labour = leaf_labour * (1 + 0.004 * (moment - 2008))
        noise = rng.lognormal(0, 0.05, (size, 1)) * rng.lognormal(0, 0.08, (size, len(LEAVES)))
        rate = np.minimum(base_rate[:, None] * leaf_rate * scale_economy(moment) * noise, 0.6)
        unemployed = np.maximum(1, np.rint(labour * rate)).astype(np.int64)
        unemployed[residual] = rng.poisson(0.4, (int(residual.sum()), len(LEAVES)))
        employed = np.maximum(unemployed + 1, np.rint(labour)).astype(np.int64)
        counts = np.empty((size, 2 * len(AF_COUNT_GROUPS)), dtype=object)
        counts[:, 0::2] = (unemployed @ GROUP_MATRIX).astype(object)
        if bas:
            cents = rng.choice(COPRIME_CENTS, (size, 1))
            counts[:, 1::2] = ((employed * 100 + cents) @ GROUP_MATRIX / 100).astype(object)
        else:
            counts[:, 1::2] = (employed @ GROUP_MATRIX).astype(object)
        counts[residual, 1::2] = None
        if missing_rate:
            counts[blanks.random(counts.shape) < missing_rate] = None
        for (county, kommun), row in zip(kommuner, counts.tolist(), strict=True):
            yield (month, county, kommun, *row)
