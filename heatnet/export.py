"""Writing figures to files: HTML (self-contained) and PNG, SVG, PDF through kaleido.

Static formats are rendered by kaleido in a headless Chromium, offline: plotly.js comes from
the installed plotly package and MathJax is switched off, so nothing is fetched. Chromium is
found through ``BROWSER_PATH`` or on the ``PATH`` (``chromium``, ``google-chrome`` …); Debian's
``apt-get install chromium`` is enough. Chinese names need a CJK font in the system
(``apt-get install fonts-noto-cjk`` or ``fonts-wqy-microhei``).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from heatnet.errors import HeatnetError, InputError, Problem

STATIC_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
FORMATS: tuple[str, ...] = ("html", *STATIC_FORMATS)
BROWSER_NAMES: tuple[str, ...] = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
DEFAULT_WIDTH_PX = 1200
DEFAULT_HEIGHT_PX = 700
PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `apt-get install chromium`) or set BROWSER_PATH to a "
    "Chrome/Chromium executable; HTML output (--format html, heatnet report) needs no browser"
)


FONT_HINT = (
    "install a CJK font (Debian/Ubuntu: `apt-get install fonts-wqy-microhei` or "
    "`apt-get install fonts-noto-cjk`; macOS and Windows have one), or use --format html, "
    "which the viewer's browser draws with its own fonts"
)
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31bf\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)
"""Chinese (and Japanese, Korean) characters: what a Latin-only font draws as boxes."""


class ExportError(HeatnetError):
    """A figure could not be written (no browser for static export, render failure)."""


class MissingFontWarning(UserWarning):
    """A static figure has Chinese text but no CJK font is installed: the names will be drawn
    as boxes. ``write_static(..., strict_fonts=True)`` raises :class:`ExportError` instead;
    ``warnings.simplefilter("error", MissingFontWarning)`` does the same for every export."""


def has_cjk(fig: go.Figure) -> bool:
    """Whether any text of the figure (titles, labels, hover text, annotations) is CJK."""

    def walk(value: Any) -> bool:
        if isinstance(value, str):
            return CJK.search(value) is not None
        if isinstance(value, dict):
            return any(walk(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return any(walk(v) for v in value)
        if getattr(value, "dtype", None) is not None and value.dtype.kind in "OU":
            return any(walk(v) for v in value.ravel().tolist())
        return False

    return walk(fig.to_plotly_json())


def cjk_fonts() -> list[str] | None:
    """The CJK font families fontconfig knows (``fc-list :lang=zh family``), first name of
    each; None when that cannot be asked (no fc-list, or it failed)."""
    try:
        done = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    families = [line.split(",")[0].strip() for line in done.stdout.splitlines()]
    return sorted({f for f in families if f})


def font_problem(figures: Sequence[go.Figure]) -> str | None:
    """Why Chinese text of ``figures`` would not render (with how to fix it), or None.

    Nothing to say when no figure has CJK text or fontconfig lists a CJK family. Without
    fc-list: nothing on macOS and Windows (they ship CJK fonts, and do not use fontconfig);
    on Linux, a softer warning that the check could not be made.
    """
    if not any(has_cjk(f) for f in figures):
        return None
    fonts = cjk_fonts()
    if fonts:
        return None
    if fonts is None:
        if not sys.platform.startswith("linux"):
            return None
        return (
            "the figure has Chinese text, and whether a CJK font is installed cannot be "
            "checked (fc-list not found); if the names show as boxes, " + FONT_HINT
        )
    return (
        "the figure has Chinese text but no CJK font is installed (fc-list :lang=zh lists "
        "none): the names will be drawn as boxes; " + FONT_HINT
    )


def find_browser() -> str | None:
    """Path of the Chromium/Chrome used for static export: ``BROWSER_PATH`` if set (None if
    that is not an executable file), else the first of :data:`BROWSER_NAMES` on the PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def figure_format(path: Path, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else the file's suffix; InputError if unknown."""
    value = (fmt or path.suffix.lstrip(".")).lower()
    if value not in FORMATS:
        raise InputError(
            [
                Problem(
                    None,
                    "unknown figure format",
                    column="--format",
                    expected="one of " + ", ".join(FORMATS),
                    found=repr(value or str(path)),
                )
            ]
        )
    return value


def write_html(fig: go.Figure, path: str | os.PathLike[str]) -> Path:
    """Write one figure as a self-contained HTML page (plotly.js inlined, works offline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(
        path, include_plotlyjs=True, full_html=True, config=PLOTLY_CONFIG, include_mathjax=False
    )
    return path


def _run_in_thread(coro_factory: Any) -> Any:
    """Run an async function to completion in its own thread and event loop (safe inside
    Jupyter, whose loop is already running)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro_factory())
        except BaseException as exc:  # handed back to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=target, name="heatnet-kaleido")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def write_static(
    items: Sequence[tuple[go.Figure, str | os.PathLike[str]]],
    *,
    scale: float = 2.0,
    timeout_s: float = 120.0,
    strict_fonts: bool = False,
) -> list[Path]:
    """Write figures as PNG, SVG or PDF (format from each path's suffix) with one Chromium.

    Width and height are the figure's layout size, or 1200 × 700 px; ``scale`` multiplies the
    pixels of PNGs. Raises :class:`ExportError` naming how to install Chromium when none is
    found, and when rendering fails. When a figure has Chinese text and no CJK font is
    installed, one :class:`MissingFontWarning` per call (the files are still written, the
    numbers and shapes are right), or :class:`ExportError` if ``strict_fonts``.
    """
    pairs = [(fig, Path(p)) for fig, p in items]
    if not pairs:
        return []
    formats = [figure_format(path) for _, path in pairs]
    bad = [str(p) for (_, p), f in zip(pairs, formats, strict=True) if f not in STATIC_FORMATS]
    if bad:
        raise InputError(
            [
                Problem(
                    None,
                    "not a static image format",
                    expected="a .png, .svg or .pdf file",
                    found=", ".join(bad),
                )
            ]
        )
    browser = find_browser()
    if browser is None:
        where = os.environ.get("BROWSER_PATH")
        found = f"BROWSER_PATH={where!r} is not an executable" if where else "no Chromium"
        raise ExportError(
            f"{'/'.join(sorted(set(formats)))} export needs Chromium ({found}): {INSTALL_HINT}"
        )
    problem = font_problem([fig for fig, _ in pairs])
    if problem is not None:
        if strict_fonts:
            raise ExportError(problem)
        warnings.warn(problem, MissingFontWarning, stacklevel=2)
    try:
        import kaleido  # noqa: F401  (checked here, before any file is touched; see _render)
        from kaleido.errors import BrowserFailedError, ChromeNotFoundError
    except ImportError as exc:  # pragma: no cover - kaleido is a dependency
        raise ExportError(
            f"static export needs the kaleido package ({exc}): `pip install kaleido`"
        ) from exc

    specs = []
    for (fig, path), fmt in zip(pairs, formats, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        layout = fig.layout
        specs.append(
            {
                "fig": fig.to_dict(),
                "path": path,
                "opts": {
                    "format": fmt,
                    "width": layout.width or DEFAULT_WIDTH_PX,
                    "height": layout.height or DEFAULT_HEIGHT_PX,
                    "scale": scale,
                },
            }
        )

    try:
        _render(specs, browser, timeout_s)
    except (ChromeNotFoundError, BrowserFailedError) as exc:
        raise ExportError(
            f"Chromium at {browser} could not be started ({exc}): {INSTALL_HINT}"
        ) from exc
    except Exception as exc:
        raise ExportError(f"static export failed: {type(exc).__name__}: {exc}") from exc
    empty = [str(p) for _, p in pairs if not p.is_file() or p.stat().st_size == 0]
    if empty:
        raise ExportError(f"static export wrote nothing to {', '.join(empty)}")
    return [p for _, p in pairs]


def _render(specs: list[dict[str, Any]], browser: str, timeout_s: float) -> None:
    """Render the figure specs with kaleido in one Chromium (its own thread and loop)."""
    import kaleido

    async def render() -> None:
        async with kaleido.Kaleido(n=1, mathjax=False, path=browser, timeout=timeout_s) as k:
            await k.write_fig_from_object(specs, cancel_on_error=True)

    _run_in_thread(render)


def write_figure(
    fig: go.Figure,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    strict_fonts: bool = False,
) -> Path:
    """Write one figure to ``path`` as HTML, PNG, SVG or PDF (``fmt`` or the path's suffix).
    ``strict_fonts``: see :func:`write_static`."""
    path = Path(path)
    value = figure_format(path, fmt)
    if path.suffix.lower() != f".{value}":
        raise InputError(
            [
                Problem(
                    None,
                    "the file name does not match the format",
                    column="--out",
                    expected=f"a file ending in .{value}",
                    found=str(path),
                )
            ]
        )
    if value == "html":
        return write_html(fig, path)
    return write_static([(fig, path)], strict_fonts=strict_fonts)[0]
