"""An xlsx from outside, checked before anything inflates it: size, zip bomb, xlsb, or not a zip."""

import io
import zipfile
from xml.etree.ElementTree import ParseError, iterparse

from etl.errors import SourceError

SOURCE = "arbetsformedlingen"
XLSX_MAGIC = b"PK\x03\x04"
# AF's pivot workbooks reach 60+ MB (the whole series in the pivot cache); far beyond is not one.
MAX_FILE_BYTES = 250_000_000
# What the parts declare, all together: AF's 60 MB workbooks unpack to under 1 GB; the records
# are streamed, never held whole, so this bounds the work a file can ask for, not memory.
MAX_UNZIPPED_BYTES = 4_000_000_000
MAX_ZIP_MEMBERS = 1_000  # a workbook has a dozen parts plus a few per sheet
# XML of counts compresses 5-30 times (AF-shaped pivot records about 10); a bomb of zeros 1000.
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR_BYTES = 1_000_000  # below this a part's ratio says nothing
# Deflate never grows data by more than this (stored blocks); a part packed larger than its
# declared size, plus this, lies about its size.
DEFLATE_OVERHEAD = 1_024
XLSB_PART = "xl/workbook.bin"
SHARED_STRINGS = "xl/sharedStrings.xml"
# The title text of a workbook is in its first shared strings; a data sheet's thousands of
# names after them say nothing about the layout.
TITLE_STRINGS = 500


def check_size(size: int, file_name: str) -> None:
    if size > MAX_FILE_BYTES:
        raise SourceError(
            SOURCE,
            file_name,
            f"{size / 1e6:.1f} MB is more than the {MAX_FILE_BYTES / 1e6:.0f} MB a file from"
            " Arbetsförmedlingen can be: not the file from Arbetsförmedlingen",
        )


def check_archive(raw: bytes, file_name: str) -> None:
    """Refuse a zip bomb before openpyxl inflates anything, from the sizes the archive declares.

    Nothing is decompressed here: the central directory lists every part's packed and unpacked
    size. A part that declares fewer bytes than it holds is cut off there by zipfile, but only
    after inflating what one read gives; refusing a part packed larger than it declares bounds
    that to deflate's limit, about 1000 times the declared size.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SourceError(
            SOURCE, file_name, f"a zip archive but not a readable xlsx workbook: {error}"
        ) from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SourceError(
            SOURCE,
            file_name,
            f"{len(members)} parts in the archive (an xlsx has a few dozen; limit"
            f" {MAX_ZIP_MEMBERS}): refused as a possible zip bomb",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise SourceError(
            SOURCE,
            file_name,
            f"unpacks to {unpacked / 1e6:.0f} MB (limit {MAX_UNZIPPED_BYTES / 1e6:.0f} MB):"
            " refused as a possible zip bomb",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise SourceError(
                SOURCE,
                f"{file_name}, part {member.filename}",
                f"unpacks to {ratio:.0f} times its packed size (limit {MAX_COMPRESSION_RATIO}):"
                " refused as a possible zip bomb",
            )
        if member.compress_size > member.file_size * 1.01 + DEFLATE_OVERHEAD:
            raise SourceError(
                SOURCE,
                f"{file_name}, part {member.filename}",
                f"packed into {member.compress_size} bytes but declared as {member.file_size}:"
                " the archive lies about its sizes",
            )


def check_not_xlsb(archive: zipfile.ZipFile, file_name: str) -> None:
    """An .xlsb (binary Excel, as AF's interactive tool exports) is a zip too: say what to do."""
    if XLSB_PART in archive.namelist():
        raise SourceError(
            SOURCE,
            file_name,
            "an .xlsb (binary Excel) workbook: open it in Excel and save it as .xlsx"
            " (Arkiv > Spara som > Excel-arbetsbok), then import the .xlsx",
        )


def open_workbook(raw: bytes, file_name: str) -> zipfile.ZipFile:
    """Check the archive's declared sizes, then open it; xlsb is refused with what to do."""
    check_archive(raw, file_name)
    archive = zipfile.ZipFile(io.BytesIO(raw))
    check_not_xlsb(archive, file_name)
    return archive


def read_title_text(archive: zipfile.ZipFile) -> str:
    """The workbook's first shared strings (titles, notes), streamed."""
    if SHARED_STRINGS not in archive.namelist():
        return ""
    texts: list[str] = []
    try:
        with archive.open(SHARED_STRINGS) as part:
            for _, element in iterparse(part):
                if element.tag.endswith("}t") and element.text:
                    texts.append(element.text)
                    if len(texts) >= TITLE_STRINGS:
                        break
                element.clear()
    except ParseError:
        return " ".join(texts)
    return " ".join(texts)
