"""Reading and writing network folders (format: ``docs/format.md``).

:func:`load_network` reads a folder, converts every cell by the schema in
:mod:`heatnet.schema`, runs every check in :mod:`heatnet.validate` and either returns a
:class:`~heatnet.network.Network` or raises one :class:`~heatnet.errors.InputError` listing every
problem found. Nothing here writes unless asked to (:func:`write_network`).
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from heatnet import schema
from heatnet.errors import InputError, Problem, closest, did_you_mean
from heatnet.network import Constraints, Economics, Network, Pathway, Security, YearPoints
from heatnet.schema import MAX_MAGNITUDE, TOO_LARGE_HINT

TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}
LINE_COLUMN = "_line"


# --------------------------------------------------------------------------------------------
# raw text and CSV records


def read_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    """The file's text (UTF-8, BOM removed), or None with a problem recorded."""
    try:
        if not path.exists():
            problems.append(
                Problem(label, "file not found", expected=f"a file at {path}", found="nothing")
            )
            return None
        if path.is_dir():
            problems.append(
                Problem(
                    label, "is a folder, not a file", expected="a file", found=f"the folder {path}"
                )
            )
            return None
        if not path.is_file():
            problems.append(
                Problem(
                    label,
                    "is not a regular file",
                    expected="a file",
                    found=f"a device or pipe at {path}",
                )
            )
            return None
        data = path.read_bytes()
    except (OSError, ValueError) as exc:  # unreadable, name too long, NUL in the name
        problems.append(
            Problem(
                label,
                "cannot be read",
                expected="a readable file",
                found=f"{type(exc).__name__}: {exc}"[:300],
            )
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            guess = "it looks like GBK/GB18030 (what Excel's plain 'CSV' writes on Chinese Windows)"
        except UnicodeDecodeError:
            guess = "it is not text in any encoding heatnet recognises"
        problems.append(
            Problem(
                label,
                "the file is not UTF-8 text",
                line=line,
                expected="UTF-8 text",
                found=f"byte 0x{data[exc.start]:02x} at byte {exc.start}; {guess}",
                hint="Save it again as 'CSV UTF-8 (comma delimited)' or UTF-8 text",
            )
        )
        return None
    if "\x00" in text:
        problems.append(
            Problem(
                label,
                "the file contains NUL bytes",
                expected="plain text",
                found="binary data (is it an .xlsx saved with a .csv name?)",
            )
        )
        return None
    if not text.strip():
        problems.append(
            Problem(label, "the file is empty", expected="a header row and data", found="no text")
        )
        return None
    return text


@dataclass
class Records:
    """CSV content: the header and each data row with its 1-based line number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    header_line: int = 1


def read_records(text: str, label: str, problems: list[Problem]) -> Records | None:
    """Split CSV text into header and rows, checking the header and the field counts."""
    # strict: an unclosed quote is an error instead of silently swallowing the rows after it
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            line = start
            start = reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                header_line = line
                continue
            rows.append((line, record))
    except csv.Error as exc:
        problems.append(
            Problem(
                label,
                "cannot be read as CSV",
                line=start,
                expected="comma-separated fields, each quote closed and followed by a comma",
                found=str(exc),
                hint='Check the quote (") characters from this line on',
            )
        )
        return None
    if header is None:
        problems.append(
            Problem(label, "the file has no header row", expected="column names", found="no text")
        )
        return None
    ok = True
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name:
            problems.append(
                Problem(
                    label,
                    f"column {i + 1} of the header has no name",
                    line=header_line,
                    expected="a column name",
                    found="''",
                )
            )
            ok = False
        elif name in seen:
            problems.append(
                Problem(
                    label,
                    "duplicated column",
                    line=header_line,
                    column=name,
                    expected="each column name once",
                    found=f"{name!r} {header.count(name)} times",
                )
            )
            ok = False
        elif name == LINE_COLUMN:
            problems.append(
                Problem(
                    label,
                    "column name reserved by heatnet",
                    line=header_line,
                    column=name,
                    expected="any other column name",
                    found=repr(name),
                    hint="Rename the column",
                )
            )
            ok = False
        seen.add(name)
    for line, record in rows:
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            problems.append(
                Problem(
                    label,
                    "row has more fields than the header",
                    line=line,
                    expected=f"{len(header)} fields",
                    found=f"{len(record)} fields",
                    hint="Quote values that contain commas, or check for a shifted row",
                )
            )
            ok = False
    if not ok:
        return None
    rows = [(line, (rec + [""] * len(header))[: len(header)]) for line, rec in rows]
    return Records(header, rows, header_line)


# --------------------------------------------------------------------------------------------
# typed columns


def _fmt(value: str) -> str:
    return repr(value) if value != "" else "an empty cell"


def _full_width_hint(value: str) -> str | None:
    """A hint for numbers typed with full-width characters (e.g. １２３, common with a
    Chinese input method), which heatnet does not read as numbers."""
    ascii_form = unicodedata.normalize("NFKC", value)
    if ascii_form == value:
        return None
    try:
        float(ascii_form)
    except ValueError:
        return None
    return f"It is written with full-width characters; type it as {ascii_form}"


def convert_column(
    col: schema.Column,
    cells: Sequence[str],
    lines: Sequence[int],
    ids: Sequence[str | None],
    label: str,
    problems: list[Problem],
) -> pd.Series:
    """Convert one column's text cells to its schema type, recording every bad cell.

    Bad cells become NaN (floats), ``""`` (text) or the default (bool) so that later checks
    can still run on the rest of the table.
    """
    stripped = [c.strip() for c in cells]

    def bad(i: int, message: str, expected: str | None = None, hint: str | None = None) -> None:
        problems.append(
            Problem(
                label,
                message,
                line=lines[i],
                id=ids[i],
                column=col.name,
                expected=expected or col.expected(),
                found=_fmt(stripped[i]),
                hint=hint,
            )
        )

    if col.dtype == "float":
        raw = pd.Series(stripped, dtype=object)
        empty = raw == ""
        values = pd.to_numeric(raw.where(~empty, None), errors="coerce").astype(float)
        arr = values.to_numpy(copy=True)
        for i in np.flatnonzero(empty.to_numpy()):
            if col.required:
                bad(int(i), "missing value")
            elif col.default is not None:
                arr[i] = col.default
        notnum = (~empty & values.isna()).to_numpy()
        for i in np.flatnonzero(notnum):
            bad(int(i), "not a number", hint=_full_width_hint(stripped[int(i)]))
        for i in np.flatnonzero(np.isinf(arr)):
            bad(int(i), "infinite value")
            arr[i] = np.nan
        for i in np.flatnonzero(np.isfinite(arr)):
            if not col.in_range(float(arr[i])):
                bad(int(i), "value out of range")
                arr[i] = np.nan
            elif abs(arr[i]) > MAX_MAGNITUDE:
                bad(
                    int(i),
                    "number too large",
                    hint=TOO_LARGE_HINT,
                    expected=f"{col.expected()}, at most {MAX_MAGNITUDE:g} in size",
                )
                arr[i] = np.nan
        return pd.Series(arr, dtype=float)
    if col.dtype == "bool":
        out = []
        for i, s in enumerate(stripped):
            low = s.lower()
            if low in TRUE_WORDS:
                out.append(True)
            elif low in FALSE_WORDS:
                out.append(False)
            else:
                if s == "" and not col.required:
                    out.append(bool(col.default))
                    continue
                bad(i, "not a true/false value")
                out.append(bool(col.default))
        return pd.Series(out, dtype=bool)
    out_text: list[str] = []
    for i, s in enumerate(stripped):
        if s == "":
            if col.required:
                bad(i, "missing value")
            out_text.append("" if col.default is None else str(col.default))
            continue
        if col.choices is not None:
            low = s.lower()
            if low not in col.choices:
                bad(i, f"unknown {col.name}", hint=did_you_mean(low, col.choices))
                out_text.append("")
                continue
            s = low
        out_text.append(s)
    return pd.Series(out_text, dtype=object)


def _unknown_column(
    table: schema.TableSchema, header: Sequence[str], name: str, line: int, label: str
) -> list[Problem]:
    """An error for a column heatnet does not read but that looks like data: close to a column
    of the table that the file lacks (a misspelling), or carrying a unit
    (:func:`schema.has_unit`). Other unknown columns are notes: no problem."""
    if name.lower().startswith(schema.NOTE_PREFIX):
        return []
    absent = [n for n in table.names if n not in header]
    meant = closest(name, absent)
    if meant is None and not schema.has_unit(name):
        return []
    meant = meant or closest(name, table.names)
    hints = [f"Did you mean {meant!r}?"] if meant else []
    if meant in absent and not table.column(meant).required:
        hints.append(
            f"Until it is renamed, every row takes {meant} = "
            f"{_default_words(table.column(meant))} (the default)."
        )
    owners = [t.file for t in schema.TABLES if t is not table and name in t.names]
    if owners:
        hints.append(f"{name!r} is a column of {', '.join(owners)}, not of {table.file}.")
    if not meant:
        hints.append(
            f"heatnet does not read it; if it is only a note, name it {schema.NOTE_PREFIX}{name} "
            "or without a unit (_cny, _mw, _mwh, _t, _km, _year, _years, _per_)."
        )
    return [
        Problem(
            label,
            "unknown column",
            line=line,
            column=name,
            expected=f"a column named {meant!r}"
            if meant
            else f"a known column of {table.file}; see heatnet format-doc",
            found=repr(name),
            hint=" ".join(hints).rstrip("."),
        )
    ]


def _default_words(col: schema.Column) -> str:
    if col.default is None or col.default == "":
        return "empty"
    if isinstance(col.default, bool):
        return "true" if col.default else "false"
    return f"{col.default:g}" if isinstance(col.default, float) else str(col.default)


def parse_table(
    table: schema.TableSchema, records: Records, label: str, problems: list[Problem]
) -> pd.DataFrame:
    """Typed DataFrame of one network CSV (schema columns first, extras after, ``_line``)."""
    header = records.header
    lines = [line for line, _ in records.rows]
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    extras = [h for h in header if h not in table.names]
    renamed: set[str] = set()  # extras a missing-column problem already names
    for name in missing:
        close = difflib.get_close_matches(name, extras, n=1, cutoff=0.6)
        renamed.update(close)
        problems.append(
            Problem(
                label,
                "missing column",
                line=records.header_line,
                column=name,
                expected=f"a column named {name!r}",
                found="columns " + ", ".join(header),
                hint=f"rename column {close[0]!r} to {name!r}" if close else None,
            )
        )
    if not table.named_columns:
        for h in extras:
            if h not in renamed:
                problems += _unknown_column(table, header, h, records.header_line, label)
    by_name = {h: [rec[i] for _, rec in records.rows] for i, h in enumerate(header)}
    if table.id_column and table.id_column in by_name:
        ids: list[str | None] = [c.strip() or None for c in by_name[table.id_column]]
    else:
        ids = [None] * len(lines)
    data: dict[str, pd.Series] = {}
    for col in table.columns:
        if col.name in by_name:
            data[col.name] = convert_column(col, by_name[col.name], lines, ids, label, problems)
        elif col.required:
            data[col.name] = pd.Series(
                [np.nan if col.dtype == "float" else ""] * len(lines),
                dtype=float if col.dtype == "float" else object,
            )
        else:
            fill = (
                col.default if col.default is not None else (np.nan if col.dtype == "float" else "")
            )
            data[col.name] = pd.Series(
                [fill] * len(lines),
                dtype=(float if col.dtype == "float" else bool if col.dtype == "bool" else object),
            )
    for h in header:
        if h not in data:
            data[h] = pd.Series([c.strip() for c in by_name[h]], dtype=object)
    df = pd.DataFrame(data)
    df[LINE_COLUMN] = lines
    return df


# --------------------------------------------------------------------------------------------
# network.yaml


def _yaml_line(text: str, path: Sequence[str]) -> int | None:
    """Line of the key at ``path`` in a YAML text (1-based), found by composing the nodes."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return line
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                line = k.start_mark.line + 1
                node = v
                break
        else:
            return line
    return line


def _yaml_value(
    col: schema.Column,
    value: Any,
    label: str,
    key: str,
    line: int | None,
    problems: list[Problem],
) -> Any:
    if value is None:
        if col.required:
            problems.append(
                Problem(
                    label,
                    "missing value",
                    line=line,
                    column=key,
                    expected=col.expected(),
                    found="nothing",
                )
            )
        return col.default
    if col.dtype == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(
                Problem(
                    label,
                    "not a number",
                    line=line,
                    column=key,
                    expected=col.expected(),
                    found=repr(value),
                )
            )
            return col.default
        try:
            v = float(value)
        except OverflowError:  # an integer with hundreds of digits
            v = math.inf
        if not math.isfinite(v) or not col.in_range(v):
            problems.append(
                Problem(
                    label,
                    "value out of range",
                    line=line,
                    column=key,
                    expected=col.expected(),
                    found=_short_repr(value),
                )
            )
            return col.default
        if abs(v) > MAX_MAGNITUDE:
            problems.append(
                Problem(
                    label,
                    "number too large",
                    line=line,
                    column=key,
                    expected=f"{col.expected()}, at most {MAX_MAGNITUDE:g} in size",
                    found=_short_repr(value),
                    hint=TOO_LARGE_HINT,
                )
            )
            return col.default
        return v
    if not isinstance(value, str):
        problems.append(
            Problem(
                label,
                "not a text",
                line=line,
                column=key,
                expected=col.expected(),
                found=repr(value),
            )
        )
        return col.default
    return value


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(text)} characters)"


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that records duplicated keys instead of keeping the last silently."""

    duplicates: list[tuple[str, int]]


def _construct_mapping(
    loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        try:
            duplicated = key in seen
        except TypeError:
            continue
        if duplicated:
            loader.duplicates.append((str(key), key_node.start_mark.line + 1))
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# YAML 1.1 (PyYAML) reads 1.5e6 and 1e12 as text (it wants a dot and a signed exponent); read them
# as numbers, as YAML 1.2 and every planner does. Quoted '1e6' stays text.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def yaml_problem(exc: yaml.YAMLError, text: str, label: str, expected: str) -> Problem:
    """A YAML syntax error as a problem: line, what the parser saw, and that line's text."""
    if isinstance(exc, yaml.reader.ReaderError):  # a control character, not a syntax error
        line = text[: exc.position].count("\n") + 1
        return Problem(
            label,
            "not valid YAML: a character YAML does not allow",
            line=line,
            expected=expected,
            found=f"character U+{exc.character:04X}"
            if isinstance(exc.character, int)
            else repr(exc.character),
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = getattr(exc, "problem", None) or getattr(exc, "context", None) or "syntax error"
    line = mark.line + 1 if mark else None
    lines = text.split("\n")
    found = (
        repr(lines[line - 1].strip())
        if line is not None and line <= len(lines)
        else "the end of the file"
    )
    if found == "''":
        at_end = line is not None and line >= len(lines)
        found = "the end of the file" if at_end else "an empty line"
    return Problem(label, f"not valid YAML: {what}", line=line, expected=expected, found=found)


def parse_yaml(text: str, label: str, problems: list[Problem]) -> Any:
    """Parse YAML safely; syntax errors and duplicated keys become problems (None returned
    on a syntax error)."""
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # raises ReaderError on control characters
        loader.duplicates = []
        doc = loader.get_single_data()
    except yaml.YAMLError as exc:
        problems.append(yaml_problem(exc, text, label, "a YAML mapping of keys to values"))
        return None
    finally:
        if loader is not None:
            loader.dispose()
    for key, line in loader.duplicates:
        problems.append(
            Problem(
                label,
                "duplicated key",
                line=line,
                column=key,
                expected="each key once in its mapping",
                found=f"{key!r} again",
            )
        )
    return doc


SECURITY_KEYS: dict[str, schema.Column] = {c.name: c for c in schema.SECURITY}
"""The keys of the ``security:`` mapping (network.yaml and scenario files)."""
AUTO = "auto"

SecurityReport = Callable[[tuple[str, ...], str, str, str, "str | None"], None]
"""Records one problem of a security block: (key path under ``security``, message, expected,
found, hint)."""


def _security_number(
    col: schema.Column,
    value: Any,
    report: SecurityReport,
    text_numbers: bool,
    path: tuple[str, ...] | None = None,
) -> float | None:
    """A security or constraints key's number, or None with the problem reported (at
    ``path``, default ``(col.name,)``)."""
    path = (col.name,) if path is None else path
    if text_numbers and isinstance(value, str):  # scenario files: PyYAML reads 1e6 as text
        value = _number_or_text(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        report(path, "not a number", col.expected(), repr(value), None)
        return None
    try:
        v = float(value)
    except OverflowError:  # an integer with hundreds of digits
        v = math.inf
    if not math.isfinite(v) or not col.in_range(v):
        report(path, "value out of range", col.expected(), _short_repr(value), None)
        return None
    if abs(v) > MAX_MAGNITUDE:
        expected = f"{col.expected()}, at most {MAX_MAGNITUDE:g} in size"
        report(path, "number too large", expected, _short_repr(value), TOO_LARGE_HINT)
        return None
    return v


def _number_or_text(value: str) -> float | str:
    try:
        return float(value.strip())
    except ValueError:
        return value


_BAD = object()


def _contingency_list(value: Any, report: SecurityReport) -> Any:
    """``auto`` (None), a tuple of ids, or ``_BAD`` with the problems reported."""
    col = SECURITY_KEYS["contingencies"]
    if value is None or (isinstance(value, str) and value.strip().lower() == AUTO):
        return None
    if isinstance(value, str):
        hint = did_you_mean(value.strip(), [AUTO]) or (
            f"A list of one id is written [{value.strip()}]"
        )
        report(("contingencies",), "not auto or a list of ids", col.expected(), repr(value), hint)
        return _BAD
    if not isinstance(value, list):
        found = f"{type(value).__name__} {_short_repr(value)}"
        report(("contingencies",), "not auto or a list of ids", col.expected(), found, None)
        return _BAD
    ids: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            ids.append(item.strip())
        elif isinstance(item, int) and not isinstance(item, bool):
            ids.append(str(item))
        else:
            found = "nothing" if item is None or item == "" else _short_repr(item)
            found += f" (item {i + 1})"
            report(("contingencies", str(i)), "not an id", "a pipe or source id", found, None)
    return tuple(ids)  # with a bad item reported, the good ones are still checked


def parse_security(
    block: Mapping[Any, Any], report: SecurityReport, *, text_numbers: bool = False
) -> dict[str, Any]:
    """The valid values of a ``security:`` mapping by key, every bad key or value reported.

    ``contingencies`` becomes None for ``auto`` or a tuple of ids; a null value stands for the
    key's default. Whether ``served_share`` is there is for the caller to check (a scenario
    may leave it to the network). Ids are checked against the network by
    :func:`heatnet.validate.check_security`.
    """
    out: dict[str, Any] = {}
    for raw_key, value in block.items():
        key = str(raw_key)
        col = SECURITY_KEYS.get(key)
        if col is None:
            expected = "one of " + ", ".join(SECURITY_KEYS)
            report((key,), "unknown key", expected, repr(raw_key), did_you_mean(key, SECURITY_KEYS))
        elif key == "contingencies":
            ids = _contingency_list(value, report)
            if ids is not _BAD:
                out[key] = ids
        elif value is None:
            if col.required:
                report((key,), "missing value", col.expected(), "nothing", None)
            else:
                out[key] = col.default
        else:
            v = _security_number(col, value, report, text_numbers)
            if v is not None:
                out[key] = v
    return out


CONSTRAINT_KEYS: dict[str, schema.Column] = {c.name: c for c in schema.CONSTRAINTS}
"""The keys of the ``constraints:`` mapping (network.yaml and scenario files)."""
GROUP_KEYS = ("retire_together", "at_most_one_of")
"""The keys of the ``constraints:`` mapping whose value is a list of groups of ids."""

ConstraintsReport = SecurityReport
"""Records one problem of a constraints block: (key path under ``constraints``, message,
expected, found, hint). A path is ``(key,)``, ``(key, group)`` or ``(key, group, item)`` with
0-based indices as text, or ``("min_heat_share", technology)``."""


def _id_text(item: Any) -> str | None:
    """An id written in a YAML list (text or a plain integer), or None."""
    if isinstance(item, str) and item.strip():
        return item.strip()
    if isinstance(item, int) and not isinstance(item, bool):
        return str(item)
    return None


def _groups(key: str, value: Any, report: ConstraintsReport) -> Any:
    """A tuple of groups of ids, or ``_BAD`` with the problems reported.

    A group that is not a list stays in the result as ``()`` and an item that is not an id
    as ``""`` (both reported), so that the other ids keep their places: a network with
    problems is not returned, but its ids are still checked (all problems at once)."""
    col = CONSTRAINT_KEYS[key]
    if value is None:
        return ()
    if not isinstance(value, list):
        found = f"{type(value).__name__} {_short_repr(value)}"
        hint = None
        if isinstance(value, str):
            hint = f"A list of one group is written [[{value.strip()}, …]]"
        report((key,), "not a list of groups", col.expected(), found, hint)
        return _BAD
    if value and all(_id_text(item) is not None for item in value):
        shown = ", ".join(str(_id_text(item)) for item in value)
        hint = f"A list of one group is written [[{shown}]]" if len(value) > 1 else None
        report((key,), "not a list of groups", col.expected(), _short_repr(value), hint)
        return _BAD
    groups: list[tuple[str, ...]] = []
    for i, group in enumerate(value):
        where = (key, str(i))
        if not isinstance(group, list):
            found = "nothing" if group is None else _short_repr(group)
            report(where, "not a group of ids", col.expected(), f"{found} (group {i + 1})", None)
            groups.append(())
            continue
        if len(group) < 2:
            found = f"{_short_repr(group)} (group {i + 1})"
            report(
                where,
                "a group of fewer than 2 ids says nothing",
                "a group of at least 2 ids",
                found,
                None,
            )
        ids: list[str] = []
        for j, item in enumerate(group):
            ident = _id_text(item)
            if ident is None:
                found = "nothing" if item is None or item == "" else _short_repr(item)
                found += f" (item {j + 1} of group {i + 1})"
                what = "a retirable source id" if key == "retire_together" else "a candidate id"
                report((key, str(i), str(j)), "not an id", what, found, None)
                ids.append("")
            else:
                ids.append(ident)
        groups.append(tuple(ids))
    return tuple(groups)


def _heat_shares(value: Any, report: ConstraintsReport, text_numbers: bool) -> Any:
    """``((technology, share), ...)`` in file order, or ``_BAD`` with the problems reported
    (a bad technology or share is left out, the others kept)."""
    key = "min_heat_share"
    col = CONSTRAINT_KEYS[key]
    if value is None:
        return ()
    if not isinstance(value, dict):
        found = f"{type(value).__name__} {_short_repr(value)}"
        report((key,), "not a mapping of technology to share", col.expected(), found, None)
        return _BAD
    shares: list[tuple[str, float]] = []
    first: dict[str, str] = {}
    for raw_tech, raw_share in value.items():
        tech = str(raw_tech).strip().lower()
        where = (key, str(raw_tech))
        if tech not in schema.TECHNOLOGIES:
            expected = "one of " + ", ".join(schema.TECHNOLOGIES)
            hint = did_you_mean(tech, schema.TECHNOLOGIES)
            report(where, "unknown technology", expected, repr(raw_tech), hint)
            continue
        if tech in first:
            found = f"{raw_tech!r} again (first as {first[tech]!r})"
            report(where, "technology named twice", "each technology once", found, None)
            continue
        first[tech] = str(raw_tech)
        if raw_share is None:
            report(where, "missing value", schema.MIN_HEAT_SHARE.expected(), "nothing", None)
            continue
        share = _security_number(schema.MIN_HEAT_SHARE, raw_share, report, text_numbers, where)
        if share is not None:
            shares.append((tech, share))
    return tuple(shares)


def parse_constraints(
    block: Mapping[Any, Any], report: ConstraintsReport, *, text_numbers: bool = False
) -> dict[str, Any]:
    """The valid values of a ``constraints:`` mapping by key, every bad key or value reported.

    ``capex_budget_cny`` becomes a float (None for null: no budget), ``retire_together`` and
    ``at_most_one_of`` tuples of groups of ids, ``min_heat_share`` ``((technology, share),
    ...)``; a null value stands for the key's default (no rule). Ids, statuses, ids repeated
    in a group and the sum of the shares are checked against the network by
    :func:`heatnet.validate.check_constraints`.
    """
    out: dict[str, Any] = {}
    for raw_key, value in block.items():
        key = str(raw_key)
        col = CONSTRAINT_KEYS.get(key)
        if col is None:
            expected = "one of " + ", ".join(CONSTRAINT_KEYS)
            hint = did_you_mean(key, CONSTRAINT_KEYS)
            report((key,), "unknown key", expected, repr(raw_key), hint)
            continue
        if key in GROUP_KEYS:
            v = _groups(key, value, report)
        elif key == "min_heat_share":
            v = _heat_shares(value, report, text_numbers)
        elif value is None:
            v = None
        else:
            v = _security_number(col, value, report, text_numbers)
            if v is None:
                v = _BAD
        if v is not _BAD:
            out[key] = v
    return out


PATHWAY_KEYS: dict[str, schema.Column] = {c.name: c for c in schema.PATHWAY}
"""The keys of the ``pathway:`` mapping (network.yaml and scenario files)."""

PathwayReport = SecurityReport
"""Records one problem of a pathway block: (key path under ``pathway``, message, expected,
found, hint). A path is ``(key,)``, ``("years", item)`` with a 0-based index as text, or
``(key, year)`` for one year of a per-year mapping, the year as written."""

_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,9}$")


def whole_year(value: Any, *, text: bool = False) -> int | None:
    """A year written in YAML: an integer, a float without a fraction, or (``text``) integer
    text (the keys of a mapping that went through JSON, as in the Excel and GIS round trips,
    or a scenario file's), of at most 9 digits; None for anything else."""
    year: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        year = int(value)
    elif text and isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        year = int(value.strip())
    return year if year is not None and abs(year) < 10**9 else None


def _year_list(value: Any, report: PathwayReport, text_numbers: bool) -> Any:
    """``pathway.years`` as a tuple of the whole years given, or ``_BAD`` with the problems
    reported (an item that is not a year is left out; out of order or repeated years are
    reported and kept, so that the other keys are still checked against them)."""
    col = PATHWAY_KEYS["years"]
    if value is None:
        report(("years",), "missing value", col.expected(), "nothing", None)
        return _BAD
    if not isinstance(value, list):
        found = f"{type(value).__name__} {_short_repr(value)}"
        year = whole_year(value, text=True)
        hint = f"A list of one year is written [{year}]" if year is not None else None
        report(("years",), "not a list of years", col.expected(), found, hint)
        return _BAD
    if not value:
        report(("years",), "no years", col.expected(), "an empty list", None)
        return _BAD
    years: list[int] = []
    for i, item in enumerate(value):
        year = whole_year(item, text=text_numbers)
        if year is None:
            found = "nothing" if item is None or item == "" else _short_repr(item)
            report(
                ("years", str(i)),
                "not a whole year",
                col.expected(),
                f"{found} (item {i + 1})",
                None,
            )
            continue
        if years and year <= years[-1]:
            expected = "years strictly increasing, each once"
            if year in years:
                found = f"{year} again (item {i + 1}; first as item {years.index(year) + 1})"
                report(("years", str(i)), "year named twice", expected, found, None)
            else:
                found = f"{year} after {years[-1]} (item {i + 1})"
                report(("years", str(i)), "years out of order", expected, found, None)
        years.append(year)
    return tuple(years) if years else _BAD


def _per_year(key: str, value: Any, report: PathwayReport, text_numbers: bool) -> Any:
    """A per-year key of ``pathway:``: a float (a plain number: the same every year),
    ``((year, value), ...)`` in year order (a mapping), the key's default for null, or
    ``_BAD`` with the problems reported (a bad year or value is left out, the others kept)."""
    col = PATHWAY_KEYS[key]
    per_value = dataclasses.replace(col, valid="")
    if value is None:
        return () if key == "demand_scale" else None
    if isinstance(value, dict):
        points: dict[int, float] = {}
        first: dict[int, Any] = {}
        for raw_year, raw_value in value.items():
            where = (key, str(raw_year))
            year = whole_year(raw_year, text=True)
            if year is None:
                expected = "a whole year of pathway.years as the key"
                report(where, "not a year", expected, _short_repr(raw_year), None)
                continue
            if year in first:
                found = f"{raw_year!r} again (first as {first[year]!r})"
                report(where, "year named twice", "each year once", found, None)
                continue
            first[year] = raw_year
            if raw_value is None:
                report(where, "missing value", per_value.expected(), "nothing", None)
                continue
            v = _security_number(per_value, raw_value, report, text_numbers, where)
            if v is not None:
                points[year] = v
        if not points:  # an empty mapping (or only bad entries): as if not given
            return () if key == "demand_scale" else None
        return tuple(sorted(points.items()))
    if isinstance(value, list):
        found = f"list {_short_repr(value)}"
        report((key,), "not a number or a mapping of year to value", col.expected(), found, None)
        return _BAD
    v = _security_number(per_value, value, report, text_numbers)
    return _BAD if v is None else v


def parse_pathway(
    block: Mapping[Any, Any], report: PathwayReport, *, text_numbers: bool = False
) -> dict[str, Any]:
    """The valid values of a ``pathway:`` mapping by key, every bad key or value reported.

    ``years`` becomes a tuple of ints; a per-year key (:data:`heatnet.schema.PATHWAY_PER_YEAR`)
    a float for a plain number or ``((year, value), ...)`` in year order for a mapping, null
    its default (``()`` for demand_scale, None for the others: the economics value);
    ``co2_peak_year`` an int (None for null). Whether the years of the mappings and the peak
    year are among ``years`` is checked on the network by
    :func:`heatnet.validate.check_pathway` (a scenario may give some keys and leave ``years``
    to the network); :func:`make_pathway` turns the values into a
    :class:`~heatnet.network.Pathway`.
    """
    out: dict[str, Any] = {}
    for raw_key, value in block.items():
        key = str(raw_key)
        col = PATHWAY_KEYS.get(key)
        if col is None:
            expected = "one of " + ", ".join(PATHWAY_KEYS)
            report((key,), "unknown key", expected, repr(raw_key), did_you_mean(key, PATHWAY_KEYS))
            continue
        if key == "years":
            v = _year_list(value, report, text_numbers)
        elif key == "co2_peak_year":
            v = None if value is None else whole_year(value, text=text_numbers)
            if v is None and value is not None:
                report((key,), "not a whole year", col.expected(), _short_repr(value), None)
                v = _BAD
        else:
            v = _per_year(key, value, report, text_numbers)
        if v is not _BAD:
            out[key] = v
    return out


def make_pathway(values: Mapping[str, Any], base: Pathway | None = None) -> Pathway:
    """A :class:`~heatnet.network.Pathway` from the values of :func:`parse_pathway`, each key
    not given taken from ``base`` (a scenario's keys over the network's block), else its
    default.

    A plain number is stored as one point at the first year, ``((years[0], value),)``: the
    same value in every year. A key taken from ``base`` that is such a single point at the
    base's first year follows a new first year (a scenario that changes ``years`` keeps "the
    same every year"); other points keep their years and must be among the new years.
    """
    base_years: tuple[int, ...] = base.years if base is not None else ()
    years: tuple[int, ...] = tuple(values.get("years", base_years))

    def points(key: str) -> YearPoints | None:
        if key in values:
            v = values[key]
            if isinstance(v, float):
                return ((years[0], v),) if years else ()
            return v  # type: ignore[no-any-return]
        old: YearPoints | None = getattr(base, key) if base is not None else None
        if not old:
            return () if key == "demand_scale" else None
        if base_years and years and len(old) == 1 and old[0][0] == base_years[0]:
            return ((years[0], old[0][1]),)  # the same every year, from the new first year
        return old

    peak = values.get("co2_peak_year", base.co2_peak_year if base is not None else None)
    return Pathway(
        years=years,
        demand_scale=points("demand_scale") or (),
        carbon_price_cny_per_t=points("carbon_price_cny_per_t"),
        co2_cap_t=points("co2_cap_t"),
        co2_peak_year=peak,
    )


def pathway_document(pathway: Pathway) -> dict[str, Any]:
    """A pathway block as network.yaml writes it: ``years``, each per-year key that is set as
    a mapping of year to value, and ``co2_peak_year`` if set (read back, the same
    :class:`~heatnet.network.Pathway`)."""
    doc: dict[str, Any] = {"years": [int(y) for y in pathway.years]}
    for key in schema.PATHWAY_PER_YEAR:
        points = getattr(pathway, key)
        if points:
            doc[key] = {int(y): float(v) for y, v in points}
    if pathway.co2_peak_year is not None:
        doc["co2_peak_year"] = int(pathway.co2_peak_year)
    return doc


def block_lines(text: str, path: Sequence[str]) -> dict[str, int]:
    """The line (1-based) of the mapping found at ``path`` in a YAML text and of everything
    in it, keyed by its name and dotted path: ``{"security": line, "security.KEY": line,
    "security.contingencies.I": line}``, ``{"constraints.KEY.I.J": line,
    "constraints.min_heat_share.TECH": line}`` (I and J 0-based list indices)."""
    name = path[-1]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    out: dict[str, int] = {}
    for i, key in enumerate(path):
        if not isinstance(node, yaml.MappingNode):
            return out
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                if i == len(path) - 1:
                    out[name] = k.start_mark.line + 1
                node = v
                break
        else:
            return out

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    out.setdefault(f"{prefix}.{k.value}", k.start_mark.line + 1)
                    walk(v, f"{prefix}.{k.value}")
        elif isinstance(node, yaml.SequenceNode):
            for j, item in enumerate(node.value):
                out[f"{prefix}.{j}"] = item.start_mark.line + 1
                walk(item, f"{prefix}.{j}")

    if isinstance(node, yaml.MappingNode):
        walk(node, name)
    return out


def constraints_document(rules: Constraints) -> dict[str, Any]:
    """A constraints block as network.yaml writes it (every key, lists and a mapping)."""
    return {
        "capex_budget_cny": rules.capex_budget_cny,
        "retire_together": [list(g) for g in rules.retire_together],
        "at_most_one_of": [list(g) for g in rules.at_most_one_of],
        "min_heat_share": dict(rules.min_heat_share),
    }


def read_network_yaml(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], Economics]:
    """``name``, ``description``, ``profiles`` and the economics of a network.yaml.

    The ``security:`` block goes into the returned settings as ``security`` (a
    :class:`~heatnet.network.Security` or None), with ``security_lines`` (see
    :func:`block_lines`) for the messages of :func:`heatnet.validate.check_security`;
    the ``constraints:`` block as ``constraints`` (a :class:`~heatnet.network.Constraints` or
    None) with ``constraints_lines`` for those of :func:`heatnet.validate.check_constraints`;
    the ``pathway:`` block as ``pathway`` (a :class:`~heatnet.network.Pathway` or None) with
    ``pathway_lines`` for those of :func:`heatnet.validate.check_pathway`.
    """
    label = path.name
    config: dict[str, Any] = {c.name: c.default for c in schema.NETWORK_YAML}
    text = read_text(path, label, problems)
    if text is None:
        return config, Economics()
    n_before = len(problems)
    doc = parse_yaml(text, label, problems)
    if doc is None:
        if len(problems) == n_before:  # only comments, or an empty document ("---")
            problems.append(
                Problem(
                    label,
                    "no settings in the file",
                    expected="keys such as name:, profiles:, economics:",
                    found="only comments or an empty YAML document",
                )
            )
        return config, Economics()
    if not isinstance(doc, dict):
        problems.append(
            Problem(
                label,
                "not a YAML mapping",
                expected="keys such as name:, profiles:, economics:",
                found=type(doc).__name__,
            )
        )
        return config, Economics()
    known = {c.name: c for c in schema.NETWORK_YAML}
    readers = {
        "security": _read_security,
        "constraints": _read_constraints,
        "pathway": _read_pathway,
    }
    blocks = ["economics", *readers]
    econ_cols = {c.name: c for c in schema.ECONOMICS}
    econ: dict[str, Any] = {}
    for key, value in doc.items():
        line = _yaml_line(text, [str(key)])
        if key in readers:
            config[key], config[f"{key}_lines"] = readers[key](value, text, label, line, problems)
            continue
        if key == "economics":
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(
                    Problem(
                        label,
                        "economics must be a mapping",
                        line=line,
                        column="economics",
                        expected="keys such as carbon_price_cny_per_t:",
                        found=repr(value),
                    )
                )
                continue
            for ekey, evalue in value.items():
                eline = _yaml_line(text, ["economics", str(ekey)])
                if ekey not in econ_cols:
                    problems.append(
                        Problem(
                            label,
                            "unknown key",
                            line=eline,
                            column=f"economics.{ekey}",
                            expected="one of " + ", ".join(econ_cols),
                            found=repr(ekey),
                            hint=did_you_mean(str(ekey), econ_cols),
                        )
                    )
                    continue
                econ[ekey] = _yaml_value(
                    econ_cols[ekey], evalue, label, f"economics.{ekey}", eline, problems
                )
            continue
        if key not in known:
            problems.append(
                Problem(
                    label,
                    "unknown key",
                    line=line,
                    column=str(key),
                    expected="one of " + ", ".join([*known, *blocks]),
                    found=repr(key),
                    hint=did_you_mean(str(key), [*known, *blocks]),
                )
            )
            continue
        config[key] = _yaml_value(known[key], value, label, key, line, problems)
    for col in schema.NETWORK_YAML:
        if col.required and col.name not in doc:
            problems.append(
                Problem(
                    label,
                    "missing key",
                    column=col.name,
                    expected=f"a line '{col.name}: …'",
                    found="no such key",
                )
            )
    econ_values = {c.name: c.default for c in schema.ECONOMICS}
    econ_values.update({k: v for k, v in econ.items() if v is not None or k == "co2_cap_t"})
    return config, Economics(**econ_values)


def _yaml_block(
    name: str,
    example: str,
    value: Any,
    text: str,
    label: str,
    line: int | None,
    problems: list[Problem],
) -> tuple[dict[str, Any] | None, dict[str, int], SecurityReport]:
    """A ``security:`` or ``constraints:`` block (``name``) of a network.yaml: the mapping
    (None: no block, ``none``, or not a mapping, which is reported), the lines of its keys and
    items, and the reporter that turns a problem at a key path into a located Problem."""
    lines: dict[str, int] = {}

    def report(
        path: tuple[str, ...], message: str, expected: str, found: str, hint: str | None
    ) -> None:
        key = ".".join((name, *path[:1]))
        where = lines.get(".".join((name, *path))) or lines.get(key) or line
        problems.append(
            Problem(
                label, message, line=where, column=key, expected=expected, found=found, hint=hint
            )
        )

    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None, lines, report
    if not isinstance(value, dict):
        problems.append(
            Problem(
                label,
                f"{name} must be a mapping",
                line=line,
                column=name,
                expected=f"keys such as {example}:, or null for no {name} block",
                found=_short_repr(value),
            )
        )
        return None, lines, report
    lines.update(block_lines(text, [name]))
    return value, lines, report


def _read_security(
    value: Any, text: str, label: str, line: int | None, problems: list[Problem]
) -> tuple[Security | None, dict[str, int]]:
    """The ``security:`` block of a network.yaml (None: no block, or not a mapping)."""
    block, lines, report = _yaml_block(
        "security", "served_share", value, text, label, line, problems
    )
    if block is None:
        return None, lines
    n_before = len(problems)
    values = parse_security(block, report)
    if "served_share" not in block:
        problems.append(
            Problem(
                label,
                "missing key",
                line=line,
                column="security.served_share",
                expected="a line 'served_share: …' in the security block (the share of each "
                "district's design-hour demand served in every outage, in (0, 1])",
                found="no such key",
            )
        )
    if len(problems) > n_before:
        # kept only so that the contingency ids are checked too (all problems at once): a
        # network with problems in its files is not returned
        values = {k: v for k, v in values.items() if k == "contingencies"}
        return Security(served_share=1.0, **values), lines
    return Security(**values), lines


def _read_constraints(
    value: Any, text: str, label: str, line: int | None, problems: list[Problem]
) -> tuple[Constraints | None, dict[str, int]]:
    """The ``constraints:`` block of a network.yaml (None: no block, an empty one, or not a
    mapping)."""
    block, lines, report = _yaml_block(
        "constraints", "capex_budget_cny", value, text, label, line, problems
    )
    if not block:
        return None, lines
    # with problems the good values are kept only so that the ids are checked too (all
    # problems at once): a network with problems in its files is not returned
    return Constraints(**parse_constraints(block, report)), lines


def _read_pathway(
    value: Any, text: str, label: str, line: int | None, problems: list[Problem]
) -> tuple[Pathway | None, dict[str, int]]:
    """The ``pathway:`` block of a network.yaml (None: no block, or not a mapping)."""
    block, lines, report = _yaml_block("pathway", "years", value, text, label, line, problems)
    if block is None:
        return None, lines
    values = parse_pathway(block, report)
    if "years" not in block:
        problems.append(
            Problem(
                label,
                "missing key",
                line=line,
                column="pathway.years",
                expected="a line 'years: [...]' in the pathway block (the heating seasons, "
                "such as [2025, 2026, 2027])",
                found="no such key",
            )
        )
    # with problems the good values are kept only so that the years are checked too (all
    # problems at once): a network with problems in its files is not returned
    return make_pathway(values), lines


# --------------------------------------------------------------------------------------------
# profiles


def read_profiles(path: Path, problems: list[Problem], label: str | None = None) -> pd.DataFrame:
    """The profiles table: ``period`` (text), ``weight_h`` and float profile columns.

    Every profile value must be a finite number >= 0; ``weight_h`` > 0; periods unique.
    Returns an empty table (with a problem recorded) when the file cannot be read.
    """
    label = label or path.name
    empty = pd.DataFrame({"period": pd.Series(dtype=object), "weight_h": pd.Series(dtype=float)})
    text = read_text(path, label, problems)
    if text is None:
        return empty
    records = read_records(text, label, problems)
    if records is None:
        return empty
    if not records.rows:
        problems.append(
            Problem(label, "no periods", expected="at least one data row", found="only a header")
        )
        return empty
    table = schema.PROFILES
    df = parse_table(table, records, label, problems)
    lines = df[LINE_COLUMN].to_list()
    periods = df["period"].to_list()
    for name in records.header:
        if name in table.names:
            continue
        col = schema.Column(name, "float", required=True, minimum=0)
        df[name] = convert_column(
            col, df[name].to_list(), lines, [None] * len(lines), label, problems
        )
    seen: dict[str, int] = {}
    for line, p in zip(lines, periods, strict=True):
        if p and p in seen:
            problems.append(
                Problem(
                    label,
                    "duplicated period",
                    line=line,
                    column="period",
                    expected="each period once",
                    found=f"{p!r} (also on line {seen[p]})",
                )
            )
        seen.setdefault(p, line)
    df = df.drop(columns=[LINE_COLUMN])
    df.index = pd.RangeIndex(len(df), name="t")
    return df


# --------------------------------------------------------------------------------------------
# the network folder


def _empty_table(table: schema.TableSchema) -> pd.DataFrame:
    return pd.DataFrame(
        {c.name: pd.Series(dtype=float if c.dtype == "float" else object) for c in table.columns}
        | {LINE_COLUMN: pd.Series(dtype=int)}
    )


def _read_table(
    folder: Path, table: schema.TableSchema, problems: list[Problem]
) -> tuple[pd.DataFrame, bool]:
    text = read_text(folder / table.file, table.file, problems)
    if text is None:
        return _empty_table(table), False
    records = read_records(text, table.file, problems)
    if records is None:
        return _empty_table(table), False
    return parse_table(table, records, table.file, problems), True


def _index_by_id(
    df: pd.DataFrame, table: schema.TableSchema, problems: list[Problem]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Index by ``id`` keeping the first of duplicated ids (each duplicate is a problem)."""
    first: dict[str, int] = {}
    keep = []
    for ident, line in zip(df["id"], df[LINE_COLUMN], strict=True):
        if not ident:
            keep.append(False)
            continue
        if ident in first:
            problems.append(
                Problem(
                    table.file,
                    "duplicated id",
                    line=int(line),
                    id=ident,
                    column="id",
                    expected="a unique id",
                    found=f"{ident!r} again (first on line {first[ident]})",
                )
            )
            keep.append(False)
            continue
        first[ident] = int(line)
        keep.append(True)
    out = df.loc[np.array(keep, dtype=bool)].set_index("id").drop(columns=[LINE_COLUMN])
    out.index.name = "id"
    return out, first


def resolve_network_path(path: str | os.PathLike[str] | None) -> Path:
    """Folder of a network given as a folder, a ``network.yaml`` path, or None (Jinan)."""
    if path is None:
        from heatnet.data import default_network_path

        return default_network_path()
    p = Path(path)
    if p.is_file() and p.suffix in {".yaml", ".yml"}:
        return p.parent
    return p


def _profiles_path(folder: Path, name: str, problems: list[Problem]) -> Path | None:
    """The profiles CSV that network.yaml names, or None (with a problem recorded) when the name
    is not a usable path or no file is there."""

    def yaml_line() -> int | None:
        text = read_text(folder / "network.yaml", "network.yaml", [])
        return _yaml_line(text, ["profiles"]) if text else None

    try:
        path = (folder / name).resolve()
        exists = path.exists()
    except (OSError, ValueError) as exc:  # NUL in the name, name too long
        shown = repr(name[:60]) + (f" … ({len(name)} characters)" if len(name) > 60 else "")
        reason = getattr(exc, "strerror", None) or str(exc)
        problems.append(
            Problem(
                "network.yaml",
                "profiles is not a usable file name",
                line=yaml_line(),
                column="profiles",
                expected="a path to a CSV file, relative to network.yaml",
                found=f"{shown} ({reason})",
            )
        )
        return None
    if not exists:
        problems.append(
            Problem(
                name,
                "file not found",
                expected=f"a file at {path}",
                found="nothing",
                hint=f"network.yaml line {yaml_line()} names it (profiles:); "
                "the path is relative to network.yaml",
            )
        )
        return None
    return path


def read_network(
    path: str | os.PathLike[str] | None = None,
    profiles: str | os.PathLike[str] | None = None,
    *,
    strict_graph: bool = True,
) -> tuple[Network | None, list[Problem]]:
    """Read and check a network folder; return it (None if unusable) and every problem found.

    Args:
        path: network folder or its ``network.yaml``; None = the embedded Jinan network.
        profiles: use this profiles CSV instead of the one named in ``network.yaml``.
        strict_graph: demand nodes no source can reach are errors (True) or warnings.
    """
    from heatnet.validate import check_network

    folder = resolve_network_path(path)
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(
            Problem(
                str(folder),
                "network folder not found",
                expected="a folder with network.yaml, nodes.csv, sources.csv, "
                "pipes.csv and demands.csv",
                found="no such folder",
            )
        )
        return None, problems
    config, econ = read_network_yaml(folder / "network.yaml", problems)
    raw: dict[str, pd.DataFrame] = {}
    complete = True
    for table in schema.TABLES:
        raw[table.file], ok = _read_table(folder, table, problems)
        complete &= ok
    if profiles is not None:
        prof_path = Path(profiles)
        prof_label = str(profiles)
    elif config.get("profiles"):
        prof_label = str(config["profiles"])
        prof_path = _profiles_path(folder, prof_label, problems)
    else:
        prof_path = None
        prof_label = "profiles"
    if prof_path is not None:
        prof = read_profiles(prof_path, problems, label=prof_label)
        complete &= len(prof) > 0
    else:
        prof = pd.DataFrame({"period": pd.Series(dtype=object), "weight_h": pd.Series(dtype=float)})
        complete = False
    tables: dict[str, pd.DataFrame] = {}
    lines: dict[str, dict[str, int]] = {}
    for table in schema.TABLES:
        tables[table.file], lines[table.file] = _index_by_id(raw[table.file], table, problems)
    net = Network(
        name=str(config.get("name") or folder.name),
        description=str(config.get("description") or ""),
        economics=econ,
        nodes=tables["nodes.csv"],
        sources=tables["sources.csv"],
        pipes=tables["pipes.csv"],
        demands=tables["demands.csv"],
        profiles=prof,
        folder=folder.resolve(),
        profiles_path=prof_path,
        security=config.get("security"),
        constraints=config.get("constraints"),
        pathway=config.get("pathway"),
        line_numbers={
            **lines,
            "network.yaml": {
                **config.get("security_lines", {}),
                **config.get("constraints_lines", {}),
                **config.get("pathway_lines", {}),
            },
        },
    )
    problems += check_network(
        net, cross_checks=complete, strict_graph=strict_graph, profiles_label=prof_label
    )
    usable = not any(p.severity == "error" for p in problems)
    return (net if usable else None), problems


def load_network(
    path: str | os.PathLike[str] | None = None,
    profiles: str | os.PathLike[str] | None = None,
) -> Network:
    """Read a network folder and return it, or raise :class:`InputError` with every problem.

    Warnings do not stop loading; :func:`read_network` returns them.
    """
    net, problems = read_network(path, profiles)
    if net is None:
        where = resolve_network_path(path)
        raise InputError(problems, context=f"network {where} cannot be used")
    return net


def network_and_warnings(
    network: Network | str | os.PathLike[str] | None,
    profiles: str | os.PathLike[str] | None,
) -> tuple[Network, list[Problem]]:
    """The network to solve and its input warnings: ``network`` itself, or the folder read
    (None: the embedded Jinan network); InputError if it cannot be used or if ``profiles``
    are given with a network object."""
    if isinstance(network, Network):
        if profiles is not None:
            raise InputError(
                [
                    Problem(
                        None,
                        "profiles can only be swapped when the network is given as a folder",
                        column="profiles",
                    )
                ]
            )
        return network, []
    loaded, problems = read_network(network, profiles)
    if loaded is None:
        raise InputError(
            problems, context=f"network {resolve_network_path(network)} cannot be used"
        )
    return loaded, [p for p in problems if p.severity == "warning"]


# --------------------------------------------------------------------------------------------
# writing


_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def shareable_mode(*, folder: bool = False) -> int:
    """Permissions a plain ``open``/``mkdir`` would give (temp files start private)."""
    return (0o777 if folder else 0o666) & ~_umask()


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write text so that readers never see a half-written file: a temp file in the same
    folder, renamed into place when complete (usual permissions, not the temp file's 0600).

    ``encoding="utf-8-sig"`` starts the file with the UTF-8 byte-order mark (see
    :data:`CSV_ENCODING`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        os.chmod(tmp, shareable_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def neutralise_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (= + - @, tab, CR) with a quote;
    text that is just a negative number (``-12``, ``-1.5e3``) is left as it is."""
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _NEGATIVE_NUMBER.match(value)
    ):
        return "'" + value
    return value


CSV_ENCODING = "utf-8-sig"
"""Encoding of every CSV heatnet writes: UTF-8 with a byte-order mark. Without the mark, Excel
on Chinese Windows reads a CSV in the local code page (GBK) and shows 信源电厂 as mojibake.
Every reader of heatnet's CSVs accepts the mark (:func:`read_text` drops it; the pandas readers
in :mod:`heatnet.storage` use ``encoding="utf-8-sig"``)."""


def bool_word(value: object) -> object:
    """``true``/``false`` for a boolean (the spelling of the input format), else the value."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return value


def write_csv_atomic(
    df: pd.DataFrame, path: Path, *, index: bool = False, neutralise: bool = False
) -> None:
    """Write a table as CSV atomically (see :func:`write_text_atomic`), in UTF-8 with a BOM
    (:data:`CSV_ENCODING`), booleans spelt ``true``/``false`` as in the input format.

    ``neutralise=True`` (for tables people open in Excel) prefixes text cells that a
    spreadsheet would run as formulas; use it for results, not for inputs heatnet reads back.
    """
    out = df.reset_index() if index else df.copy()
    index = False

    def text_cell(value: object) -> object:
        return neutralise_cell(bool_word(value)) if neutralise else bool_word(value)

    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map(bool_word)
        elif out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(text_cell)
    write_text_atomic(path, out.to_csv(index=index, lineterminator="\n"), encoding=CSV_ENCODING)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON (UTF-8, indented, Chinese kept as is) atomically."""
    write_text_atomic(
        path, json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    )


def _json_default(obj: object) -> object:
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _table_for_file(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
    return out


def security_document(sec: Security) -> dict[str, Any]:
    """A security block as network.yaml writes it (``contingencies: auto`` or a list)."""
    doc: dict[str, Any] = dict(vars(sec))
    doc["contingencies"] = AUTO if sec.contingencies is None else list(sec.contingencies)
    return doc


def network_document(net: Network) -> dict[str, Any]:
    """``network.yaml`` of ``net`` as a mapping, without ``profiles``: name, description,
    economics and each block the network has (security, constraints, pathway)."""
    doc: dict[str, Any] = {
        "name": net.name,
        "description": net.description,
        "economics": dict(vars(net.economics)),
    }
    if net.security is not None:
        doc["security"] = security_document(net.security)
    if net.constraints is not None:
        doc["constraints"] = constraints_document(net.constraints)
    if net.pathway is not None:
        doc["pathway"] = pathway_document(net.pathway)
    return doc


def write_network(
    net: Network, folder: str | os.PathLike[str], *, profiles_name: str = "profiles.csv"
) -> Path:
    """Write ``net`` as a network folder (with its profiles CSV beside network.yaml).

    The folder must not exist yet or be empty; it is written under a temporary name and renamed
    when complete.
    """
    target = Path(folder)
    if target.exists() and any(target.iterdir()):
        raise InputError(
            [
                Problem(
                    str(target),
                    "folder exists and is not empty",
                    expected="a new or empty folder",
                    found="files in it",
                )
            ]
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        os.chmod(tmp, shareable_mode(folder=True))
        body = network_document(net)
        doc = {
            "name": body.pop("name"),
            "description": body.pop("description"),
            "profiles": profiles_name,
            **body,
        }
        (tmp / "network.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        for file, df in (
            ("nodes.csv", net.nodes),
            ("sources.csv", net.sources),
            ("pipes.csv", net.pipes),
            ("demands.csv", net.demands),
        ):
            write_csv_atomic(_table_for_file(df), tmp / file)
        write_csv_atomic(net.profiles, tmp / profiles_name)
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
