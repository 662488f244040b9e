"""Pivot caches: the reader gives back exactly what the writer wrote; broken parts name the spot."""

import io
import math
import re
import struct
import threading
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bench.af_workbook import (
    AF_ANDEL_FIELDS,
    AF_CALCULATED,
    AF_COUNT_GROUPS,
    AF_UNKNOWN,
    DEFINITION_PART,
    RECORDS_PART,
    FieldSpec,
    generate_af_andel_records,
    write_af_andel_workbook,
    write_pivot_workbook,
)
from bench.generate_af_workbook import REGIONS_CSV, list_months, main, read_kommuner
from etl import pivot_cache
from etl.pivot_cache import PivotCacheError, list_pivot_caches, read_records, resolve_target

KOMMUNER = [
    ("Stockholms län", "Södertälje"),
    ("Stockholms län", "Botkyrka"),
    ("Stockholms län", AF_UNKNOWN),
    ("Skåne län", "Malmö"),
    (AF_UNKNOWN, AF_UNKNOWN),
]
MONTHS = ["2024-10", "2024-11", "2024-12"]
MIXED_FIELDS = (
    FieldSpec("REGION", shared=True),
    FieldSpec("YEAR", shared=True),
    FieldSpec("COUNT"),
    FieldSpec("NOTE"),
    FieldSpec("FLAG"),
    FieldSpec("TIME"),
)
MIXED_RECORDS = [
    ("Malmö", 2024, 5, "<5", True, 3.25),
    ("Lund", 2025, None, "a & b", False, "<5"),
    ("Malmö", None, 12.5, None, None, None),
    ("Ystad", 2024, -3, 'say "hi"', True, 7),
]
NAMES = [spec.name for spec in AF_ANDEL_FIELDS]


def generate(bas: bool = False, missing_rate: float = 0.0, seed: int = 7) -> list[tuple]:
    return list(
        generate_af_andel_records(KOMMUNER, MONTHS, bas=bas, seed=seed, missing_rate=missing_rate)
    )


def write_af(tmp_path: Path, records: Sequence[tuple], **options: object) -> Path:
    path = tmp_path / "andel.xlsx"
    write_af_andel_workbook(path, records, **options)
    return path


def write_mixed(tmp_path: Path, **options: object) -> Path:
    path = tmp_path / "mixed.xlsx"
    write_pivot_workbook(path, MIXED_FIELDS, MIXED_RECORDS, **options)
    return path


def rewrite_part(path: Path, part: str, change: Callable[[bytes], bytes] | None) -> Path:
    """A copy of the workbook with one part changed, or left out when `change` is None."""
    changed = path.with_name(f"changed-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                if change is None:
                    continue
                data = change(data)
            target.writestr(info, data)
    return changed


def add_comments(data: bytes) -> bytes:
    """The records with a comment between each two: valid XML that only expat reads."""
    return data.replace(b"</r><r>", b"</r><!-- next --><r>")


def refuse_slow_path(*args: object) -> None:
    raise AssertionError("the compact records should not need expat")


def read_only_cache(path: Path) -> pd.DataFrame:
    with zipfile.ZipFile(path) as archive:
        (cache,) = list_pivot_caches(archive)
        return read_records(archive, cache)


def expect_frame(fields: Sequence[FieldSpec], records: Sequence[Sequence[object]]) -> pd.DataFrame:
    """What the reader should give for these records: numbers as floats, None kept in objects."""
    columns = {}
    for index, spec in enumerate(fields):
        values = [record[index] for record in records]
        numeric = all(
            value is None or (isinstance(value, int | float) and not isinstance(value, bool))
            for value in values
        )
        if numeric:
            columns[spec.name] = pd.Series(
                [np.nan if value is None else float(value) for value in values], dtype=float
            )
        else:
            columns[spec.name] = pd.Series(
                [
                    float(value)
                    if isinstance(value, int | float) and not isinstance(value, bool)
                    else value
                    for value in values
                ],
                dtype=object,
            )
    return pd.DataFrame(columns)


def find_nth(data: bytes, needle: bytes, number: int) -> int:
    """Where the number-th (from 1) occurrence of needle starts."""
    return [match.start() for match in re.finditer(re.escape(needle), data)][number - 1]


def break_record(number: int, edit: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Edit the text of one record (counted from 1) of a records part."""

    def change(data: bytes) -> bytes:
        start = find_nth(data, b"<r>", number)
        end = data.index(b"</r>", start) + 4
        return data[:start] + edit(data[start:end]) + data[end:]

    return change


def test_the_error_says_where_and_what():
    error = PivotCacheError("xl/pivotCache/pivotCacheRecords1.xml, record 3", "bad index")
    assert (error.location, error.detail) == (
        "xl/pivotCache/pivotCacheRecords1.xml, record 3",
        "bad index",
    )
    assert str(error) == "xl/pivotCache/pivotCacheRecords1.xml, record 3: bad index"


def test_the_definition_lists_every_field_with_its_items(tmp_path):
    records = generate()
    with zipfile.ZipFile(write_af(tmp_path, records)) as archive:
        (cache,) = list_pivot_caches(archive)
    assert (cache.definition_part, cache.records_part, cache.record_count) == (
        DEFINITION_PART,
        RECORDS_PART,
        len(KOMMUNER) * len(MONTHS),
    )
    assert [f.name for f in cache.fields] == NAMES + [name for name, _ in AF_CALCULATED]
    assert [f.name for f in cache.database_fields] == NAMES
    by_name = {f.name: f for f in cache.fields}
    assert by_name["PERIOD"].shared_items == tuple(MONTHS)
    assert by_name["LAN"].shared_items == ("Stockholms län", "Skåne län", AF_UNKNOWN)
    assert by_name["KOM"].shared_items == ("Södertälje", "Botkyrka", AF_UNKNOWN, "Malmö")
    assert by_name["TOTSOK"].shared_items == ()


@pytest.mark.parametrize(
    ("name", "formula"),
    [
        ("Totalt", "TOTSOK/TOTAK"),
        ("Kvinnor", "KVISOK/KVIAK"),
        ("Unga 18-24", "UNGSOK/UNGAK"),
        ("Inrikes kvinnor", "INRKSOK/INRKAK"),
        ("Fg KVI", "FGKSOK/FGKAK"),
        ("Eg MAN", "EGMSOK/EGMAK"),
    ],
)
def test_calculated_fields_are_metadata_not_columns(tmp_path, name, formula):
    path = write_af(tmp_path, generate())
    with zipfile.ZipFile(path) as archive:
        (cache,) = list_pivot_caches(archive)
        frame = read_records(archive, cache)
    calculated = {f.name: f for f in cache.fields if f.is_calculated}
    assert calculated[name].formula == formula
    assert calculated[name].shared_items == ()
    assert calculated[name] not in cache.database_fields
    assert name not in frame.columns
    assert list(frame.columns) == NAMES


@pytest.mark.parametrize(
    ("fields", "records"),
    [
        (AF_ANDEL_FIELDS, generate(bas=False)),
        (AF_ANDEL_FIELDS, generate(bas=True)),
        (AF_ANDEL_FIELDS, generate(bas=True, missing_rate=0.2)),
        (MIXED_FIELDS, MIXED_RECORDS),
    ],
    ids=["reg", "bas", "bas-with-missing", "mixed-types"],
)
@pytest.mark.parametrize("form", [None, add_comments], ids=["compact", "commented"])
def test_every_record_comes_back_as_written(tmp_path, monkeypatch, fields, records, form):
    path = tmp_path / "cache.xlsx"
    write_pivot_workbook(path, fields, records)
    if form:
        path = rewrite_part(path, RECORDS_PART, form)
    else:
        monkeypatch.setattr(pivot_cache, "read_with_expat", refuse_slow_path)
    pd.testing.assert_frame_equal(read_only_cache(path), expect_frame(fields, records))


@pytest.mark.parametrize(
    ("column", "dtype", "values"),
    [
        ("REGION", object, ["Malmö", "Lund", "Malmö", "Ystad"]),
        ("YEAR", np.float64, [2024.0, 2025.0, np.nan, 2024.0]),
        ("COUNT", np.float64, [5.0, np.nan, 12.5, -3.0]),
        ("NOTE", object, ["<5", "a & b", None, 'say "hi"']),
        ("FLAG", object, [True, False, None, True]),
        ("TIME", object, [3.25, "<5", None, 7.0]),
    ],
)
def test_a_column_is_float_only_when_every_value_is_a_number(tmp_path, column, dtype, values):
    frame = read_only_cache(write_mixed(tmp_path))
    expected = pd.Series(values, dtype=dtype, name=column)
    pd.testing.assert_series_equal(frame[column], expected)


@pytest.mark.parametrize(
    "text",
    ["<5", "a & b", 'say "hi"', "'single'", "tab\there", "line\nbreak", "  spaced  ", "Malmö"],
)
@pytest.mark.parametrize("form", [None, add_comments], ids=["compact", "commented"])
def test_text_survives_escaping(tmp_path, monkeypatch, text, form):
    fields = (FieldSpec("KEY", shared=True), FieldSpec("SHARED", shared=True), FieldSpec("INLINE"))
    path = tmp_path / "text.xlsx"
    write_pivot_workbook(path, fields, [("a", text, text), ("b", "plain", 1)])
    if form:
        path = rewrite_part(path, RECORDS_PART, form)
    else:
        monkeypatch.setattr(pivot_cache, "read_with_expat", refuse_slow_path)
    frame = read_only_cache(path)
    assert frame["SHARED"].tolist() == [text, "plain"]
    assert frame["INLINE"].tolist() == [text, 1.0]


def test_dates_come_back_as_their_iso_text(tmp_path):
    fields = (FieldSpec("KEY", shared=True), FieldSpec("DAY"), FieldSpec("STAMP", shared=True))
    path = tmp_path / "dates.xlsx"
    write_pivot_workbook(path, fields, [("a", date(2024, 1, 31), datetime(2024, 2, 1, 12, 30))])
    frame = read_only_cache(path)
    assert frame.loc[0, "DAY"] == "2024-01-31T00:00:00"
    assert frame.loc[0, "STAMP"] == "2024-02-01T12:30:00"


def test_the_lt_entity_is_read_as_less_than(tmp_path):
    path = write_mixed(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert b'<s v="&lt;5"/>' in archive.read(RECORDS_PART)
    assert read_only_cache(path).loc[0, "NOTE"] == "<5"


def test_nfd_names_come_back_exactly_as_written(tmp_path):
    records = generate()
    path = write_af(tmp_path, records, normalization="NFD")
    with zipfile.ZipFile(path) as archive:
        (cache,) = list_pivot_caches(archive)
        frame = read_records(archive, cache)
    nfd = [unicodedata.normalize("NFD", kommun) for _, kommun in KOMMUNER[:4]]
    assert cache.fields[2].shared_items == tuple(nfd)
    assert nfd[0] != "Södertälje"
    assert frame["KOM"].tolist() == [unicodedata.normalize("NFD", r[2]) for r in records]
    assert cache.fields[len(NAMES) + 2].name == unicodedata.normalize("NFD", "Män")


@pytest.mark.parametrize(
    "options",
    [{"second_table": True}, {"absolute_targets": True}, {"second_table": True, "cache_id": 1}],
    ids=["two-tables", "absolute-targets", "cache-id-1"],
)
def test_one_cache_however_it_is_reached(tmp_path, options):
    records = generate()
    path = write_af(tmp_path, records, **options)
    with zipfile.ZipFile(path) as archive:
        caches = list_pivot_caches(archive)
    assert [(c.definition_part, c.records_part) for c in caches] == [
        (DEFINITION_PART, RECORDS_PART)
    ]
    pd.testing.assert_frame_equal(read_only_cache(path), expect_frame(AF_ANDEL_FIELDS, records))


def test_a_cache_reached_only_from_a_pivot_table_is_listed(tmp_path):
    path = write_af(tmp_path, generate(), second_table=True)

    def drop_pivot_caches(data: bytes) -> bytes:
        return re.sub(rb"<pivotCaches>.*</pivotCaches>", b"", data)

    changed = rewrite_part(path, "xl/workbook.xml", drop_pivot_caches)
    with zipfile.ZipFile(changed) as archive:
        assert b"pivotCache" not in archive.read("xl/workbook.xml")
        caches = list_pivot_caches(archive)
    assert [c.definition_part for c in caches] == [DEFINITION_PART]


def test_a_workbook_without_pivot_tables_has_no_caches(tmp_path):
    path = tmp_path / "plain.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["PERIOD", "Totalt"])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        assert list_pivot_caches(archive) == []


def test_a_cache_without_records_reads_as_an_empty_frame(tmp_path):
    path = tmp_path / "empty.xlsx"
    write_pivot_workbook(path, MIXED_FIELDS, [])
    frame = read_only_cache(path)
    assert list(frame.columns) == [spec.name for spec in MIXED_FIELDS]
    assert len(frame) == 0


@pytest.mark.parametrize(
    ("rewrite", "fast"),
    [
        (lambda data: data.replace(b"><", b">\n  <"), True),
        (lambda data: data.replace(b"<r>", b"\r\n<r>"), True),
        (lambda data: data.replace(b'v="', b"v='").replace(b'"/>', b"'/>"), False),
        (
            lambda data: (
                data.replace(b"<r>", b"<p:r>")
                .replace(b"</r>", b"</p:r>")
                .replace(b"<pivotCacheRecords ", b'<pivotCacheRecords xmlns:p="urn:p" ')
            ),
            False,
        ),
        (lambda data: data.replace(b'"/>', b'" u="1"/>'), False),
        (add_comments, False),
        (lambda data: data.replace(b"<m/>", b"<m></m>").replace(b'"/>', b'" />'), False),
        (
            lambda data: data.replace(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE pivotCacheRecords>',
            ),
            False,
        ),
    ],
    ids=[
        "indented",
        "crlf-between-records",
        "single-quotes",
        "prefixed",
        "extra-attribute",
        "comments",
        "long-forms",
        "doctype",
    ],
)
def test_other_valid_forms_of_the_records_read_the_same(tmp_path, monkeypatch, rewrite, fast):
    """Whitespace between elements stays on the fast path; other forms go to expat."""
    records = generate(bas=True, missing_rate=0.1)
    path = write_af(tmp_path, records)
    with zipfile.ZipFile(path) as archive:
        original = archive.read(RECORDS_PART)
    assert rewrite(original) != original
    changed = rewrite_part(path, RECORDS_PART, rewrite)
    if fast:
        monkeypatch.setattr(pivot_cache, "read_with_expat", refuse_slow_path)
    pd.testing.assert_frame_equal(read_only_cache(changed), expect_frame(AF_ANDEL_FIELDS, records))


@pytest.mark.parametrize("form", [None, add_comments], ids=["compact", "commented"])
@pytest.mark.parametrize("block_bytes", [64, 1000, 4096])
def test_records_split_across_blocks_read_the_same(tmp_path, monkeypatch, block_bytes, form):
    records = generate(bas=True, missing_rate=0.1)
    path = write_af(tmp_path, records)
    if form:
        path = rewrite_part(path, RECORDS_PART, form)
    else:
        monkeypatch.setattr(pivot_cache, "read_with_expat", refuse_slow_path)
    monkeypatch.setattr(pivot_cache, "BLOCK_BYTES", block_bytes)
    pd.testing.assert_frame_equal(read_only_cache(path), expect_frame(AF_ANDEL_FIELDS, records))
    # The fast path gave up half-way through a commented part; its inflating thread is gone.
    assert [t.name for t in threading.enumerate() if t.name == "pivot-cache-inflate"] == []


@pytest.mark.parametrize(
    ("change", "location", "detail"),
    [
        (None, RECORDS_PART, "named by xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels but"),
        (lambda data: data[: len(data) // 2], f"{RECORDS_PART}, near record", "malformed XML"),
        (
            break_record(3, lambda record: record.replace(b"<x", b"<<x", 1)),
            f"{RECORDS_PART}, near record 3",
            "malformed XML: not well-formed",
        ),
        (
            lambda data: data.replace(b"</pivotCacheRecords>", b""),
            f"{RECORDS_PART}, near record 15",
            "malformed XML: no element found",
        ),
        (
            break_record(2, lambda record: re.sub(rb"<n v=\"[^\"]*\"/>", b"", record, count=1)),
            f"{RECORDS_PART}, record 2",
            "50 values for 51 database fields",
        ),
        (
            break_record(4, lambda record: record.replace(b"</r>", b"<m/></r>")),
            f"{RECORDS_PART}, record 4",
            "more than 51 values for 51 database fields",
        ),
        (
            break_record(
                3, lambda record: re.sub(rb'<x v="\d+"/>', b'<x v="99"/>', record, count=1)
            ),
            f"{RECORDS_PART}, record 3",
            "field 'PERIOD': shared item index 99 is out of range (the field has 3 shared items)",
        ),
        (
            break_record(
                5, lambda record: re.sub(rb'<n v="\d+"/>', b'<n v="12,5"/>', record, count=1)
            ),
            f"{RECORDS_PART}, record 5",
            '<n v="12,5">: not a number',
        ),
        (
            break_record(2, lambda record: record.replace(b"<n ", b"<q ", 1)),
            f"{RECORDS_PART}, record 2",
            "<q> is not a value element",
        ),
    ],
    ids=[
        "records-part-absent",
        "truncated",
        "malformed",
        "unclosed-root",
        "child-missing",
        "child-extra",
        "index-out-of-range",
        "not-a-number",
        "unknown-element",
    ],
)
def test_broken_records_are_refused_naming_the_spot(tmp_path, change, location, detail):
    changed = rewrite_part(write_af(tmp_path, generate()), RECORDS_PART, change)
    with pytest.raises(PivotCacheError) as caught:
        read_only_cache(changed)
    assert caught.value.location.startswith(location)
    assert detail in caught.value.detail


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_damaged_records_part_is_refused_naming_it(tmp_path, where):
    path = write_af(tmp_path, generate())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(RECORDS_PART)
    data = bytearray(path.read_bytes())
    # The compressed bytes follow the local header, whose name and extra lengths are its own.
    name_length, extra_length = struct.unpack_from("<HH", data, member.header_offset + 26)
    start = member.header_offset + 30 + name_length + extra_length
    data[start + int(member.compress_size * where)] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(PivotCacheError) as caught:
        read_only_cache(path)
    assert caught.value.location == RECORDS_PART
    assert caught.value.detail.startswith("cannot be read from the archive")


def test_a_definition_saved_without_records_lists_but_does_not_read(tmp_path):
    path = write_af(tmp_path, generate(), omit_records_part=True)
    with zipfile.ZipFile(path) as archive:
        assert RECORDS_PART not in archive.namelist()
        (cache,) = list_pivot_caches(archive)
        assert (cache.records_part, cache.record_count) == (None, len(KOMMUNER) * len(MONTHS))
        assert [f.name for f in cache.database_fields] == NAMES
        with pytest.raises(PivotCacheError) as caught:
            read_records(archive, cache)
    assert caught.value.location == DEFINITION_PART
    assert "no records relationship" in caught.value.detail


@pytest.mark.parametrize(
    ("part", "change", "location", "detail"),
    [
        (
            DEFINITION_PART,
            None,
            DEFINITION_PART,
            "named by xl/_rels/workbook.xml.rels but absent from the archive",
        ),
        (
            DEFINITION_PART,
            lambda data: data.replace(b"</cacheFields>", b""),
            DEFINITION_PART,
            "malformed XML: mismatched tag",
        ),
        (
            DEFINITION_PART,
            lambda data: data.replace(b'<cacheField name="KOM"', b"<cacheField"),
            DEFINITION_PART,
            "cacheField 3 has no name",
        ),
        (
            "xl/workbook.xml",
            lambda data: data.replace(
                b'<pivotCache cacheId="4" r:id="rId3"', b'<pivotCache cacheId="4" r:id="rId9"'
            ),
            "xl/workbook.xml",
            "a pivotCache names relationship 'rId9', which xl/_rels/workbook.xml.rels does not",
        ),
    ],
    ids=["definition-absent", "definition-malformed", "field-without-name", "dangling-cache-id"],
)
def test_broken_definitions_are_refused_naming_the_part(tmp_path, part, change, location, detail):
    changed = rewrite_part(write_af(tmp_path, generate()), part, change)
    with zipfile.ZipFile(changed) as archive, pytest.raises(PivotCacheError) as caught:
        list_pivot_caches(archive)
    assert caught.value.location == location
    assert caught.value.detail.startswith(detail)


@pytest.mark.parametrize(
    ("source", "target", "part"),
    [
        (
            "xl/workbook.xml",
            "pivotCache/pivotCacheDefinition1.xml",
            "xl/pivotCache/pivotCacheDefinition1.xml",
        ),
        (
            "xl/pivotTables/pivotTable1.xml",
            "../pivotCache/pivotCacheDefinition2.xml",
            "xl/pivotCache/pivotCacheDefinition2.xml",
        ),
        (
            "xl/workbook.xml",
            "/xl/pivotCache/pivotCacheDefinition1.xml",
            "xl/pivotCache/pivotCacheDefinition1.xml",
        ),
        (
            "xl/pivotCache/pivotCacheDefinition1.xml",
            "pivotCacheRecords1.xml",
            "xl/pivotCache/pivotCacheRecords1.xml",
        ),
        ("xl/workbook.xml", "pivot%20cache/definition.xml", "xl/pivot cache/definition.xml"),
        ("", "xl/workbook.xml", "xl/workbook.xml"),
    ],
)
def test_relationship_targets_resolve_to_part_names(source, target, part):
    assert resolve_target(source, target) == part


def read_with_openpyxl(path: Path) -> tuple[list[str], list[list[object]]]:
    """The oracle: openpyxl's own reading of the first pivot table's cache."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        workbook = openpyxl.load_workbook(path)
    cache = workbook.worksheets[0]._pivots[0].cache
    names = [cache_field.name for cache_field in cache.cacheFields if cache_field.databaseField]
    items = [
        [getattr(item, "v", None) for item in cache_field.sharedItems._fields]
        if cache_field.sharedItems
        else []
        for cache_field in cache.cacheFields
    ]
    rows = []
    for record in cache.records.r:
        row = []
        for column, value in enumerate(record._fields):
            kind = type(value).__name__
            row.append(items[column][value.v] if kind == "Index" else getattr(value, "v", None))
        rows.append(row)
    return names, rows


@pytest.mark.parametrize(
    ("fields", "records", "calculated"),
    [
        (AF_ANDEL_FIELDS, generate(bas=True, missing_rate=0.1), AF_CALCULATED),
        (AF_ANDEL_FIELDS, generate(bas=False), AF_CALCULATED),
        (MIXED_FIELDS, MIXED_RECORDS, ()),
    ],
    ids=["bas", "reg", "mixed"],
)
def test_openpyxl_reads_the_same_fields_and_records(tmp_path, fields, records, calculated):
    path = tmp_path / "oracle.xlsx"
    write_pivot_workbook(path, fields, records, calculated=calculated)
    names, rows = read_with_openpyxl(path)
    frame = read_only_cache(path)
    assert names == list(frame.columns) == [spec.name for spec in fields]
    assert len(rows) == len(frame) == len(records)

    def same(value: object) -> object:
        if isinstance(value, float) and math.isnan(value):
            return None
        return value

    ours = [[same(value) for value in row] for row in frame.itertuples(index=False)]
    assert ours == [[same(value) for value in row] for row in rows]


def test_the_visible_sheet_shows_one_kommun_as_af_does(tmp_path):
    records = generate()
    path = write_af(tmp_path, records, second_table=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["andel", "andel (2)"]
    sheet = workbook["andel"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["KOM", "Södertälje"]
    assert rows[2][:4] == ["PERIOD", "Totalt ", "Kvinnor ", "Män "]
    assert [row[0] for row in rows[3:]] == [*MONTHS, "Totalsumma"]
    first = records[0]
    assert rows[3][1] == pytest.approx(first[NAMES.index("TOTSOK")] / first[NAMES.index("TOTAK")])
    assert sheet["B4"].number_format == "0.00%"
    assert workbook["andel (2)"]["B1"].value == "Botkyrka"


def test_records_stream_into_the_part_in_written_order(tmp_path):
    path = write_mixed(tmp_path)
    with zipfile.ZipFile(path) as archive:
        records_xml = archive.read(RECORDS_PART).decode()
        definition = archive.read(DEFINITION_PART).decode()
    assert records_xml.count("<r>") == len(MIXED_RECORDS)
    assert (
        '<r><x v="0"/><x v="0"/><n v="5"/><s v="&lt;5"/><b v="1"/><n v="3.25"/></r>' in records_xml
    )
    assert '<r><x v="0"/><x v="2"/><n v="12.5"/><m/><m/><m/></r>' in records_xml
    assert (
        '<cacheField name="YEAR" numFmtId="0"><sharedItems containsString="0" containsBlank="1"'
        ' containsNumber="1" containsInteger="1" minValue="2024" maxValue="2025" count="3">'
        '<n v="2024"/><n v="2025"/><m/></sharedItems></cacheField>'
    ) in definition


def gather_counts(records: Sequence[tuple], kind: str) -> dict[str, np.ndarray]:
    """Each count group's column of SOK or AK over the records, by group code."""
    return {
        group: np.array([record[NAMES.index(f"{group}{kind}")] for record in records], dtype=float)
        for group in AF_COUNT_GROUPS
    }


@pytest.mark.parametrize("kind", ["SOK", "AK"])
@pytest.mark.parametrize(
    ("whole", "parts"),
    [
        ("TOT", ["KVI", "MAN"]),
        ("TOT", ["INR", "UTR"]),
        ("KVI", ["INRK", "UTRK"]),
        ("MAN", ["INRM", "UTRM"]),
        ("UNG", ["UNGK", "UNGM"]),
        ("GAM", ["GAMK", "GAMM"]),
        ("FG", ["FGK", "FGM"]),
        ("EG", ["EGK", "EGM"]),
    ],
)
def test_generated_subgroups_add_up(kind, whole, parts):
    records = [r for r in generate(bas=True) if r[2] != AF_UNKNOWN]
    counts = gather_counts(records, kind)
    np.testing.assert_allclose(
        sum(counts[part] for part in parts), counts[whole], rtol=0, atol=1e-6
    )


@pytest.mark.parametrize("bas", [False, True])
def test_generated_counts_are_plausible(bas):
    records = generate(bas=bas)
    counted = [r for r in records if r[2] != AF_UNKNOWN]
    unemployed, labour = gather_counts(counted, "SOK"), gather_counts(counted, "AK")
    for group in AF_COUNT_GROUPS:
        assert (unemployed[group] > 0).all() and (labour[group] > unemployed[group]).all(), group
    education = unemployed["FG"] + unemployed["GY"] + unemployed["EG"]
    assert (education <= unemployed["TOT"]).all()
    share = unemployed["TOT"] / labour["TOT"]
    assert ((share > 0.01) & (share < 0.3)).all()
    whole = np.array([value == math.floor(value) for value in labour["TOT"]])
    assert (~whole).all() if bas else whole.all()
    assert all(round(value, 2) == value for value in labour["KVI"])
    residual = [r for r in records if r[2] == AF_UNKNOWN]
    assert len(residual) == 2 * len(MONTHS)
    assert all(r[NAMES.index("TOTAK")] is None for r in residual)


def test_generation_is_deterministic_and_follows_the_seed():
    assert generate(seed=3) == generate(seed=3)
    assert generate(seed=3) != generate(seed=4)
    missing = generate(missing_rate=0.3)
    assert sum(value is None for record in missing for value in record[3:]) > 0
    # The blanks are drawn apart: a present count keeps the value it has without blanks.
    for full, holed in zip(generate(), missing, strict=True):
        assert all(h is None or h == f for f, h in zip(full, holed, strict=True))


def test_the_writer_accepts_a_binary_stream():
    stream = io.BytesIO()
    count = write_pivot_workbook(stream, MIXED_FIELDS, iter(MIXED_RECORDS))
    assert count == len(MIXED_RECORDS)
    with zipfile.ZipFile(stream) as archive:
        (cache,) = list_pivot_caches(archive)
        assert read_records(archive, cache)["REGION"].tolist() == [
            "Malmö",
            "Lund",
            "Malmö",
            "Ystad",
        ]


@pytest.mark.parametrize(
    ("span", "count", "first", "last"),
    [
        ("2008-01:2026-08", 224, "2008-01", "2026-08"),
        ("2024-11:2025-02", 4, "2024-11", "2025-02"),
        ("2024-05:2024-05", 1, "2024-05", "2024-05"),
    ],
)
def test_the_bench_months_cover_the_span(span, count, first, last):
    months = list_months(span)
    assert (len(months), months[0], months[-1]) == (count, first, last)


def test_the_bench_covers_every_kommun_and_the_residual_rows():
    kommuner = read_kommuner(REGIONS_CSV)
    named = [(county, kommun) for county, kommun in kommuner if kommun != AF_UNKNOWN]
    assert len(named) == len({kommun for _, kommun in named}) == 290
    assert len({county for county, _ in named}) == 21
    residual = [county for county, kommun in kommuner if kommun == AF_UNKNOWN]
    assert residual[-1] == AF_UNKNOWN
    assert len(residual) == 6
    assert ("Stockholms län", "Södertälje") in named


def test_the_bench_workbook_and_csv_hold_the_same_records(tmp_path):
    workbook, csv_file = tmp_path / "af.xlsx", tmp_path / "af.csv"
    assert (
        main([str(workbook), "--bas", "--months", "2024-11:2024-12", "--csv", str(csv_file)]) == 0
    )
    frame = read_only_cache(workbook)
    text = pd.read_csv(csv_file, dtype={"PERIOD": object, "LAN": object, "KOM": object})
    assert len(frame) == 2 * 296
    assert frame["KOM"].tolist() == text["KOM"].tolist()
    np.testing.assert_array_equal(frame.iloc[:, 3:].to_numpy(), text.iloc[:, 3:].to_numpy(float))
