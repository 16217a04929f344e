"""Network folders as Excel workbooks, and back (``heatnet convert``; docs/excel.md).

A network workbook has one sheet per table (``nodes``, ``sources``, ``pipes``, ``demands``,
``profiles``) laid out as the CSV files are (header in row 1, one row per record, the same
column names), and a ``network`` sheet with the keys of ``network.yaml`` as ``key`` / ``value``
rows (nested keys flattened with dots: ``economics.carbon_price_cny_per_t``; lists as JSON
text: ``["P1", "S2"]``). Header cells carry the unit and the meaning of their column as cell
comments (from :mod:`heatnet.schema`), and the status, technology and true/false columns
have drop-down lists.

Reading a workbook goes through the folder loader: the sheets are written as CSV files into a
temporary folder and read by :func:`heatnet.io.read_network`, so a workbook is checked by the
very same rules. Every problem is then told in the workbook's terms (:class:`SheetProblem`:
sheet and Excel row instead of file and line).

Both directions write atomically (a temporary file or folder, renamed into place when
complete), and an existing target is an error unless ``force=True``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError, InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from heatnet import schema
from heatnet.errors import InputError, Problem
from heatnet.io import (
    CSV_ENCODING,
    parse_yaml,
    read_network,
    read_text,
    resolve_network_path,
    shareable_mode,
)
from heatnet.network import Network

NETWORK_SHEET = "network"
PROFILES_SHEET = "profiles"
TABLE_SHEETS: dict[str, schema.TableSchema] = {
    "nodes": schema.NODES,
    "sources": schema.SOURCES,
    "pipes": schema.PIPES,
    "demands": schema.DEMANDS,
}
"""Sheet name → the table it holds (the file is ``<sheet>.csv``)."""
SHEETS: tuple[str, ...] = (NETWORK_SHEET, *TABLE_SHEETS, PROFILES_SHEET)
"""The sheets of a network workbook, in order."""
NETWORK_HEADER: tuple[str, ...] = ("key", "value", "unit", "meaning")
"""Columns of the ``network`` sheet; only ``key`` and ``value`` are read back."""
DEFAULT_PROFILES_FILE = "profiles.csv"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
MAX_DROPDOWN_ROW = 1_048_576
"""Excel's last row: drop-down lists cover the whole column below the header."""

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FILL = PatternFill("solid", fgColor="EDEDED")
COMMENT_AUTHOR = "heatnet"


@dataclass(frozen=True)
class SheetProblem(Problem):
    """A :class:`~heatnet.errors.Problem` located in a workbook: ``file`` is
    ``"<book>, sheet '<sheet>'"``, ``row`` the Excel row (header = row 1; also in ``line``)."""

    sheet: str | None = None
    row: int | None = None

    def location(self) -> str:
        parts = [self.file or ""]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.id is not None:
            parts.append(f"id {self.id!r}")
        if self.column is not None:
            parts.append(f"field {self.column!r}")
        return ", ".join(p for p in parts if p)


def sheet_label(book: str, sheet: str) -> str:
    """How a problem names a sheet: ``jinan.xlsx, sheet 'sources'``."""
    return f"{book}, sheet {sheet!r}"


# --------------------------------------------------------------------------------------------
# cells


_INTEGER = re.compile(r"^-?(0|[1-9]\d{0,14})$")
_FORMULA_START = ("=",)


def number_cell(text: str, *, lenient: bool) -> float | int | str:
    """The number a CSV cell holds, or the text itself.

    ``lenient`` (numeric columns of the format, profile columns): any finite number becomes a
    number cell, read back as the same float. Otherwise (notes) only a number that reads back
    as exactly the same text (``7950``, ``0.5``), so that notes such as ``007`` or ``1e3`` stay
    as typed.
    """
    s = text.strip() if lenient else text
    if not s or "_" in s:
        return text
    try:
        x = float(s)
    except ValueError:
        return text
    if not math.isfinite(x):
        return text
    if _INTEGER.match(s):
        return int(s)
    return x if (lenient or repr(x) == s) else text


def cell_text(value: object) -> str:
    """The CSV text of a cell value read from a workbook (the inverse of :func:`number_cell`):
    numbers as Python writes them (``2250``, ``0.08``, ``8.44444e-05``), booleans as
    ``true``/``false``, dates as ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM`` with a time)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        fmt = "%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S"
        return value.strftime(fmt)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def set_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write a value into a cell; text stays text even when it starts with ``=`` (openpyxl
    would otherwise store it as a formula)."""
    cell = ws.cell(row=row, column=column, value=value)  # type: ignore[arg-type]
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
    return cell


def comment(text: str) -> Comment:
    """A header comment sized to its text."""
    lines = text.splitlines() or [""]
    height = 20 * (sum(1 + len(line) // 45 for line in lines) + 1)
    return Comment(text, COMMENT_AUTHOR, width=320, height=min(height, 400))


def column_comment(col: schema.Column) -> str:
    """The unit, meaning, valid values and default of a column, for its header comment."""
    lines = [col.meaning.rstrip(".") + "." if col.meaning else col.name]
    if col.applies_to:
        lines.append(f"Applies to: {col.applies_to}.")
    lines.append(f"Unit: {col.unit or '–'}")
    lines.append(f"Valid: {col.expected()}")
    if col.required:
        lines.append("Required in every row.")
    elif col.default not in (None, ""):
        default = col.default
        if isinstance(default, bool):
            default = "true" if default else "false"
        elif isinstance(default, float):
            default = f"{default:g}"
        lines.append(f"Empty = {default} (the default).")
    if col.extension:
        lines.append("(heatnet extension)")
    return "\n".join(lines)


NOTE_COMMENT = "A note column: heatnet does not read it, but keeps it and carries it into results."
PROFILE_COMMENT = (
    "A per-unit profile: a number >= 0 per period (demands.csv's profile and sources.csv's "
    "availability name these columns)."
)


# --------------------------------------------------------------------------------------------
# network.yaml as key / value rows


def flatten(doc: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted key, value)`` rows of a YAML mapping: nested mappings flattened with dots (an
    empty one stays a ``{}`` row), everything else (lists too) one row."""
    rows: list[tuple[str, Any]] = []
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            rows += flatten(value, f"{name}.")
        else:
            rows.append((name, value))
    return rows


def value_cell(value: Any) -> Any:
    """How a network.yaml value is written in the ``value`` column: numbers and booleans as
    such, null as an empty cell, lists and mappings as JSON text, text as text (JSON-quoted
    when it starts with ``[``, ``{`` or ``"``, so that it reads back as text)."""
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if text.startswith(("[", "{", '"')):
        return json.dumps(text, ensure_ascii=False)
    return text


def read_value_cell(value: Any) -> tuple[Any, str | None]:
    """The YAML value of a ``value`` cell (the inverse of :func:`value_cell`), and an error
    text if the cell cannot be read."""
    if value is None:
        return None, None
    if isinstance(value, bool | int | float):
        return value, None
    if isinstance(value, dt.datetime | dt.date):
        return cell_text(value), None
    text = str(value)
    if text.startswith('"'):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text, None
        return (parsed, None) if isinstance(parsed, str) else (text, None)
    if text.startswith(("[", "{")):
        try:
            return yaml.safe_load(text), None
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return None, f"{text[:60]!r} ({first})"
    return text, None


def _yaml_block_columns(block: str) -> dict[str, schema.Column]:
    """The schema of a network.yaml block (``economics`` → :data:`schema.ECONOMICS`), if the
    schema has one."""
    cols = getattr(schema, block.upper(), None)
    if isinstance(cols, tuple) and all(isinstance(c, schema.Column) for c in cols):
        return {c.name: c for c in cols}
    return {}


def key_column(key: str) -> schema.Column | None:
    """The schema column of a dotted network.yaml key, if any; a key inside a block's key
    (``pathway.demand_scale.2030``, ``constraints.min_heat_share.chp``) has that key's."""
    head, _, rest = key.partition(".")
    if not rest:
        return {c.name: c for c in schema.NETWORK_YAML}.get(head)
    columns = _yaml_block_columns(head)
    return columns.get(rest) or columns.get(rest.split(".", 1)[0])


# --------------------------------------------------------------------------------------------
# folder → workbook


def _raw_rows(path: Path, label: str) -> list[list[str]]:
    """Every record of a CSV file as text, blank lines left out (the file has been checked)."""
    text = read_text(path, label, []) or ""
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if rows:
        rows[0] = [c.strip() for c in rows[0]]
    return rows


def _profiles_file_name(name: str | None) -> str:
    """The profiles CSV's name in a folder written from a workbook: the base name of the path
    in network.yaml when it is a plain ``.csv`` name, else ``profiles.csv``."""
    if not name:
        return DEFAULT_PROFILES_FILE
    base = Path(str(name).replace("\\", "/")).name
    taken = {t.file for t in schema.TABLES}
    ok = base.lower().endswith(".csv") and not base.startswith(".") and base not in taken
    return base if ok and "\x00" not in base else DEFAULT_PROFILES_FILE


def _header_cell(ws: Worksheet, column: int, name: str, note: str, *, fill: PatternFill) -> None:
    cell = set_cell(ws, 1, column, name)
    cell.font = HEADER_FONT
    cell.fill = fill
    cell.comment = comment(note)


def _width(values: Sequence[object]) -> float:
    longest = max((len(cell_text(v)) for v in values[:200]), default=4)
    return float(min(max(longest + 2, 8), 45))


def _write_table_sheet(
    ws: Worksheet, rows: list[list[str]], columns: Mapping[str, schema.Column], *, profiles: bool
) -> None:
    """One table: header with comments, typed cells, drop-downs, frozen header."""
    if not rows:
        return
    header = rows[0]
    widths: list[list[object]] = [[h] for h in header]
    for j, name in enumerate(header, start=1):
        col = columns.get(name)
        if col is not None:
            _header_cell(ws, j, name, column_comment(col), fill=HEADER_FILL)
        elif profiles:
            _header_cell(ws, j, name, PROFILE_COMMENT, fill=HEADER_FILL)
        else:
            _header_cell(ws, j, name, NOTE_COMMENT, fill=NOTE_FILL)
    for i, record in enumerate(rows[1:], start=2):
        for j, name in enumerate(header, start=1):
            text = record[j - 1] if j - 1 < len(record) else ""
            if text == "":
                continue
            col = columns.get(name)
            numeric = (col is not None and col.dtype == "float") or (profiles and col is None)
            if col is not None and col.dtype != "float":
                value: object = text
            else:
                value = number_cell(text, lenient=numeric)
            set_cell(ws, i, j, value)
            widths[j - 1].append(value)
        # extra fields beyond the header are kept too (the loader reports them)
        for j in range(len(header) + 1, len(record) + 1):
            if record[j - 1] != "":
                set_cell(ws, i, j, record[j - 1])
    for j, name in enumerate(header, start=1):
        col = columns.get(name)
        choices = None
        if col is not None and col.choices:
            choices = col.choices
        elif col is not None and col.dtype == "bool":
            choices = ("true", "false")
        if choices:
            _dropdown(ws, j, choices, col)
        ws.column_dimensions[get_column_letter(j)].width = _width(widths[j - 1])
    ws.freeze_panes = "B2" if header and header[0] == "id" else "A2"


def _dropdown(ws: Worksheet, column: int, choices: Sequence[str], col: schema.Column) -> None:
    letter = get_column_letter(column)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=not col.required,
        showErrorMessage=True,
        errorTitle=f"{col.name}: not a valid value",
        error=f"Expected {col.expected()}.",
        showInputMessage=False,
    )
    dv.add(f"{letter}2:{letter}{MAX_DROPDOWN_ROW}")
    ws.add_data_validation(dv)


def _write_network_sheet(ws: Worksheet, doc: Mapping[str, Any], profiles_name: str) -> None:
    notes = (
        "Key of network.yaml; nested keys joined with dots (economics.discount_rate).",
        "The value: a number, text, true/false, empty for null; a list as JSON text "
        '(["P1", "S2"]).',
        "Unit of the value (not read back).",
        "What the key means (not read back).",
    )
    for j, (name, note) in enumerate(zip(NETWORK_HEADER, notes, strict=True), start=1):
        _header_cell(ws, j, name, note, fill=HEADER_FILL if j <= 2 else NOTE_FILL)
    doc = dict(doc)
    doc["profiles"] = profiles_name
    for i, (key, value) in enumerate(flatten(doc), start=2):
        set_cell(ws, i, 1, key)
        cell_value = value_cell(value)
        if cell_value is not None:
            set_cell(ws, i, 2, cell_value)
        col = key_column(key)
        meaning = col.meaning if col is not None else ""
        if key == "profiles":
            meaning = (
                f"file name of the profiles CSV when converted to a folder; the data is on "
                f"sheet {PROFILES_SHEET!r}"
            )
        if col is not None and col.unit:
            set_cell(ws, i, 3, col.unit)
        if meaning:
            set_cell(ws, i, 4, meaning)
    widths = (34, 40, 14, 80)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=False, horizontal="left")
    ws.freeze_panes = "A2"


def _existing_target(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise InputError(
            [
                Problem(
                    str(target),
                    "the target exists already",
                    expected="a new file or folder name",
                    found="a file" if target.is_file() else "a folder",
                    hint="Use --force (force=True) to replace it",
                )
            ],
            context="nothing written",
        )


def save_workbook_atomic(wb: Workbook, target: Path) -> None:
    """Save a workbook under a temporary name beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, shareable_mode())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def network_to_workbook(
    network: str | os.PathLike[str] | None, book: str | os.PathLike[str], *, force: bool = False
) -> tuple[Path, list[Problem]]:
    """Write a network folder as one workbook (see the module docstring).

    The folder is checked first (an invalid network raises :class:`InputError`); the cells are
    copied as the files hold them (numbers as number cells, notes and Chinese text as they
    are; the comments of network.yaml are not kept). Returns the workbook and the folder's
    warnings.
    """
    folder = resolve_network_path(network)
    target = Path(book)
    if target.suffix.lower() not in XLSX_SUFFIXES:
        raise InputError(
            [
                Problem(
                    str(target),
                    "not an Excel workbook name",
                    expected="a file name ending in .xlsx",
                    found=repr(target.name),
                )
            ]
        )
    _existing_target(target, force)
    net, problems = read_network(folder)
    if net is None:
        raise InputError(problems, context=f"network {folder} cannot be converted")
    # the loader's own YAML reading: 1.5e6 is a number (PyYAML alone reads it as text)
    doc = parse_yaml(read_text(folder / "network.yaml", "network.yaml", []) or "", "", []) or {}
    profiles_name = _profiles_file_name(doc.get("profiles"))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = NETWORK_SHEET
    _write_network_sheet(ws, doc, profiles_name)
    try:
        for sheet, table in TABLE_SHEETS.items():
            rows = _raw_rows(folder / table.file, table.file)
            _write_table_sheet(
                wb.create_sheet(sheet), rows, {c.name: c for c in table.columns}, profiles=False
            )
        assert net.profiles_path is not None
        rows = _raw_rows(Path(net.profiles_path), PROFILES_SHEET)
        _write_table_sheet(
            wb.create_sheet(PROFILES_SHEET),
            rows,
            {c.name: c for c in schema.PROFILES.columns},
            profiles=True,
        )
    except IllegalCharacterError as exc:
        raise InputError(
            [
                Problem(
                    str(folder),
                    "a cell holds a control character that Excel cannot store",
                    expected="printable text",
                    found=str(exc) or "a control character",
                )
            ]
        ) from exc
    save_workbook_atomic(wb, target)
    return target, [p for p in problems if p.severity == "warning"]


# --------------------------------------------------------------------------------------------
# workbook → folder


@dataclass
class _Extracted:
    """What :func:`_extract` wrote into a folder, and how to say its problems in sheet terms."""

    book: str
    profiles_name: str
    row_of_line: dict[str, dict[int, int]]  # file → CSV line → Excel row
    key_rows: dict[str, int]  # dotted network.yaml key → Excel row
    yaml_keys: dict[int, str]  # network.yaml line → dotted key
    problems: list[Problem]  # found while reading the workbook itself
    missing: set[str]  # sheets the workbook lacks


def _open_book(path: Path, *, data_only: bool) -> Any:
    return load_workbook(path, read_only=True, data_only=data_only)


def _sheet_values(
    ws: Any, computed: Callable[[], Any], book: str, sheet: str, problems: list[Problem]
) -> list[list[object]]:
    """The sheet's cell values row by row (row 1 first); a formula gives the value Excel saved
    with it (``computed()`` opens the workbook for those values, once)."""
    out: list[list[object]] = []
    formulas: list[tuple[int, int]] = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        values: list[object] = []
        for j, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                formulas.append((r, j))
            values.append(cell.value)
        while values and values[-1] in (None, ""):
            values.pop()
        out.append(values)
    if formulas:
        saved = list(computed()[sheet].iter_rows(values_only=True))
        for r, j in formulas:
            row_vals = saved[r - 1] if r - 1 < len(saved) else ()
            value = row_vals[j] if j < len(row_vals) else None
            if value is None:
                problems.append(
                    SheetProblem(
                        sheet_label(book, sheet),
                        "a formula without a computed value",
                        line=r,
                        sheet=sheet,
                        row=r,
                        column=get_column_letter(j + 1),
                        expected="a value, or a formula saved by Excel with its result",
                        found=str(out[r - 1][j])[:80],
                        hint="Open the workbook in Excel and save it, or paste values only",
                    )
                )
            out[r - 1][j] = value
    while out and not out[-1]:
        out.pop()
    return out


def _csv_text(rows: list[list[object]]) -> tuple[str, dict[int, int]]:
    """CSV text of a sheet's rows (every Excel row one record, blank rows as blank lines) and
    the Excel row of each CSV line on which a record starts."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for values in rows:
        if values:
            writer.writerow([cell_text(v) for v in values])
        else:
            buf.write("\n")
    text = buf.getvalue()
    row_of_line: dict[int, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for excel_row, _record in enumerate(reader, start=1):
        row_of_line[start] = excel_row
        start = reader.line_num + 1
    return text, row_of_line


def _yaml_key_lines(text: str) -> dict[int, str]:
    """network.yaml line → the dotted key that starts on it."""
    out: dict[int, str] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                key = f"{prefix}{k.value}"
                out.setdefault(k.start_mark.line + 1, key)
                walk(v, f"{key}.")

    with contextlib.suppress(yaml.YAMLError):
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            walk(root, "")
    return out


def _network_doc(
    rows: list[list[object]], book: str, problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, int]]:
    """network.yaml's content from the ``network`` sheet, and the row of each key."""
    label = sheet_label(book, NETWORK_SHEET)

    def bad(row: int, message: str, column: str, expected: str, found: str) -> None:
        problems.append(
            SheetProblem(
                label,
                message,
                line=row,
                sheet=NETWORK_SHEET,
                row=row,
                column=column,
                expected=expected,
                found=found,
            )
        )

    doc: dict[str, Any] = {}
    key_rows: dict[str, int] = {}
    header_row = None
    for r, values in enumerate(rows, start=1):
        if not values:
            continue
        if header_row is None:
            header_row = r
            names = [cell_text(v).strip().lower() for v in values[:2]]
            if names != list(NETWORK_HEADER[:2]):
                bad(
                    r,
                    "the first row must be the header",
                    "key",
                    "'key' in column A and 'value' in column B",
                    ", ".join(repr(n) for n in names) or "an empty row",
                )
                return doc, key_rows
            continue
        key = cell_text(values[0]).strip()
        raw = values[1] if len(values) > 1 else None
        if not key:
            if raw not in (None, ""):
                bad(r, "a value without a key", "key", "a key in column A", "an empty cell")
            continue
        value, error = read_value_cell(raw)
        if error:
            bad(r, "cannot read the value", key, "a number, a text, or a list as JSON", error)
            continue
        parts = key.split(".")
        if any(not p for p in parts):
            bad(r, "not a valid key", key, "names joined by dots", repr(key))
            continue
        node = doc
        clash = None
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                clash = ".".join(parts[: depth + 1])
                break
            node = child
        if clash is None and parts[-1] in node:
            clash = key
        if clash is not None:
            bad(
                r,
                "key given twice",
                key,
                "each key once",
                f"{key!r} (also on row {key_rows.get(clash, '?')})",
            )
            continue
        node[parts[-1]] = value
        key_rows[key] = r
        for depth in range(1, len(parts)):
            key_rows.setdefault(".".join(parts[:depth]), r)
    if header_row is None:
        bad(1, "the sheet is empty", "key", "a header row key | value and one row per key", "")
    return doc, key_rows


def _extract(book: Path, folder: Path) -> _Extracted:
    """Write the workbook's sheets as a network folder (network.yaml and CSV files) into an
    existing empty ``folder``."""
    name = book.name
    problems: list[Problem] = []
    try:
        wb = _open_book(book, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    str(book),
                    "cannot be read as an Excel workbook",
                    expected="an .xlsx file saved by Excel, LibreOffice or heatnet convert",
                    found=f"{type(exc).__name__}: {exc}"[:300],
                )
            ]
        ) from exc
    cached: Any = None
    try:
        present = list(wb.sheetnames)
        missing = {s for s in SHEETS if s not in present}
        by_fold = {s.casefold().strip(): s for s in present}
        for sheet in SHEETS:
            if sheet in missing:
                other = by_fold.get(sheet)
                problems.append(
                    SheetProblem(
                        sheet_label(name, sheet),
                        "sheet not found",
                        sheet=sheet,
                        expected=f"a sheet named {sheet!r}",
                        found="sheets " + ", ".join(repr(s) for s in present),
                        hint=f"Rename sheet {other!r} to {sheet!r}" if other else None,
                    )
                )

        def computed() -> Any:
            nonlocal cached
            if cached is None:
                cached = _open_book(book, data_only=True)
            return cached

        def values(sheet: str) -> list[list[object]]:
            return _sheet_values(wb[sheet], computed, name, sheet, problems)

        doc: dict[str, Any] = {}
        key_rows: dict[str, int] = {}
        if NETWORK_SHEET not in missing:
            doc, key_rows = _network_doc(values(NETWORK_SHEET), name, problems)
        profiles_name = _profiles_file_name(doc.get("profiles"))
        if "profiles" in doc:
            doc["profiles"] = profiles_name
        row_of_line: dict[str, dict[int, int]] = {}
        for sheet in (*TABLE_SHEETS, PROFILES_SHEET):
            if sheet in missing:
                continue
            file = TABLE_SHEETS[sheet].file if sheet in TABLE_SHEETS else profiles_name
            text, row_of_line[file] = _csv_text(values(sheet))
            (folder / file).write_text(text, encoding=CSV_ENCODING, newline="")
    finally:
        wb.close()
        if cached is not None:
            cached.close()
    yaml_keys: dict[int, str] = {}
    if NETWORK_SHEET not in missing:
        text = yaml.safe_dump(
            doc, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000
        )
        (folder / "network.yaml").write_text(text, encoding="utf-8")
        yaml_keys = _yaml_key_lines(text)
    return _Extracted(name, profiles_name, row_of_line, key_rows, yaml_keys, problems, missing)


def _translate(p: Problem, ex: _Extracted) -> Problem | None:
    """A folder problem told in workbook terms (None: already reported as a missing sheet)."""
    sheet_of = {t.file: s for s, t in TABLE_SHEETS.items()}
    sheet_of[ex.profiles_name] = PROFILES_SHEET
    sheet_of["network.yaml"] = NETWORK_SHEET
    sheet = sheet_of.get(p.file or "")
    if sheet is None:
        return p
    if sheet in ex.missing:
        return None
    row: int | None = None
    message, hint = p.message, p.hint
    if sheet == NETWORK_SHEET:
        key = p.column
        if p.line is not None and p.line in ex.yaml_keys:
            key = ex.yaml_keys[p.line]
        while key and key not in ex.key_rows and "." in key:
            key = key.rsplit(".", 1)[0]
        row = ex.key_rows.get(key or "")
        if p.message == "missing key":
            hint = f"Add a row with key {p.column!r} to sheet {NETWORK_SHEET!r}"
    elif p.line is not None:
        row = ex.row_of_line.get(sheet_of_file(sheet, ex), {}).get(p.line, p.line)
    if message == "file not found":
        message = "sheet not found"
    if hint:
        hint = _sheet_words(hint, sheet_of)
    found = _sheet_words(p.found, sheet_of) if p.found else p.found
    return SheetProblem(
        sheet_label(ex.book, sheet),
        message,
        line=row,
        id=p.id,
        column=p.column,
        expected=p.expected,
        found=found,
        hint=hint,
        severity=p.severity,
        sheet=sheet,
        row=row,
    )


def sheet_of_file(sheet: str, ex: _Extracted) -> str:
    """The CSV file a table sheet was written to."""
    return TABLE_SHEETS[sheet].file if sheet in TABLE_SHEETS else ex.profiles_name


_LINE_WORDS = re.compile(r"\b(?:on )?line (\d+)\b")


def _sheet_words(text: str, sheet_of: Mapping[str, str]) -> str:
    """File names and 'line N' in a hint or found text, in sheet terms."""
    text = _LINE_WORDS.sub(
        lambda m: f"{'on ' if m.group(0).startswith('on ') else ''}row {m.group(1)}", text
    )
    for file, sheet in sheet_of.items():
        text = text.replace(f"{file} ", f"sheet {sheet!r} ").replace(
            f"{file},", f"sheet {sheet!r},"
        )
    return text


def _check_extracted(book: Path, folder: Path) -> tuple[Network | None, list[Problem]]:
    ex = _extract(book, folder)
    problems = list(ex.problems)
    net, found = read_network(folder)
    for p in found:
        q = _translate(p, ex)
        if q is not None:
            problems.append(q)
    if any(p.severity == "error" for p in problems):
        net = None
    return net, problems


def read_workbook(book: str | os.PathLike[str]) -> tuple[Network | None, list[Problem]]:
    """Read and check a network workbook: the network (None if unusable) and every problem,
    located by sheet and Excel row (:class:`SheetProblem`). The network's ``folder`` is a
    temporary folder that no longer exists."""
    path = Path(book)
    if not path.is_file():
        return None, [
            Problem(
                str(path),
                "workbook not found",
                expected="an .xlsx file",
                found="no such file" if not path.exists() else "a folder",
            )
        ]
    with tempfile.TemporaryDirectory(prefix="heatnet-xlsx-") as tmp:
        return _check_extracted(path, Path(tmp))


def workbook_to_network(
    book: str | os.PathLike[str], folder: str | os.PathLike[str], *, force: bool = False
) -> tuple[Path, list[Problem]]:
    """Write a network workbook as a network folder, after checking it as the folder loader
    does (problems by sheet and row). The folder is written under a temporary name and
    renamed when complete; with ``force`` an existing target is replaced. Returns the folder
    and the warnings."""
    path = Path(book)
    target = Path(folder)
    _existing_target(target, force)
    if not path.is_file():
        raise InputError(read_workbook(path)[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        os.chmod(tmp, shareable_mode(folder=True))
        net, problems = _check_extracted(path, tmp)
        if net is None:
            raise InputError(problems, context=f"workbook {path} cannot be converted")
        for f in tmp.iterdir():
            os.chmod(f, shareable_mode())
        _replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target, [p for p in problems if p.severity == "warning"]


def _replace_folder(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``; an existing target is moved aside first and removed
    only once the new folder is in place."""
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def is_workbook(path: str | os.PathLike[str]) -> bool:
    """True for a path named like an Excel workbook (``.xlsx``, ``.xlsm``)."""
    return Path(path).suffix.lower() in XLSX_SUFFIXES


__all__ = [
    "NETWORK_SHEET",
    "SHEETS",
    "SheetProblem",
    "cell_text",
    "flatten",
    "is_workbook",
    "network_to_workbook",
    "read_workbook",
    "workbook_to_network",
]
