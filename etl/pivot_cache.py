"""Pivot caches of an xlsx workbook: their fields, and their records streamed into columns.

A records part is read in blocks. Excel writes it in one compact form (`<r><x v="0"/><n
v="1.5"/><m/>...</r>`, nothing between the elements); the fast path checks each block is in
that form and reads it with numpy. Anything else, from pretty-printing to malformed XML, is
read again from the start by expat, which also words the errors.
"""

import math
import posixpath
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import unquote
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np
import pandas as pd

DEFAULT_WORKBOOK = "xl/workbook.xml"
BLOCK_BYTES = 1 << 22  # read from the zip stream at a time; a block's records parse together
# A record is a few kB at most; a block this long without one's end is left to expat.
MAX_PENDING_BYTES = 1 << 26
MAX_PROLOGUE_BYTES = 1 << 20  # before the first record: a declaration and the root's tag
MAX_NUMBER_WIDTH = 24  # longer numeric texts are parsed one by one
PAD = bytes(32)  # so the block's checks may look a few bytes past either end
RECORD_FLUSH = 10_000  # records the expat path holds as Python objects before packing
# A definition's shared items are held whole (records are streamed): AF's list a few hundred
# months, counties and kommuner. This bounds what a definition may ask for before it is read.
MAX_DEFINITION_BYTES = 250_000_000

LT, GT, SLASH, QUOTE, EQUALS, SPACE = (ord(c) for c in '<>/"= ')
R, V = ord("r"), ord("v")
X, N, S, M, B, D, E = (ord(c) for c in "xnsmbde")
VALUE_TAGS = frozenset("xnsmbde")
IS_VALUE_TAG = np.zeros(256, dtype=bool)
IS_VALUE_TAG[[X, N, S, M, B, D, E]] = True
IS_WHITESPACE = np.zeros(256, dtype=bool)
IS_WHITESPACE[list(b" \t\r\n")] = True

ENCODING_DECLARATION = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);")
PREDEFINED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
NOT_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LINE_BREAK_OR_TAB = re.compile("\r\n|[\r\n\t]")
TRUE_TEXTS, FALSE_TEXTS = frozenset({"1", "true"}), frozenset({"0", "false"})

Item = str | float | bool | None


class PivotCacheError(Exception):
    """location: the part (and record number) it concerns; detail: what is wrong."""

    def __init__(self, location: str, detail: str) -> None:
        self.location = location
        self.detail = detail
        super().__init__(f"{location}: {detail}")


@dataclass(frozen=True)
class CacheField:
    """One cacheField of a definition: its name, its shared items, its formula if calculated."""

    name: str
    shared_items: tuple[Item, ...]  # in order; None for <m/>
    formula: str | None = None  # set for calculated fields (databaseField="0")
    # False for any field the records leave out: calculated ones, and grouping fields.
    database_field: bool = True

    @property
    def is_calculated(self) -> bool:
        return self.formula is not None


@dataclass(frozen=True)
class PivotCache:
    """A pivot cache definition, and where its records are."""

    definition_part: str  # e.g. "xl/pivotCache/pivotCacheDefinition1.xml"
    records_part: str | None  # None when the definition has no records relationship
    fields: tuple[CacheField, ...]  # every cacheField in order, calculated ones included
    record_count: int | None  # the definition's recordCount attribute, if any

    @property
    def database_fields(self) -> tuple[CacheField, ...]:
        """The fields each record holds a value for, in record order."""
        return tuple(f for f in self.fields if f.database_field and not f.is_calculated)


def strip_namespace(tag: str) -> str:
    """'{namespace}name' or 'prefix:name' -> 'name'."""
    return tag.rpartition("}")[2].rpartition(":")[2]


def find_relationship_id(attributes: dict[str, str]) -> str | None:
    """The r:id attribute, in the transitional or the strict relationships namespace."""
    for key, value in attributes.items():
        namespace, _, name = key[1:].partition("}")
        if key.startswith("{") and name == "id" and namespace.endswith("relationships"):
            return value
    return None


@contextmanager
def open_part(archive: zipfile.ZipFile, part: str, named_by: str) -> Iterator[IO[bytes]]:
    """The part as a stream; errors say which part was missing or unreadable."""
    try:
        stream = archive.open(part)
    except KeyError:
        raise PivotCacheError(part, f"named by {named_by} but absent from the archive") from None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
        raise PivotCacheError(part, f"cannot be read from the archive: {error}") from error
    try:
        with stream:
            yield stream
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise PivotCacheError(part, f"cannot be read from the archive: {error}") from error


def iterate_elements(
    archive: zipfile.ZipFile, part: str, named_by: str
) -> Iterator[tuple[str, ElementTree.Element, int]]:
    """(event, element, depth) of a small part's 'start' and 'end' events, root at depth 1.

    Elements are cleared when they end, so a long list of shared items is never a whole tree.
    """
    with open_part(archive, part, named_by) as stream:
        depth = 0
        try:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                if event == "start":
                    depth += 1
                    yield event, element, depth
                else:
                    yield event, element, depth
                    depth -= 1
                    element.clear()
        except ElementTree.ParseError as error:
            raise PivotCacheError(part, f"malformed XML: {error}") from error


def name_rels_part(part: str) -> str:
    directory, name = posixpath.split(part)
    return posixpath.join(directory, "_rels", f"{name}.rels")


@dataclass(frozen=True)
class Relationship:
    type: str
    target: str  # the part name in the archive, resolved from the source part


class Package:
    """The archive's parts by name (matched without regard to case, as OPC says) and rels."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {name.lower(): name for name in archive.namelist()}

    def find(self, part: str) -> str | None:
        return self.names.get(part.lower())

    def read_rels(self, source: str) -> dict[str, Relationship]:
        """The relationships of `source` ("" for the package) by id; none when no rels part."""
        rels_part = self.find(name_rels_part(source))
        if rels_part is None:
            return {}
        relationships = {}
        for event, element, _ in iterate_elements(self.archive, rels_part, source or "the zip"):
            if event != "end" or strip_namespace(element.tag) != "Relationship":
                continue
            if element.get("TargetMode") == "External":
                continue
            rel_id, target = element.get("Id"), element.get("Target")
            if rel_id is None or target is None:
                raise PivotCacheError(rels_part, "a Relationship without its Id or Target")
            relationships[rel_id] = Relationship(
                element.get("Type", ""), resolve_target(source, target)
            )
        return relationships

    def rels_name(self, source: str) -> str:
        return self.find(name_rels_part(source)) or name_rels_part(source)


def resolve_target(source: str, target: str) -> str:
    """A relationship's target as a part name: from the package root if it starts with '/',
    else relative to the source part's folder; percent-escapes decoded."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def is_type(relationship: Relationship, kind: str) -> bool:
    return relationship.type.rsplit("/", 1)[-1] == kind


def list_pivot_caches(archive: zipfile.ZipFile) -> list[PivotCache]:
    """Definitions only (records not read): from xl/workbook.xml's pivotCaches, plus any cache
    reachable only from a pivot table; each definition part once, however many tables share it."""
    package = Package(archive)
    office = [r for r in package.read_rels("").values() if is_type(r, "officeDocument")]
    workbook = package.find(office[0].target if office else DEFAULT_WORKBOOK)
    if workbook is None:
        raise PivotCacheError(office[0].target if office else DEFAULT_WORKBOOK, "no such part")
    workbook_rels = package.read_rels(workbook)
    cache_ids, sheet_ids = [], []
    for event, element, depth in iterate_elements(archive, workbook, "_rels/.rels"):
        if event != "start" or depth != 3:
            continue
        if strip_namespace(element.tag) == "pivotCache":
            cache_ids.append(find_relationship_id(element.attrib))
        elif strip_namespace(element.tag) == "sheet":
            sheet_ids.append(find_relationship_id(element.attrib))
    definitions: list[tuple[str, str]] = []  # (part, the rels part that names it)
    for rel_id in cache_ids:
        relationship = workbook_rels.get(rel_id or "")
        if relationship is None:
            raise PivotCacheError(
                workbook,
                f"a pivotCache names relationship {rel_id!r}, which"
                f" {package.rels_name(workbook)} does not hold",
            )
        definitions.append((relationship.target, package.rels_name(workbook)))
    for sheet_id in sheet_ids:
        sheet = workbook_rels.get(sheet_id or "")
        if sheet is None or package.find(sheet.target) is None:
            continue
        for table in package.read_rels(package.find(sheet.target) or "").values():
            if not is_type(table, "pivotTable"):
                continue
            table_part = package.find(table.target) or table.target
            for target in package.read_rels(table_part).values():
                if is_type(target, "pivotCacheDefinition"):
                    definitions.append((target.target, package.rels_name(table_part)))
    caches, seen = [], set()
    for part, named_by in definitions:
        actual = package.find(part)
        if actual is None:
            raise PivotCacheError(part, f"named by {named_by} but absent from the archive")
        if actual not in seen:
            seen.add(actual)
            check_definition_size(archive, actual)
            caches.append(read_definition(package, actual))
    return caches


def check_definition_size(archive: zipfile.ZipFile, part: str) -> None:
    size = archive.getinfo(part).file_size
    if size > MAX_DEFINITION_BYTES:
        raise PivotCacheError(
            part,
            f"unpacks to {size / 1e6:.0f} MB (limit {MAX_DEFINITION_BYTES / 1e6:.0f} MB for a"
            " cache definition, whose shared items are held whole): refused before reading",
        )


def read_item(tag: str, attributes: dict[str, str], location: str) -> Item:
    """One shared item (or record value) from its element: <s>, <n>, <b>, <m>, <d> or <e>."""
    if tag == "m":
        return None
    if tag not in VALUE_TAGS or tag == "x":
        raise PivotCacheError(location, f"<{tag}> is not a value element")
    value = attributes.get("v")
    if value is None:
        raise PivotCacheError(location, f"a <{tag}> without its v attribute")
    if tag == "n":
        try:
            number = float(value)
        except ValueError:
            raise PivotCacheError(location, f'<n v="{value}">: not a number') from None
        if not math.isfinite(number):
            # float() reads "NaN" and "INF"; taken in, they would pass as missing figures.
            raise PivotCacheError(location, f'<n v="{value}">: not a finite number')
        return number
    if tag == "b":
        if value in TRUE_TEXTS or value in FALSE_TEXTS:
            return value in TRUE_TEXTS
        raise PivotCacheError(location, f'<b v="{value}">: not a boolean')
    return value


def read_definition(package: Package, part: str) -> PivotCache:
    fields: list[CacheField] = []
    record_count = records_id = None
    current: dict[str, str] = {}
    items: list[Item] = []
    in_shared_items = False
    for event, element, depth in iterate_elements(package.archive, part, "the workbook"):
        tag = strip_namespace(element.tag)
        if event == "start" and depth == 1:
            records_id = find_relationship_id(element.attrib)
            count = element.get("recordCount")
            record_count = int(count) if count and count.isdigit() else None
        elif event == "start" and depth == 3 and tag == "cacheField":
            current, items = dict(element.attrib), []
        elif depth == 4 and tag == "sharedItems":
            in_shared_items = event == "start"
        elif event == "start" and depth == 5 and in_shared_items:
            items.append(read_item(tag, element.attrib, f"{part}, field {len(fields) + 1}"))
        elif event == "end" and depth == 3 and tag == "cacheField":
            if "name" not in current:
                raise PivotCacheError(part, f"cacheField {len(fields) + 1} has no name")
            fields.append(
                CacheField(
                    name=current["name"],
                    shared_items=tuple(items),
                    formula=current.get("formula"),
                    database_field=current.get("databaseField", "1") not in FALSE_TEXTS,
                )
            )
    relationships = package.read_rels(part)
    records = [r for r in relationships.values() if is_type(r, "pivotCacheRecords")]
    if records_id is not None:
        records = [relationships[records_id]] if records_id in relationships else []
    records_part = None
    if len(records) == 1:
        records_part = package.find(records[0].target) or records[0].target
    return PivotCache(part, records_part, tuple(fields), record_count)


class NotCompactError(Exception):
    """The records part is not in the compact form the fast path reads; expat reads it."""


@dataclass
class Gathered:
    """Records as they are read: per cell the element's tag byte and its number, if any."""

    width: int
    kinds: list[np.ndarray] = field(default_factory=list)  # (width, records) uint8 blocks
    numbers: list[np.ndarray] = field(default_factory=list)  # (width, records) float64 blocks
    others: list[tuple[int, int, Item]] = field(default_factory=list)  # (record, column, value)
    rows: int = 0

    def add_block(self, kinds: np.ndarray, numbers: np.ndarray) -> None:
        """Keep a (records, width) block field by field, as the frame's columns will be."""
        self.kinds.append(np.ascontiguousarray(kinds.T))
        self.numbers.append(np.ascontiguousarray(numbers.T))
        self.rows += len(kinds)


def read_records(archive: zipfile.ZipFile, cache: PivotCache) -> pd.DataFrame:
    """The records as columns, one per database field in order, streamed (never a whole tree).
    A column whose values are all numbers/missing is float64 (NaN = <m/>); otherwise object
    (str / float / bool, None for missing). `x` children are resolved to the shared item."""
    part = cache.records_part
    if part is None:
        raise PivotCacheError(
            cache.definition_part,
            "no records relationship: the workbook was saved without the pivot cache's data",
        )
    named_by = name_rels_part(cache.definition_part)
    width = len(cache.database_fields)
    gathered = None
    if width:
        # closing() stops the inflating thread before the stream it reads is closed.
        with open_part(archive, part, named_by) as stream, closing(read_blocks(stream)) as blocks:
            try:
                gathered = read_compact(blocks, width)
            except NotCompactError:
                gathered = None
    if gathered is None:
        with open_part(archive, part, named_by) as stream, closing(read_blocks(stream)) as blocks:
            gathered = read_with_expat(blocks, width, part)
    return assemble(gathered, cache.database_fields, part)


class OutlineChecker:
    """Expat over what the fast path does not read itself: the text before the first record
    and after the last. Fed only those, it checks they make a well-formed document whose root
    is open while the records are read and holds no other record."""

    def __init__(self) -> None:
        self.depth = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.StartDoctypeDeclHandler = self.refuse

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 2 and strip_namespace(name) == "r":
            raise NotCompactError

    def end(self, name: str) -> None:
        self.depth -= 1

    def refuse(self, *args: object) -> None:
        # A DTD may define entities or default attributes the fast path would not apply.
        raise NotCompactError

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            raise NotCompactError from None


def read_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in blocks, inflated by a helper thread while the caller parses the last one.

    zlib lets go of the GIL while it inflates, so the two overlap; at most two blocks wait.
    """
    blocks: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: bytes | BaseException) -> None:
        while not stop.is_set():
            try:
                blocks.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def pump() -> None:
        try:
            while not stop.is_set():
                block = stream.read(BLOCK_BYTES)
                hand_over(block)
                if len(block) < BLOCK_BYTES:
                    return
        except BaseException as error:  # raised again in the reading thread
            hand_over(error)

    helper = threading.Thread(target=pump, name="pivot-cache-inflate", daemon=True)
    helper.start()
    try:
        while True:
            item = blocks.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if len(item) < BLOCK_BYTES:
                return
    finally:
        stop.set()
        helper.join()


def read_compact(blocks: Iterator[bytes], width: int) -> Gathered:
    """The fast path: blocks of whole records checked and parsed with numpy."""
    gathered = Gathered(width)
    outline = OutlineChecker()
    pending, started = b"", False
    for block in blocks:
        pending += block
        if not started:
            first = pending.find(b"<r>")
            if first < 0:
                if len(pending) > MAX_PROLOGUE_BYTES:
                    raise NotCompactError
                continue
            declared = ENCODING_DECLARATION.search(pending[:first])
            if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
                raise NotCompactError
            outline.feed(pending[:first])
            if outline.depth != 1:
                raise NotCompactError
            pending, started = pending[first:], True
        end = pending.rfind(b"</r>")
        if end >= 0:
            parse_block(pending[: end + 4], gathered)
            pending = pending[end + 4 :]
        elif len(pending) > MAX_PENDING_BYTES:
            raise NotCompactError
    outline.feed(pending, final=True)
    return gathered


def follows(data: np.ndarray, positions: np.ndarray, text: bytes) -> bool:
    """Whether `text` stands at every one of the positions."""
    # One gather per byte is quicker than one of windows of every byte.
    return all((data[positions + offset] == byte).all() for offset, byte in enumerate(text))


def parse_block(block: bytes, gathered: Gathered) -> None:
    """Check the block is whole records of `width` compact children, and read their values."""
    width = gathered.width
    if b"\0" in block:
        # numpy would read a number up to a NUL byte; XML allows none anywhere.
        raise NotCompactError
    data = np.frombuffer(PAD + block + PAD, dtype=np.uint8)
    starts = np.flatnonzero(data == LT)
    per_record = width + 2
    if len(starts) % per_record:
        raise NotCompactError
    rows = len(starts) // per_record
    starts = starts.reshape(rows, per_record)
    opens, closes, children = starts[:, 0], starts[:, -1], starts[:, 1:-1]
    kinds = data[children + 1]
    if not (
        follows(data, opens, b"<r>")
        and follows(data, closes, b"</r>")
        and IS_VALUE_TAG[kinds].all()
    ):
        raise NotCompactError
    missing = kinds == M
    blanks, valued = children[missing], children[~missing]
    quotes = np.flatnonzero(data == QUOTE)
    if len(quotes) != 2 * len(valued):
        raise NotCompactError
    value_starts, value_ends = quotes[0::2] + 1, quotes[1::2]
    if not (
        (value_starts == valued + 6).all()
        and follows(data, valued + 2, b' v="')
        and follows(data, value_ends, b'"/>')
        and follows(data, blanks, b"<m/>")
    ):
        raise NotCompactError
    ends = np.empty_like(starts)
    ends[:, 0] = opens + 3
    ends[:, -1] = closes + 4
    child_ends = children + 4
    child_ends[~missing] = value_ends + 3
    ends[:, 1:-1] = child_ends
    check_gaps(data, starts.ravel(), ends.ravel(), len(PAD), len(PAD) + len(block))
    numbers = np.full((rows, width), np.nan)
    valued_cells = np.flatnonzero(~missing.ravel())
    valued_kinds = kinds.ravel()[valued_cells]
    numeric = (valued_kinds == X) | (valued_kinds == N)
    parsed = parse_numbers(data, value_starts[numeric], value_ends[numeric])
    if not np.isfinite(parsed).all():
        raise NotCompactError  # expat names the record of a NaN or an infinity
    numbers.ravel()[valued_cells[numeric]] = parsed
    first_row = gathered.rows
    for cell, start, end in zip(
        valued_cells[~numeric].tolist(),
        value_starts[~numeric].tolist(),
        value_ends[~numeric].tolist(),
        strict=True,
    ):
        row, column = divmod(cell, width)
        text = decode_value(data[start:end].tobytes())
        if kinds[row, column] == B:
            if text not in TRUE_TEXTS and text not in FALSE_TEXTS:
                raise NotCompactError
            gathered.others.append((first_row + row, column, text in TRUE_TEXTS))
        else:
            gathered.others.append((first_row + row, column, text))
    gathered.add_block(kinds, numbers)


def check_gaps(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, first: int, last: int
) -> None:
    """Between elements (and before the first) only whitespace; the last ends the block."""
    if ends[-1] != last:
        raise NotCompactError
    gaps = starts[1:] - ends[:-1]
    if (gaps == 0).all() and starts[0] == first:
        return
    if (gaps < 0).any():
        raise NotCompactError
    # Pretty-printed: every gap must hold only whitespace.
    not_space = np.concatenate(([0], np.cumsum(~IS_WHITESPACE[data], dtype=np.int64)))
    if not_space[starts[0]] != not_space[first]:
        raise NotCompactError
    if (not_space[starts[1:]] != not_space[ends[:-1]]).any():
        raise NotCompactError


def parse_numbers(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The numbers between each start and end, as float64, parsed together as fixed-width text.

    numpy's text-to-float cast accepts what float() does, so both paths read the same numbers.
    """
    lengths = ends - starts
    if not len(lengths):
        return np.empty(0)
    width = int(min(lengths.max(), MAX_NUMBER_WIDTH))
    window = np.lib.stride_tricks.sliding_window_view(data, width)[starts]
    window *= np.arange(width) < lengths[:, None]
    texts = window.view(f"S{width}").ravel()
    plain = (lengths <= width) & (lengths > 0)
    values = np.empty(len(starts))
    try:
        values[plain] = (texts if plain.all() else texts[plain]).astype(np.float64)
    except ValueError:
        plain[:] = False
    for index in np.flatnonzero(~plain).tolist():
        try:
            values[index] = float(data[starts[index] : ends[index]].tobytes())
        except ValueError:
            raise NotCompactError from None
    return values


def decode_value(raw: bytes) -> str:
    """An attribute value's text as an XML parser gives it: entities and whitespace resolved."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotCompactError from None
    if NOT_XML_CHARACTER.search(text):
        raise NotCompactError
    text = LINE_BREAK_OR_TAB.sub(" ", text)
    if "&" in text:
        if text.count("&") != len(ENTITY.findall(text)):
            raise NotCompactError
        text = ENTITY.sub(replace_entity, text)
    return text


def replace_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if not name.startswith("#"):
        if name not in PREDEFINED_ENTITIES:
            raise NotCompactError
        return PREDEFINED_ENTITIES[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or NOT_XML_CHARACTER.match(chr(code)):
        raise NotCompactError
    return chr(code)


class ExpatRecords:
    """The slow path: expat's events for any well-formed records part, precise errors else."""

    def __init__(self, width: int, part: str) -> None:
        self.gathered = Gathered(width)
        self.width = width
        self.part = part
        self.depth = 0
        self.record = 0  # records begun, so the one being read when counting from 1
        self.in_record = False
        self.count = 0  # values in the record being read
        self.kinds: list[int] = []
        self.numbers: list[float] = []

    def location(self) -> str:
        return f"{self.part}, record {self.record}"

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 2 and strip_namespace(name) == "r":
            self.record += 1
            self.in_record, self.count = True, 0
        elif self.depth == 3 and self.in_record:
            self.add_value(strip_namespace(name), attributes)

    def add_value(self, tag: str, attributes: dict[str, str]) -> None:
        if tag not in VALUE_TAGS:
            raise PivotCacheError(self.location(), f"<{tag}> is not a value element")
        self.count += 1
        if self.count > self.width:
            raise PivotCacheError(
                self.location(), f"more than {self.width} values for {self.width} database fields"
            )
        if tag == "x":
            text = attributes.get("v")
            try:
                number = float(text or "")
            except ValueError:
                raise PivotCacheError(
                    self.location(), f"<x v={text!r}>: not a shared item index"
                ) from None
        else:
            item = read_item(tag, attributes, f"{self.location()}, value {self.count}")
            number = np.nan
            if tag == "n":
                number = float(item)  # type: ignore[arg-type]
            elif tag != "m":
                self.gathered.others.append((self.record - 1, self.count - 1, item))
        self.kinds.append(ord(tag))
        self.numbers.append(number)

    def end(self, name: str) -> None:
        if self.depth == 2 and self.in_record:
            if self.count != self.width:
                raise PivotCacheError(
                    self.location(), f"{self.count} values for {self.width} database fields"
                )
            self.in_record = False
            if len(self.kinds) >= RECORD_FLUSH * max(self.width, 1):
                self.flush()
        self.depth -= 1

    def flush(self) -> None:
        if self.width == 0:
            self.gathered.rows = self.record
            return
        rows = len(self.kinds) // self.width
        kinds = np.array(self.kinds, dtype=np.uint8).reshape(rows, self.width)
        numbers = np.array(self.numbers, dtype=np.float64).reshape(rows, self.width)
        self.gathered.add_block(kinds, numbers)
        self.kinds, self.numbers = [], []


def read_with_expat(blocks: Iterator[bytes], width: int, part: str) -> Gathered:
    records = ExpatRecords(width, part)
    parser = expat.ParserCreate()
    parser.StartElementHandler = records.start
    parser.EndElementHandler = records.end
    try:
        for block in blocks:
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise PivotCacheError(
            f"{part}, near record {max(records.record, 1)}", f"malformed XML: {error}"
        ) from error
    records.flush()
    return records.gathered


def is_number_item(item: Item) -> bool:
    return item is None or (isinstance(item, float) and not isinstance(item, bool))


def build_column(
    kinds: np.ndarray,
    numbers: np.ndarray,
    others: list[tuple[int, Item]],
    cache_field: CacheField,
    part: str,
) -> np.ndarray:
    """One field's values: `numbers` itself, shared items filled in, when all are numbers or
    missing; else a new array of objects."""
    is_index = kinds == X
    items = cache_field.shared_items
    object_items = indices = None
    if is_index.any():
        codes = numbers[is_index]
        valid = (codes >= 0) & (codes < len(items)) & (codes == np.floor(codes))
        if not valid.all():
            first_bad = int(np.argmin(valid))
            record = int(np.flatnonzero(is_index)[first_bad]) + 1
            raise PivotCacheError(
                f"{part}, record {record}",
                f"field {cache_field.name!r}: shared item index {codes[first_bad]:g} is out of"
                f" range (the field has {len(items)} shared items)",
            )
        indices = codes.astype(np.intp)
        if all(is_number_item(item) for item in items):
            shared = np.array([np.nan if item is None else item for item in items], dtype=float)
            numbers[is_index] = shared[indices]
        else:
            object_items = np.empty(len(items), dtype=object)
            object_items[:] = items
    if object_items is None and not others:
        return numbers
    values = numbers.astype(object)
    values[kinds == M] = None
    if object_items is not None:
        values[is_index] = object_items[indices]
    for row, value in others:
        values[row] = value
    return values


def assemble(gathered: Gathered, fields: tuple[CacheField, ...], part: str) -> pd.DataFrame:
    width = len(fields)
    if gathered.kinds:
        kinds = np.concatenate(gathered.kinds, axis=1)
        numbers = np.concatenate(gathered.numbers, axis=1)
    else:
        kinds = np.empty((width, gathered.rows), dtype=np.uint8)
        numbers = np.empty((width, gathered.rows))
    others: list[list[tuple[int, Item]]] = [[] for _ in fields]
    for row, column, value in gathered.others:
        others[column].append((row, value))
    columns = [
        build_column(kinds[index], numbers[index], others[index], cache_field, part)
        for index, cache_field in enumerate(fields)
    ]
    numeric = [index for index, values in enumerate(columns) if values.dtype != object]
    # The float columns become one block of the frame without a copy when they are adjacent.
    if numeric and numeric == list(range(numeric[0], numeric[-1] + 1)):
        block = numbers[numeric[0] : numeric[-1] + 1]
    else:
        block = numbers[numeric]
    frame = pd.DataFrame(block.T, columns=numeric, index=pd.RangeIndex(gathered.rows), copy=False)
    for index, values in enumerate(columns):
        if values.dtype == object:
            # An explicit dtype, or pandas would turn a column of text into its own string type.
            frame.insert(index, index, pd.Series(values, dtype=object, copy=False))
    frame.columns = pd.Index([cache_field.name for cache_field in fields])
    return frame
