"""Static export warns when a figure has Chinese text and no CJK font is installed (issue 14,
finding 5). fontconfig is faked with monkeypatch: no font is (un)installed."""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from click.testing import CliRunner

from heatnet import export
from heatnet.cli import cli
from heatnet.export import ExportError, MissingFontWarning
from tests.plot_nets import solve_tiny

CJK_FAMILY = "WenQuanYi Micro Hei,文泉驛微米黑,文泉驿微米黑\n"


def fake_fc_list(monkeypatch: pytest.MonkeyPatch, stdout: str | None) -> list[list[str]]:
    """fc-list answers ``stdout``; None: fc-list is not installed. Returns the calls made."""
    calls: list[list[str]] = []

    def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(list(args))
        if stdout is None:
            raise FileNotFoundError(2, "No such file or directory", args[0])
        return subprocess.CompletedProcess(args, 0, stdout, "")

    monkeypatch.setattr(export.subprocess, "run", run)
    return calls


def chinese() -> go.Figure:
    return go.Figure(go.Bar(x=["余热首站", "B"], y=[1, 2]), layout={"title": "热网"})


def latin() -> go.Figure:
    return go.Figure(go.Bar(x=["A", "B"], y=[1, 2]), layout={"title": "heat"})


def test_figure_text_is_searched_for_cjk() -> None:
    assert export.has_cjk(chinese())
    assert not export.has_cjk(latin())
    assert export.has_cjk(go.Figure(go.Sankey(node={"label": ["W", "城区"]})))
    assert export.has_cjk(go.Figure(layout={"annotations": [{"text": "亿"}]}))


def test_cjk_fonts_from_fc_list(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_fc_list(monkeypatch, CJK_FAMILY)
    assert export.cjk_fonts() == ["WenQuanYi Micro Hei"]
    assert calls
    assert calls[0][:2] == ["fc-list", ":lang=zh"]
    fake_fc_list(monkeypatch, "")
    assert export.cjk_fonts() == []
    fake_fc_list(monkeypatch, None)
    assert export.cjk_fonts() is None


def test_no_cjk_font_warns_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_fc_list(monkeypatch, "")
    text = export.font_problem([chinese()])
    assert text is not None
    assert "apt-get install fonts-wqy-microhei" in text
    assert "fonts-noto-cjk" in text
    assert export.font_problem([latin()]) is None  # no Chinese: nothing to say
    fake_fc_list(monkeypatch, CJK_FAMILY)
    assert export.font_problem([chinese()]) is None  # a CJK font is there


def test_fc_list_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_fc_list(monkeypatch, None)
    monkeypatch.setattr(export.sys, "platform", "darwin")
    assert export.font_problem([chinese()]) is None  # macOS and Windows ship CJK fonts
    monkeypatch.setattr(export.sys, "platform", "linux")
    text = export.font_problem([chinese()])
    assert text is not None
    assert "fc-list" in text
    assert "fonts-wqy-microhei" in text


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """A browser that 'renders' without Chromium: every path gets a few bytes."""
    monkeypatch.setattr(export, "find_browser", lambda: "/usr/bin/true")

    def render(specs: list[dict[str, Any]], browser: str, timeout_s: float) -> None:
        for spec in specs:
            Path(spec["path"]).write_bytes(b"fake")

    monkeypatch.setattr(export, "_render", render)


@pytest.mark.usefixtures("no_render")
def test_write_static_warns_once_or_fails_when_strict(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_fc_list(monkeypatch, "")
    items = [(chinese(), tmp_path / "a.png"), (chinese(), tmp_path / "b.svg")]
    with pytest.warns(MissingFontWarning, match="fonts-wqy-microhei") as record:
        export.write_static(items)
    assert len([w for w in record if w.category is MissingFontWarning]) == 1
    with pytest.raises(ExportError, match="fonts-noto-cjk"):
        export.write_static(items, strict_fonts=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export.write_static([(latin(), tmp_path / "c.png")], strict_fonts=True)
        fake_fc_list(monkeypatch, CJK_FAMILY)
        export.write_static(items, strict_fonts=True)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve_tiny(tmp_path_factory.mktemp("fonts"))


@pytest.mark.usefixtures("no_render")
def test_cli_plot_warns_once_without_a_traceback(
    tiny_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_fc_list(monkeypatch, "")
    out = tmp_path / "map.png"
    res = CliRunner().invoke(cli, ["plot", str(tiny_dir), "--kind", "map", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output.count("warning: ") == 1, res.output
    assert "apt-get install fonts-wqy-microhei" in res.output
    assert "Traceback" not in res.output
    assert out.is_file()
    strict = CliRunner().invoke(
        cli, ["plot", str(tiny_dir), "--kind", "map", "--out", str(out), "--strict-fonts"]
    )
    assert strict.exit_code == 1
    assert strict.output.startswith("error: ")
    assert "fonts-noto-cjk" in strict.output
    assert "Traceback" not in strict.output
    fake_fc_list(monkeypatch, CJK_FAMILY)
    quiet = CliRunner().invoke(cli, ["plot", str(tiny_dir), "--kind", "map", "--out", str(out)])
    assert quiet.exit_code == 0, quiet.output
    assert "warning" not in quiet.output
