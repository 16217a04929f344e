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
import shutil
import threading
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


class ExportError(HeatnetError):
    """A figure could not be written (no browser for static export, render failure)."""


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
) -> list[Path]:
    """Write figures as PNG, SVG or PDF (format from each path's suffix) with one Chromium.

    Width and height are the figure's layout size, or 1200 × 700 px; ``scale`` multiplies the
    pixels of PNGs. Raises :class:`ExportError` naming how to install Chromium when none is
    found, and when rendering fails.
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
    try:
        import kaleido
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

    async def render() -> None:
        async with kaleido.Kaleido(n=1, mathjax=False, path=browser, timeout=timeout_s) as k:
            await k.write_fig_from_object(specs, cancel_on_error=True)

    try:
        _run_in_thread(render)
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


def write_figure(fig: go.Figure, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write one figure to ``path`` as HTML, PNG, SVG or PDF (``fmt`` or the path's suffix)."""
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
    return write_static([(fig, path)])[0]
