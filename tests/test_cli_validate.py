"""``heatnet validate`` and ``heatnet format-doc`` from the command line."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.io import resolve_network_path
from heatnet.schema import format_markdown
from tests.helpers import two_node

REPO = Path(__file__).resolve().parents[1]
HEATNET = Path(sys.executable).with_name("heatnet")


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def small_network(folder: Path) -> Path:
    return two_node(
        folder,
        nodes=[{"id": "A"}, {"id": "B"}, {"id": "C"}],
        sources=[
            {
                "id": "S1",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
            },
            {
                "id": "S2",
                "node": "A",
                "technology": "coal_boiler",
                "capacity_mw": 50,
                "status": "retirable",
            },
            {
                "id": "S3",
                "node": "C",
                "technology": "heat_pump",
                "capacity_mw": 20,
                "status": "candidate",
                "capex_cny": 1e7,
            },
            {
                "id": "S4",
                "node": "C",
                "technology": "chp",
                "capacity_mw": 30,
                "status": "candidate",
            },
        ],
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 80,
                "status": "existing",
            },
            {
                "id": "P2",
                "from_node": "C",
                "to_node": "B",
                "length_km": 7,
                "capacity_mw": 40,
                "status": "candidate",
                "capex_cny": 1e6,
            },
            {
                "id": "P3",
                "from_node": "A",
                "to_node": "C",
                "length_km": 4,
                "capacity_mw": 40,
                "status": "existing",
            },
        ],
    )


def frame_row(output: str, label: str) -> list[str]:
    """The cells of the summary-table row that starts with ``label``."""
    rows = [line.split() for line in output.splitlines() if line.split()[:1] == [label]]
    assert len(rows) == 1, output
    return rows[0][1:]


def test_validate_prints_a_summary(tmp_path: Path) -> None:
    result = run_cli("validate", str(small_network(tmp_path / "net")))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"network 'test' ({tmp_path / 'net'}) is valid\n")
    assert "  nodes: 3\n" in out
    assert "  periods: 2 covering 20 h\n" in out
    # sources by technology (rows) and status (columns, alphabetical)
    sources = out[out.index("sources by technology") : out.index("capacity by technology")]
    assert frame_row(sources, "status") == ["candidate", "existing", "retirable"]
    assert frame_row(sources, "chp") == ["1", "1", "0"]
    assert frame_row(sources, "coal_boiler") == ["0", "0", "1"]
    assert frame_row(sources, "heat_pump") == ["1", "0", "0"]
    capacity = out[out.index("capacity by technology") : out.index("pipes by status")]
    assert "[MW]" in capacity
    assert frame_row(capacity, "chp") == ["30.0", "100.0", "0.0"]
    assert frame_row(capacity, "coal_boiler") == ["0.0", "0.0", "50.0"]
    assert frame_row(capacity, "heat_pump") == ["20.0", "0.0", "0.0"]
    pipes = out[out.index("pipes by status") : out.index("peak demand")]
    assert frame_row(pipes, "count") == ["length_km"]
    assert frame_row(pipes, "candidate") == ["1", "7.0"]
    assert frame_row(pipes, "existing") == ["2", "14.0"]
    assert "  peak demand: 60.0 MW (period t1)\n" in out
    assert "  season demand: 0.9 GWh\n" in out  # 60 MW x 10 h + 30 MW x 10 h
    assert result.stderr == ""


def test_validate_prints_warnings_on_stderr_and_succeeds(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path / "net",
        sources=[
            {"id": "S1", "node": "A", "technology": "chp", "capacity_mw": 40, "status": "existing"}
        ],
    )
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0, result.output
    assert "is valid" in result.stdout
    assert "1 warning:" in result.stderr
    assert "40.0 MW of capacity against 60.0 MW of demand" in result.stderr


def test_validate_default_is_the_embedded_network() -> None:
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert f"({resolve_network_path(None)})" in result.stdout


def copy_jinan(tmp_path: Path) -> Path:
    """A copy of the embedded network whose network.yaml points at the original profiles."""
    original = resolve_network_path(None)
    folder = tmp_path / "jinan"
    shutil.copytree(original, folder)
    yaml_path = folder / "network.yaml"
    text = yaml_path.read_text("utf-8")
    match = re.search(r"^profiles:\s*(\S+)\s*$", text, flags=re.MULTILINE)
    assert match, "network.yaml has a profiles: line"
    profiles = (original / match.group(1)).resolve()
    assert profiles.is_file()
    text = text[: match.start()] + f"profiles: {json.dumps(str(profiles))}" + text[match.end() :]
    yaml_path.write_text(text, "utf-8")
    return folder


def edit_pipes(folder: Path, changes: dict[int, dict[str, str]]) -> dict[int, str]:
    """Change cells of pipes.csv (by data-row index) and return the ids of the changed rows."""
    path = folder / "pipes.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for i, change in changes.items():
        rows[i].update(change)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return {i: rows[i]["id"] for i in changes}


def test_copy_of_the_embedded_network_is_valid(tmp_path: Path) -> None:
    result = run_cli("validate", str(copy_jinan(tmp_path)))
    assert result.exit_code == 0, result.output


def test_unknown_node_and_negative_capacity_are_both_reported(tmp_path: Path) -> None:
    """The issue's done-when case."""
    folder = copy_jinan(tmp_path)
    ids = edit_pipes(folder, {2: {"to_node": "NO_SUCH_NODE"}, 5: {"capacity_mw": "-100"}})
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1
    assert result.stdout == ""
    err = result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "2 problems found" in err
    lines = [line for line in err.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2, err
    unknown = next(line for line in lines if "unknown node" in line)
    negative = next(line for line in lines if "out of range" in line)
    assert unknown.startswith(f"  - pipes.csv:4, id {ids[2]!r}, field 'to_node': ")
    assert "found 'NO_SUCH_NODE'" in unknown
    assert negative.startswith(f"  - pipes.csv:7, id {ids[5]!r}, field 'capacity_mw': ")
    assert "expected a finite number > 0, found '-100'" in negative


def test_missing_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "network folder not found" in result.stderr
    assert "Traceback" not in result.output


def test_debug_reraises(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path / "net",
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "X",
                "length_km": 10,
                "capacity_mw": 80,
                "status": "existing",
            }
        ],
    )
    result = run_cli("--debug", "validate", str(folder))
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError)
    assert [(p.file, p.line, p.column) for p in result.exception.errors] == [
        ("pipes.csv", 2, "to_node")
    ]
    with pytest.raises(InputError, match=r"pipes\.csv:2, id 'P1', field 'to_node'"):
        CliRunner().invoke(cli, ["--debug", "validate", str(folder)], catch_exceptions=False)


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "bad"
    return two_node(
        folder,
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "X",
                "length_km": 10,
                "capacity_mw": -80,
                "status": "existing",
            }
        ],
    )


def test_console_script_exit_code_and_no_traceback(bad_folder: Path) -> None:
    assert HEATNET.is_file(), f"console script not installed at {HEATNET}"
    proc = subprocess.run(
        [str(HEATNET), "validate", str(bad_folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "pipes.csv:2, id 'P1', field 'to_node'" in proc.stderr
    assert "pipes.csv:2, id 'P1', field 'capacity_mw'" in proc.stderr


# --------------------------------------------------------------------------------------------
# format-doc


def test_committed_format_doc_is_up_to_date() -> None:
    committed = (REPO / "docs" / "format.md").read_text("utf-8")
    assert committed == format_markdown(), "docs/format.md is stale: run `heatnet format-doc`"


def test_format_doc_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "format.md"
    result = run_cli("format-doc", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == format_markdown().encode("utf-8")
    result = run_cli("format-doc", "--check", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout

    out.write_text(format_markdown().replace("| `capacity_mw` |", "| `cap` |"), "utf-8")
    stale = out.read_text("utf-8")
    result = run_cli("format-doc", "--check", "--out", str(out))
    assert result.exit_code == 1
    assert "out of date" in result.stderr
    assert out.read_text("utf-8") == stale  # --check writes nothing


def test_format_doc_check_of_a_missing_file_fails(tmp_path: Path) -> None:
    result = run_cli("format-doc", "--check", "--out", str(tmp_path / "format.md"))
    assert result.exit_code == 1
    assert not (tmp_path / "format.md").exists()


def test_format_doc_covers_every_schema_column() -> None:
    from heatnet import schema

    text = format_markdown()
    for table in (*schema.TABLES, schema.PROFILES):
        for col in table.columns:
            assert f"| `{col.name}` |" in text, (table.file, col.name)
    for col in (*schema.NETWORK_YAML, *schema.ECONOMICS):
        assert f"| `{col.name}` |" in text, col.name
    assert "| `bidirectional` | bool | – | true |" in text
    assert "| `lifetime_years` | float | years | 40 |" in text
