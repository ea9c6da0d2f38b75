"""Reading an uploaded sheet (CSV or XLSX) into rows of text, and mapping its header to the fields they feed.

The header is the first non-blank row (or, given a test, the first of the first few that passes it, so
a title row above the header is skipped); every later row keeps its spreadsheet number (the header of
an ordinary sheet is row 1, so its first data row is row 2), and blank rows are skipped but counted.
CSV may be UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text") or GBK/GB18030;
XLSX is read from its first worksheet in openpyxl's read-only mode, formulas as formulas (a cell that
holds one comes as ``Formula`` text, so the import can say "paste it as a value" rather than guess).
Anything that cannot be read as a whole raises ``ImportRefused`` with a zh-CN and an English message.

An XLSX is a zip of XML, so a small upload can unpack to gigabytes, or hold one cell of hundreds of
megabytes that the XML parser would build in memory before openpyxl hands it over. Before openpyxl
sees it, ``_check_parts`` reads the zip's directory (each part's unpacked size, and their sum) and then
streams every XML part in windows of ``MAX_RUN_BYTES`` // 2 bytes, refusing the file when a window holds
no ``<``: no tag or cell text that long can come from Excel (a cell holds at most 32,767 characters),
so a huge cell is refused after unpacking about a megabyte of it, never held. Rows are limited by
their spreadsheet number and cells with content by their column while streaming.

``Columns`` maps header texts to fields by their names in both languages (``header_key`` ignores
width, case, spaces, ``_``, ``*`` and a bracketed unit), overridden by a mapping the caller gives.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import chain
from pathlib import PurePath
from typing import Final

from content.errors import ContentError

MAX_FILE_BYTES: Final = 32 * 1024 * 1024
# Sum of the uncompressed parts of an XLSX: a 20,000-row sheet is well under 50 MB of XML, so
# anything far beyond is a zip bomb (zipfile stops at the declared size and fails the CRC).
MAX_UNPACKED_BYTES: Final = 256 * 1024 * 1024
# Any one part of the zip (a worksheet, the shared strings): zipfile never unpacks more than the size
# its directory declares, so this bounds what openpyxl can be given.
MAX_PART_BYTES: Final = 64 * 1024 * 1024
# The longest run of XML without a tag that is surely refused (runs under half of it never are): an
# Excel cell of 32,767 characters is under 200 KB even in UTF-8 with every character escaped.
MAX_RUN_BYTES: Final = 512 * 1024
MAX_COLUMNS: Final = 200
# Blank rows the reader walks past beyond the data rows it accepts (an XLSX row numbered 1,048,576
# would otherwise make a million empty rows to step through).
MAX_BLANK_ROWS: Final = 10_000
HEADER_SEARCH_ROWS: Final = 5
CSV_SUFFIXES: Final = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES: Final = frozenset({".xlsx"})
ZIP_MAGIC: Final = b"PK\x03\x04"
OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected workbooks
DELIMITERS: Final = (",", "\t", ";")
_BRACKETED: Final = re.compile(r"[(\[【].*?[)\]】]")
_NOISE: Final = re.compile(r"[\s_\-*:·.]+")
# Errors openpyxl and the zip/XML layers under it raise on a damaged or foreign file.
_XLSX_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    SyntaxError,
    OSError,
    EOFError,
)


class ImportRefused(ContentError):
    """The file as a whole cannot be imported (type, encoding, size or header); nothing was imported.

    ``reason`` is a short code for programs (``file_type``, ``encoding``, ``empty``, ``not_xlsx``,
    ``too_large``, ``cell_too_large``, ``too_many_rows``, ``too_many_columns``, ``malformed``,
    ``missing_columns``, ``duplicate_columns``, ``mapping``); ``columns`` names the columns concerned,
    when there are any.
    """

    def __init__(self, reason: str, message_zh: str, message_en: str, *, columns: Sequence[str] = ()) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_zh = message_zh
        self.message_en = message_en
        self.columns = tuple(columns)


_NO_FORMULAS: Final[frozenset[int]] = frozenset()


class Formula(str):
    """The text of an XLSX cell that holds a formula (``=HYPERLINK(...)``), not a value."""

    __slots__ = ()


@dataclass(frozen=True)
class SheetRow:
    """A non-blank data row: its number as the spreadsheet shows it and one text per header column.

    ``formulas`` holds the indexes of the cells that are formulas rather than values.
    """

    number: int
    cells: tuple[str, ...]
    formulas: frozenset[int] = _NO_FORMULAS


@dataclass(frozen=True)
class Sheet:
    """The header texts (trimmed) and the non-blank data rows of a file."""

    columns: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    blank_rows: int
    encoding: str  # utf-8, utf-8-sig, utf-16, gb18030, or xlsx


def read_sheet(
    data: bytes, filename: str, *, max_rows: int, is_header: Callable[[tuple[str, ...]], bool] | None = None
) -> Sheet:
    """Read ``data`` by the type its name says (.csv/.tsv/.txt or .xlsx), checking the bytes agree.

    ``is_header`` tells a header row from a title row above it (see ``_sheet``).
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise ImportRefused(
            "file_type",
            f"不支持的文件类型“{suffix or filename}”：请上传 .xlsx 或 .csv 文件",
            f"unsupported file type {suffix or filename!r}: upload an .xlsx or .csv file",
        )
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            "too_large",
            f"文件有 {len(data) // 1024 // 1024} MB，超过上限 {MAX_FILE_BYTES // 1024 // 1024} MB",
            f"the file is {len(data) // 1024 // 1024} MB, above the limit of {MAX_FILE_BYTES // 1024 // 1024} MB",
        )
    if not data.strip():
        raise ImportRefused("empty", "文件是空的", "the file is empty")
    if data.startswith(OLE2_MAGIC):
        raise ImportRefused(
            "not_xlsx",
            "这是旧版 .xls 或加密的工作簿：请在 Excel 中另存为 .xlsx（不设密码）或 CSV",
            "this is an old .xls or a password-protected workbook: save it from Excel as .xlsx "
            "(without a password) or CSV",
        )
    if suffix in XLSX_SUFFIXES:
        records = _xlsx_rows(data)
        try:
            return _sheet(records, "xlsx", max_rows, is_header)
        finally:
            records.close()  # closes the workbook also when reading stopped early
    if data.startswith(ZIP_MAGIC):
        raise ImportRefused(
            "file_type",
            f"“{filename}”实际上是 Excel 工作簿（.xlsx），请以 .xlsx 扩展名上传",
            f"{filename!r} is really an Excel workbook (.xlsx): upload it with the .xlsx extension",
        )
    text, encoding = _decode(data)
    return _sheet(_csv_rows(text, "\t" if suffix == ".tsv" else None), encoding, max_rows, is_header)


def _sheet(
    records: Iterable[list[str]], encoding: str, max_rows: int, is_header: Callable[[tuple[str, ...]], bool] | None
) -> Sheet:
    numbered = iter(enumerate(records, start=1))
    # The header is the first non-blank row ``is_header`` accepts among the first few (a title row such
    # as “城关区2026年招聘岗位表” often sits above it), else simply the first non-blank row.
    seen: list[tuple[int, list[str]]] = []
    chosen = 0
    for number, cells in numbered:
        if _is_blank(cells):
            continue
        seen.append((number, cells))
        if is_header is None or is_header(_header(cells)):
            chosen = len(seen) - 1
            break
        if len(seen) == HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise ImportRefused("empty", "文件中没有任何内容", "the file has no content")
    header = _header(seen[chosen][1])
    rows: list[SheetRow] = []
    blank = 0
    for number, cells in chain(seen[chosen + 1 :], numbered):
        if _is_blank(cells):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise ImportRefused(
                    "too_many_rows",
                    f"表格到第 {number} 行有超过 {MAX_BLANK_ROWS} 个空行，请删除多余的空行后重新导入",
                    f"more than {MAX_BLANK_ROWS} blank rows by row {number}: delete the empty rows and import again",
                )
            continue
        if len(rows) >= max_rows:
            raise ImportRefused(
                "too_many_rows",
                f"数据超过 {max_rows} 行（第 {number} 行起），请分成几个文件导入",
                f"more than {max_rows} data rows (from row {number} on): split the file and import the parts",
            )
        width = len(header)
        kept = tuple(cells[:width]) + ("",) * (width - len(cells))
        formulas = [i for i, c in enumerate(kept) if type(c) is Formula] if encoding == "xlsx" else None
        rows.append(SheetRow(number, kept, frozenset(formulas) if formulas else _NO_FORMULAS))
    if not rows:
        raise ImportRefused("empty", "文件只有表头，没有数据行", "the file has a header but no data rows")
    return Sheet(header, tuple(rows), blank, encoding)


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells[:MAX_COLUMNS])


def _header(cells: list[str]) -> tuple[str, ...]:
    header = [cell.strip() for cell in cells[:MAX_COLUMNS]]
    while header and not header[-1]:
        header.pop()
    return tuple(header)


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and its encoding: a BOM decides; else UTF-8, else GB18030 (a superset of GBK)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            text, encoding = data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = data.decode("utf-16"), "utf-16"
        else:
            text, encoding = _decode_without_bom(data)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ImportRefused(
            "encoding",
            f"文件开头标明的编码与内容不符（第 {line} 行附近有无法识别的字节），请重新导出",
            f"the file's byte-order mark does not match its content (undecodable bytes near line {line}); "
            "export it again",
        ) from err
    if "\x00" in text:
        raise ImportRefused(
            "encoding",
            "这不是文本文件（含有空字节），请上传 CSV 或 .xlsx",
            "this is not a text file (it contains NUL bytes): upload a CSV or an .xlsx",
        )
    return text, encoding


def _decode_without_bom(data: bytes) -> tuple[str, str]:
    furthest = 0
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as err:
            furthest = max(furthest, err.start)  # the encoding that got furthest is likely the intended one
    line = data[:furthest].count(b"\n") + 1
    raise ImportRefused(
        "encoding",
        f"无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030（第 {line} 行附近有无法识别的字节），"
        "请在 Excel 中另存为“CSV UTF-8”",
        f"cannot read the file's encoding: it is neither UTF-8 nor GBK/GB18030 (undecodable bytes near "
        f"line {line}); save it from Excel as 'CSV UTF-8'",
    )


def _sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: whichever the first non-blank line has most of (comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=lambda d: (first.count(d), d == ","))


def _csv_rows(text: str, delimiter: str | None) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or _sniff_delimiter(text))
    number = 0
    try:
        for record in reader:
            number += 1
            yield record
    except csv.Error as err:
        raise ImportRefused(
            "malformed", f"CSV 格式错误（第 {number + 1} 行）：{err}", f"malformed CSV (row {number + 1}): {err}"
        ) from err


def _xlsx_rows(data: bytes) -> Generator[list[str], None, None]:
    import openpyxl  # only XLSX uploads pay for importing it
    from openpyxl.utils.exceptions import InvalidFileException

    not_xlsx = ImportRefused(
        "not_xlsx",
        "这不是有效的 .xlsx 文件（文件已损坏或只是改了扩展名），请在 Excel 中另存为 .xlsx",
        "this is not a valid .xlsx file (damaged, or only renamed): save it from Excel as .xlsx",
    )
    if not data.startswith(ZIP_MAGIC):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive)
    except _XLSX_ERRORS as err:
        raise not_xlsx from err
    try:
        # Formulas as written (not their cached values), so a formula cell is reported as one.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, *_XLSX_ERRORS) as err:
        raise not_xlsx from err
    try:
        if not workbook.worksheets:
            raise ImportRefused("empty", "工作簿中没有工作表", "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong used range; read every row there is
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            # A row is as wide as its last cell; only a cell with content past the limit is refused.
            if len(cells) > MAX_COLUMNS and cells[-1].value is not None:
                raise ImportRefused(
                    "too_many_columns",
                    f"第 {number} 行第 {len(cells)} 列有内容，超过 {MAX_COLUMNS} 列的上限，请删除多余的列",
                    f"row {number} has content in column {len(cells)}, beyond the limit of {MAX_COLUMNS} "
                    "columns: delete the extra columns",
                )
            yield [
                _formula(cell.value) if cell.data_type == "f" else _cell_text(cell.value)
                for cell in cells[:MAX_COLUMNS]
            ]
    except (InvalidFileException, *_XLSX_ERRORS) as err:
        raise not_xlsx from err
    finally:
        workbook.close()


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook that unpacks too large, or holds a run of XML no real cell makes (module docstring)."""
    parts = archive.infolist()
    unpacked = sum(info.file_size for info in parts)
    largest = max((info.file_size for info in parts), default=0)
    for size, limit in ((unpacked, MAX_UNPACKED_BYTES), (largest, MAX_PART_BYTES)):
        if size <= limit:
            continue
        raise ImportRefused(
            "too_large",
            f"工作簿解压后有 {size // 1024 // 1024} MB，超过上限 {limit // 1024 // 1024} MB",
            f"the workbook unpacks to {size // 1024 // 1024} MB, above the limit of {limit // 1024 // 1024} MB",
        )
    window = MAX_RUN_BYTES // 2
    for info in parts:
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue  # pictures and the like are not parsed
        with archive.open(info) as part:
            # A run of 2 × window bytes without "<" covers a whole window, whatever its alignment.
            while len(chunk := part.read(window)) == window:
                if b"<" not in chunk:
                    raise ImportRefused(
                        "cell_too_large",
                        f"工作簿中有超长的单元格或内容（{info.filename}），Excel 单元格最多 32767 个字，"
                        "请检查文件后重新保存",
                        f"the workbook holds an oversized cell or text ({info.filename}); an Excel cell holds "
                        "at most 32,767 characters: check the file and save it again",
                    )


def _formula(value: object) -> Formula:
    return Formula(getattr(value, "text", None) or str(value))  # array formulas carry their text


def _cell_text(value: object) -> str:
    """A cell as the text a person typed: whole numbers without ``.0``, dates as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def header_key(text: str) -> str:
    """The form headers are compared in: NFKC, case-folded, without spaces, ``_``, ``*`` or a bracketed unit."""
    return _NOISE.sub("", _BRACKETED.sub("", unicodedata.normalize("NFKC", text).casefold()))


@dataclass(frozen=True)
class ImportField:
    """A field a column can feed, with the header names that mean it."""

    name: str
    label_zh: str
    label_en: str
    required: bool = False
    max_length: int | None = None
    joinable: bool = False  # several columns may feed it (联系人 + 联系电话); their texts are joined with a space
    aliases: tuple[str, ...] = ()


class Columns:
    """Which columns of a sheet feed which field, decided once per file.

    ``mapping`` ({header: field name, label or alias; "" leaves the column out}) overrides what the
    headers say; a field it assigns is taken from every other column.
    """

    def __init__(
        self, headers: Sequence[str], fields: Sequence[ImportField], mapping: Mapping[str, str] | None = None
    ) -> None:
        self.headers = tuple(headers)
        self.fields = {f.name: f for f in fields}
        self._by_key = {
            header_key(alias): f.name for f in fields for alias in (f.name, f.label_zh, f.label_en, *f.aliases)
        }
        chosen = {i: f for i, h in enumerate(self.headers) if h and (f := self._by_key.get(header_key(h)))}
        if mapping:
            explicit = self._explicit(mapping)
            taken = set(explicit.values())
            chosen = {i: f for i, f in chosen.items() if i not in explicit and f not in taken}
            chosen.update({i: f for i, f in explicit.items() if f})
        self.by_field: dict[str, tuple[int, ...]] = {}
        for i in sorted(chosen):
            self.by_field[chosen[i]] = (*self.by_field.get(chosen[i], ()), i)
        for name, indexes in self.by_field.items():
            if len(indexes) > 1 and not self.fields[name].joinable:
                names = [self.headers[i] for i in indexes]
                raise ImportRefused(
                    "duplicate_columns",
                    f"{'、'.join(names)} 这几列都对应“{self.fields[name].label_zh}”，请删去多余的列或指定列对应关系",
                    f"the columns {', '.join(names)} all mean {name}: remove the extra ones or map the columns "
                    "explicitly",
                    columns=names,
                )

    def _explicit(self, mapping: Mapping[str, str]) -> dict[int, str]:
        explicit: dict[int, str] = {}
        for header, target in mapping.items():
            name = self._by_key.get(header_key(target)) if target else ""
            if name is None:
                raise ImportRefused(
                    "mapping",
                    f"列“{header}”映射到未知字段“{target}”；可用字段：{'、'.join(self.fields)}",
                    f"column {header!r} is mapped to an unknown field {target!r}; the fields are "
                    f"{', '.join(self.fields)}",
                    columns=[header],
                )
            found = [i for i, h in enumerate(self.headers) if h == header.strip()] or [
                i for i, h in enumerate(self.headers) if h and header_key(h) == header_key(header)
            ]
            if not found:
                raise ImportRefused(
                    "mapping",
                    f"映射中的列“{header}”不在文件中；文件的列：{'、'.join(self.headers)}",
                    f"the mapped column {header!r} is not in the file; its columns are {', '.join(self.headers)}",
                    columns=[header],
                )
            explicit.update(dict.fromkeys(found, name))
        return explicit

    def missing(self) -> tuple[str, ...]:
        """Required fields no column feeds."""
        return tuple(name for name, f in self.fields.items() if f.required and name not in self.by_field)

    def require(self) -> None:
        """Refuse the file if a required field has no column."""
        missing = [self.fields[name] for name in self.missing()]
        if missing:
            raise ImportRefused(
                "missing_columns",
                f"缺少必需的列：{'、'.join(f.label_zh for f in missing)}。文件的列："
                f"{'、'.join(self.headers)}；可以改表头，或指定列对应关系",
                f"missing required columns: {', '.join(f'{f.name} ({f.label_zh})' for f in missing)}; the file's "
                f"columns are {', '.join(self.headers)}: rename a header or map the columns explicitly",
                columns=[f.label_zh for f in missing],
            )

    def mapping(self) -> dict[str, str]:
        """Header → field name, for every column that is read."""
        return {self.headers[i]: name for name, indexes in self.by_field.items() for i in indexes}

    def unmapped(self) -> tuple[str, ...]:
        read = {i for indexes in self.by_field.values() for i in indexes}
        return tuple(h for i, h in enumerate(self.headers) if h and i not in read)

    def formula_header(self, row: SheetRow, name: str) -> tuple[int, str] | None:
        """The 1-based number and header of the first column feeding a field that holds a formula in ``row``."""
        for i in self.by_field.get(name, ()):
            if i in row.formulas:
                return i + 1, self.headers[i]
        return None

    def text(self, row: SheetRow, name: str) -> str:
        """The trimmed text a row holds for a field ("" when no column feeds it)."""
        return " ".join(t for i in self.by_field.get(name, ()) if (t := row.cells[i].strip()))

    def header(self, name: str) -> str:
        """The header (as written) of the first column feeding a field."""
        return self.headers[self.by_field[name][0]]
