"""Bound the work an XLSX can cause before any cell is read.

A 226 KB file with one row of 2 million cells took 1.86 GB to read (calamine, like openpyxl,
holds a sheet's used area densely). So first, in constant memory:
    - the zip's directory: at most MAX_PARTS parts, plain or deflate compression;
    - every part is inflated here from its raw bytes (its declared size may lie) and counted:
      all parts together at most MAX_UNCOMPRESSED_BYTES;
    - shared strings are counted (at most MAX_CELLS);
    - each visible worksheet is scanned as it streams: rows, columns and cells counted, and the
      used area (last row × last column) kept within MAX_CELLS; a file over a limit is refused
      at the first cell beyond it;
    - the scan also notes formula cells and error values (#N/A …), which calamine reports only
      as their cached value or as empty.
The workbook's sheet list and relationships are small XML parts parsed with defusedxml
(no entities, no external references). Worksheets are not parsed as XML here: their start tags
are counted with a byte pattern, which can only over-count (stricter, never looser).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 300_000  # data rows a file may have (as for CSV)
MAX_COLUMNS = 60  # columns read; cells further right are ignored with a warning
MAX_SHEET_COLUMNS = 16_384  # Excel's own last column (XFD): a cell beyond it is not from Excel
MAX_CELLS = 4_000_000  # a sheet's used area, last row × last column (300,000 rows × 13 columns)
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024  # all parts together, inflated
MAX_PARTS = 2_000  # parts in the zip (a workbook has a few dozen)
MAX_XML_PART = 16 * 1024 * 1024  # workbook.xml and its relationships, parsed whole
CHUNK = 1024 * 1024
MAX_CARRY = 64 * 1024  # a tag whose value is cut by a chunk boundary waits this long for the rest

_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|f)(?=[\s>/])([^<>]*)>")
_ROW_NUMBER = re.compile(rb"""\br\s*=\s*["'](\d{1,9})["']""")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,7})\$?(\d{1,9})["']""")
_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_TEXT_UNTIL_TAG = re.compile(rb"([^<]{0,500})<")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,8}:)?si(?=[\s>/])")
_VALUE = re.compile(rb"(?:<(?:[A-Za-z_][\w.\-]*:)?v>)([^<]{0,100})<")
_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Refused(Exception):
    """The file exceeds a limit or is malformed; the message is for the clerk."""


@dataclass
class SheetScan:
    rows: int = 0  # last row number seen
    columns: int = 0  # last column number seen
    cells: int = 0
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "=…"
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#N/A"


def check(data: bytes) -> dict[str, SheetScan] | str:
    """Visible worksheet name -> its scan, or why the file is refused (Chinese)."""
    try:
        return _check(data)
    except Refused as exc:
        return str(exc)
    except (zipfile.BadZipFile, zlib.error, struct.error, ValueError, KeyError, EOFError) as exc:
        return f"无法读取 Excel 文件（文件可能已损坏）：{type(exc).__name__}"


def _check(data: bytes) -> dict[str, SheetScan]:
    _check_directory_size(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: info for info in archive.infolist()}
    total = 0
    scans: dict[str, SheetScan] = {}
    sheets = _visible_sheets(data, parts)
    by_path = {path: name for name, path in sheets.items()}
    for path, info in parts.items():
        if path in by_path:
            scan = SheetScan()
            chunks = _Counted(_inflate(data, info), total)
            _scan_sheet(by_path[path], chunks, scan)
            total += chunks.size
            scans[by_path[path]] = scan
        else:
            counter = _Counted(_inflate(data, info), total)
            if posixpath.basename(path).lower() == "sharedstrings.xml":
                _count_shared_strings(counter)
            else:
                for _ in counter:
                    pass
            total += counter.size
    missing = [name for name, path in sheets.items() if path not in parts]
    if missing:
        raise Refused(f"Excel 文件不完整：缺少工作表“{missing[0]}”的内容")
    return scans


def _count_shared_strings(chunks: Iterable[bytes]) -> None:
    """calamine holds every shared string: no more of them than a sheet may have cells."""
    count, tail = 0, b""
    for chunk in chunks:
        buffer = tail + chunk
        # A tag lying wholly in the tail was counted with the previous chunk.
        count += sum(1 for m in _SHARED_STRING.finditer(buffer) if m.end() > len(tail))
        if count > MAX_CELLS:
            raise Refused(f"Excel 文件的共享文字超过 {MAX_CELLS:,} 条，内容过多或文件异常：请拆分后导入")
        tail = buffer[-16:]


def _check_directory_size(data: bytes) -> None:
    """The number of parts, from the end-of-directory record, before zipfile lists them all."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0:
        raise Refused("无法读取 Excel 文件（文件可能已损坏）：找不到 zip 目录")
    (entries,) = struct.unpack("<H", data[end + 10 : end + 12])
    if entries >= 0xFFFF or entries > MAX_PARTS:
        raise Refused(f"Excel 文件结构异常：包含的部件过多（上限 {MAX_PARTS:,} 个），请在 Excel 中另存后再导入")


class _Counted:
    """Inflated chunks of one part, adding to the file's running total of bytes."""

    def __init__(self, chunks: Iterator[bytes], before: int) -> None:
        self.chunks, self.before, self.size = chunks, before, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            if self.before + self.size > MAX_UNCOMPRESSED_BYTES:
                limit = MAX_UNCOMPRESSED_BYTES // 1024 // 1024
                raise Refused(f"Excel 文件解压后超过 {limit} MB，内容过多或文件异常：请拆分后导入")
            yield chunk


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's real content from its raw bytes, in chunks, whatever sizes its headers declare."""
    offset = info.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04":
        raise Refused("无法读取 Excel 文件（文件可能已损坏）：部件位置不对")
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), CHUNK):
            yield bytes(raw[i : i + CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise Refused("Excel 文件使用了不支持的压缩方式：请在 Excel 中另存为 .xlsx 后再导入")
    inflater = zlib.decompressobj(-15)
    for i in range(0, len(raw), 64 * 1024):
        pending = bytes(raw[i : i + 64 * 1024])
        while pending:
            out = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                return
    tail = inflater.flush()
    if tail:
        yield tail


def _read_small(data: bytes, info: zipfile.ZipInfo) -> bytes:
    out = bytearray()
    for chunk in _inflate(data, info):
        out += chunk
        if len(out) > MAX_XML_PART:
            raise Refused("Excel 文件结构异常：工作簿目录过大")
    return bytes(out)


def _parse(data: bytes, parts: dict[str, zipfile.ZipInfo], path: str) -> Any:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    info = parts.get(path)
    if info is None:
        raise Refused("不是有效的 Excel 文件（缺少工作簿目录 xl/workbook.xml）：请确认是 .xlsx 文件")
    try:
        return fromstring(_read_small(data, info))
    except DefusedXmlException as exc:
        raise Refused("Excel 文件含有不允许的 XML 内容（实体或外部引用），已拒绝") from exc
    except Exception as exc:  # ParseError and friends
        raise Refused(f"无法读取 Excel 文件（工作簿目录损坏）：{type(exc).__name__}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _visible_sheets(data: bytes, parts: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Visible worksheet name -> part path, from xl/workbook.xml and its relationships."""
    workbook = _parse(data, parts, "xl/workbook.xml")
    rels = _parse(data, parts, "xl/_rels/workbook.xml.rels")
    targets = {}
    for rel in rels.iter():
        if _local(rel.tag) == "Relationship" and str(rel.get("Type", "")).endswith("/worksheet"):
            target = str(rel.get("Target", ""))
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id")] = posixpath.normpath(path)
    out: dict[str, str] = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet" or sheet.get("state", "visible") != "visible":
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        if rel_id in targets:
            out[str(sheet.get("name", ""))] = targets[rel_id]
    return out


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _scan_sheet(name: str, chunks: Iterable[bytes], scan: SheetScan) -> None:
    """Count rows, columns and cells as the sheet streams; note formulas and error values."""
    row = col = in_row = 0
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        buffer, row, col, in_row = _scan_buffer(name, buffer, scan, row, col, in_row)
    _scan_buffer(name, buffer, scan, row, col, in_row, final=True)


def _scan_buffer(
    name: str, buffer: bytes, scan: SheetScan, row: int, col: int, in_row: int, *, final: bool = False
) -> tuple[bytes, int, int, int]:
    """Scan complete tags; return what is left (a tag cut at the chunk's end) and the position."""
    keep_from = None
    for match in _TOKEN.finditer(buffer):
        tag, attrs = match.group(1), match.group(2)
        if tag == b"row":
            found = _ROW_NUMBER.search(attrs)
            row, col, in_row = (int(found.group(1)) if found else row + 1), 0, 0
            if row > MAX_ROWS + 10:
                raise Refused(f"工作表“{name}”行数超过 {MAX_ROWS:,} 行，请拆分后导入")
            scan.rows = max(scan.rows, row)
        elif tag == b"c":
            found = _CELL_REF.search(attrs)
            if found:
                col, row = _column_number(found.group(1)), int(found.group(2))
            else:
                col += 1
            in_row += 1
            scan.cells += 1
            if col > MAX_SHEET_COLUMNS or in_row > MAX_SHEET_COLUMNS:
                raise Refused(
                    f"工作表“{name}”第 {row} 行的单元格超过 Excel 的 {MAX_SHEET_COLUMNS:,} 列上限，"
                    "文件异常（可能是恶意构造的文件），已拒绝"
                )
            scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, col)
            if row > MAX_ROWS + 10:
                raise Refused(f"工作表“{name}”行数超过 {MAX_ROWS:,} 行，请拆分后导入")
            if scan.cells > MAX_CELLS or scan.rows * scan.columns > MAX_CELLS:
                raise Refused(
                    f"工作表“{name}”的数据区域过大（{scan.rows:,} 行 × {scan.columns:,} 列，"
                    f"上限 {MAX_CELLS:,} 个单元格）：请删除多余的行列或拆分后导入"
                )
            if _ERROR_TYPE.search(attrs) and not attrs.endswith(b"/"):
                value = _VALUE.match(buffer, match.end())
                if value is None and not final and len(buffer) - match.start() < MAX_CARRY:
                    keep_from = match.start()  # its value is in the next chunk: scan it again then
                    break
                code = value.group(1).decode("utf-8", "replace").strip() if value else "#错误"
                scan.errors[(row, col)] = code or "#错误"
        else:  # a formula in the current cell
            text = _TEXT_UNTIL_TAG.match(buffer, match.end())
            if text is None and not attrs.endswith(b"/") and not final and len(buffer) - match.start() < MAX_CARRY:
                keep_from = match.start()
                break
            formula = text.group(1).decode("utf-8", "replace") if text and not attrs.endswith(b"/") else ""
            scan.formulas[(row, col)] = "=" + (_unescape(formula) or "（共享公式）")
    if keep_from is None:
        cut = buffer.rfind(b"<")
        keep_from = cut if cut >= 0 and buffer.find(b">", cut) < 0 else len(buffer)
    else:
        # Re-scanning from this tag must not count it twice.
        row, col, in_row = _undo_last(buffer, keep_from, scan, row, col, in_row)
    return buffer[keep_from:], row, col, in_row


def _undo_last(buffer: bytes, start: int, scan: SheetScan, row: int, col: int, in_row: int) -> tuple[int, int, int]:
    """The tag at `start` will be scanned again with the next chunk: take back its count."""
    match = _TOKEN.match(buffer, start)
    if match and match.group(1) == b"c":
        scan.cells -= 1
        return row, col - 1, in_row - 1
    return row, col, in_row


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)
