"""Fuzzing the network loader (issue #7.1): whatever the files hold, ``read_network`` returns
``(network or None, problems)`` and ``load_network`` raises only heatnet's own errors.

Each test mutates one file of a small valid network (random bytes, truncation, tricky cells,
deleted or duplicated columns and rows, random YAML) and reads the folder. Deterministic
(``derandomize=True``, no example database) and about 20 s. For a longer, random search:
``FUZZ_RANDOM=1 FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_loader.py``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heatnet.errors import InputError, Problem
from heatnet.io import load_network
from heatnet.network import Network
from tests.test_bad_input_catalogue import YAML_TEXT, rich_network

CSV_FILES = ("nodes.csv", "sources.csv", "pipes.csv", "demands.csv", "profiles.csv")
FILES = ("network.yaml", *CSV_FILES)

TRICKY = (
    "",
    " ",
    "  \t ",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "1e-400",
    "1e300",
    "-1e300",
    "9" * 400,
    "0",
    "-0",
    "-1",
    "+5",
    ".5",
    "5.",
    "1,5",
    "0x10",
    "1_000",
    "１２３",
    "\u00a0",
    "\ufeff",
    "=cmd()",
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    '"',
    '""',
    "'",
    "a,b",
    "a\nb",
    "a\r\nb",
    "\r",
    "\t",
    "\x00",
    "TRUE",
    "true",
    "no",
    "None",
    "null",
    "~",
    "[1]",
    "{a: 1}",
    "!!python/object/apply:os.system [true]",
    "&a",
    "*a",
    "---",
    "#",
    "%",
    "济南",
    "热电厂",
    "A",
    "B",
    "C",
    "S1",
    "P1",
    "D1",
    "heat",
    "hp",
    "existing",
    "candidate",
    "retirable",
    "retired",
    "unavailable",
    "chp",
    "period",
    "weight_h",
    "id",
    "_line",
    "index",
    "t",
    "availability",
    "x" * 2000,
)
tricky = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))

SETTINGS = settings(
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """A network folder to mutate, and the original bytes of each file (restored after
    every example)."""
    folder = rich_network(tmp_path_factory.mktemp("fuzz") / "net")
    (folder / "network.yaml").write_text(YAML_TEXT, encoding="utf-8")
    original = {f: (folder / f).read_bytes() for f in FILES}
    yield folder, original
    shutil.rmtree(folder, ignore_errors=True)


def check_reads(folder: Path, file: str, content: bytes, original: dict[str, bytes]) -> None:
    """Write ``content`` to ``file``, read the folder, check the outcome, restore the file."""
    (folder / file).write_bytes(content)
    try:
        error: InputError | None = None
        try:
            net = load_network(folder)  # = read_network, raising InputError on any error
        except InputError as exc:  # anything else fails the test
            error = exc
        if error is not None:
            assert error.errors, "an InputError must hold at least one error"
            assert all(isinstance(p, Problem) for p in error.problems)
            assert str(error)  # every problem renders
        else:
            assert isinstance(net, Network)
            net.demand_mw()
            net.availability()
    finally:
        (folder / file).write_bytes(original[file])


# --------------------------------------------------------------------------------------------
# raw bytes


@SETTINGS
@given(file=st.sampled_from(FILES), data=st.binary(max_size=400))
def test_random_bytes(work: tuple[Path, dict[str, bytes]], file: str, data: bytes) -> None:
    folder, original = work
    check_reads(folder, file, data, original)


@SETTINGS
@given(file=st.sampled_from(FILES), cut=st.floats(0, 1), bom=st.booleans())
def test_truncated_file(
    work: tuple[Path, dict[str, bytes]], file: str, cut: float, bom: bool
) -> None:
    folder, original = work
    data = original[file][: int(len(original[file]) * cut)]
    check_reads(folder, file, (b"\xef\xbb\xbf" if bom else b"") + data, original)


@SETTINGS
@given(
    file=st.sampled_from(FILES),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=3), st.booleans()),
        min_size=1,
        max_size=4,
    ),
)
def test_byte_edits(
    work: tuple[Path, dict[str, bytes]], file: str, edits: list[tuple[float, bytes, bool]]
) -> None:
    folder, original = work
    data = bytearray(original[file])
    for where, new, insert in edits:
        i = int(len(data) * where)
        data[i : i if insert else i + len(new)] = new
    check_reads(folder, file, bytes(data), original)


# --------------------------------------------------------------------------------------------
# CSV cells, columns and rows


def grid(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def render(rows: list[list[str]], quoted: bool) -> bytes:
    """Back to CSV: properly quoted, or naively joined with commas (which may shift fields)."""
    if not quoted:
        return "".join(",".join(r) + "\n" for r in rows).encode("utf-8", "surrogatepass")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@SETTINGS
@given(file=st.sampled_from(CSV_FILES), data=st.data(), quoted=st.booleans())
def test_tricky_cells(
    work: tuple[Path, dict[str, bytes]], file: str, data: st.DataObject, quoted: bool
) -> None:
    folder, original = work
    rows = grid(original[file])
    n = data.draw(st.integers(1, 5), label="cells")
    for _ in range(n):
        r = data.draw(st.integers(0, len(rows) - 1), label="row")
        c = data.draw(st.integers(0, len(rows[r]) - 1), label="column")
        rows[r][c] = data.draw(tricky, label="value")
    check_reads(folder, file, render(rows, quoted), original)


@SETTINGS
@given(
    file=st.sampled_from(CSV_FILES),
    data=st.data(),
    ops=st.lists(
        st.sampled_from(["delete", "duplicate", "rename", "swap"]), min_size=1, max_size=3
    ),
)
def test_column_operations(
    work: tuple[Path, dict[str, bytes]], file: str, data: st.DataObject, ops: list[str]
) -> None:
    folder, original = work
    rows = grid(original[file])
    for op in ops:
        width = len(rows[0])
        if width == 0:
            break
        j = data.draw(st.integers(0, width - 1), label="column")
        if op == "delete":
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif op == "duplicate":
            rows = [r[: j + 1] + r[j:] for r in rows]
        elif op == "rename":
            rows[0][j] = data.draw(tricky, label="name")
        else:
            k = data.draw(st.integers(0, width - 1), label="other")
            rows[0][j], rows[0][k] = rows[0][k], rows[0][j]
    check_reads(folder, file, render(rows, True), original)


@SETTINGS
@given(
    file=st.sampled_from(CSV_FILES),
    data=st.data(),
    ops=st.lists(
        st.sampled_from(["delete", "duplicate", "shorten", "lengthen", "blank"]),
        min_size=1,
        max_size=3,
    ),
)
def test_row_operations(
    work: tuple[Path, dict[str, bytes]], file: str, data: st.DataObject, ops: list[str]
) -> None:
    folder, original = work
    rows = grid(original[file])
    for op in ops:
        if len(rows) < 2:
            break
        i = data.draw(st.integers(1, len(rows) - 1), label="row")
        if op == "delete":
            del rows[i]
        elif op == "duplicate":
            rows.insert(i, list(rows[i]))
        elif op == "shorten":
            rows[i] = rows[i][: data.draw(st.integers(0, len(rows[i])), label="keep")]
        elif op == "lengthen":
            rows[i] = rows[i] + [data.draw(tricky, label="extra")]
        else:
            rows.insert(i, [])
    check_reads(folder, file, render(rows, True), original)


# --------------------------------------------------------------------------------------------
# network.yaml


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    tricky,
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(tricky, st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)
KEYS = ("name", "description", "profiles", "economics", "profile", "economic")
ECON_KEYS = (
    "discount_rate",
    "carbon_price_cny_per_t",
    "co2_cap_t",
    "unserved_heat_cost_cny_per_mwh",
    "retirement_annualisation_years",
    "carbon_price",
)


@SETTINGS
@given(
    doc=st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=5),
    econ=st.dictionaries(st.sampled_from(ECON_KEYS), yaml_values, max_size=4),
)
def test_random_yaml_documents(
    work: tuple[Path, dict[str, bytes]], doc: dict[str, object], econ: dict[str, object]
) -> None:
    folder, original = work
    full = {"name": "fuzz", "profiles": "profiles.csv"} | doc
    if econ and "economics" not in doc:
        full["economics"] = econ
    text = yaml.safe_dump(full, allow_unicode=True)
    check_reads(folder, "network.yaml", text.encode("utf-8", "surrogatepass"), original)


YAML_PIECES = (
    "name: x\n",
    "profiles: profiles.csv\n",
    "economics:\n",
    "  discount_rate: 0.05\n",
    "  co2_cap_t: .nan\n",
    "  carbon_price_cny_per_t: -.inf\n",
    "- a\n",
    "? [1, 2]\n: 3\n",
    "&a [1, *a]\n",
    "*b\n",
    "<<: {name: y}\n",
    "!!python/name:os.system\n",
    "!!binary aGk=\n",
    "!!set {a, b}\n",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "name: !x y\n",
    "\t",
    "  ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    ":",
    "#",
    "|\n",
    ">\n",
    "\\0",
    "\x00",
    "\ufeff",
    'profiles: "a\\0b"\n',
    "profiles: " + "p" * 300 + "\n",
    "profiles: .\n",
    "profiles: /dev/null\n",
    "profiles: ../../\n",
    "profiles: nodes.csv\n",
    "name: 2020-01-01\n",
    "1: 2\n",
    "~: 3\n",
    "economics: 5\n",
    "economics: [1]\n",
)


@SETTINGS
@given(pieces=st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=8)), max_size=8))
def test_random_yaml_text(work: tuple[Path, dict[str, bytes]], pieces: list[str]) -> None:
    folder, original = work
    text = "".join(pieces)
    check_reads(folder, "network.yaml", text.encode("utf-8", "surrogatepass"), original)


# --------------------------------------------------------------------------------------------
# regressions found by these tests (each also a case of tests/test_bad_input_catalogue.py)


@pytest.mark.parametrize(
    ("file", "content"),
    [
        ("network.yaml", YAML_TEXT.replace("50", "9" * 400)),  # OverflowError in float()
        ("network.yaml", 'name: x\nprofiles: "a\\0b"\n'),  # ValueError: embedded null byte
        ("network.yaml", "name: x\nprofiles: " + "p" * 5000 + "\n"),  # OSError: name too long
        ("profiles.csv", "period,weight_h,heat,_line\nt1,1,1,1\n"),  # AttributeError on _line
        ("network.yaml", "\x01"),  # ReaderError raised outside the try
        ("network.yaml", "---\n"),  # empty document: loaded as a network without profiles
    ],
    ids=[
        "yaml-huge-integer",
        "profiles-nul",
        "profiles-too-long",
        "profiles-line-column",
        "yaml-control-character",
        "yaml-empty-document",
    ],
)
def test_regressions(work: tuple[Path, dict[str, bytes]], file: str, content: str) -> None:
    folder, original = work
    check_reads(folder, file, content.encode("utf-8"), original)
