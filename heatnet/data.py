"""Where the embedded data lives, in a source checkout and in an installed package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_root() -> Path:
    """Folder holding ``networks/`` and ``demand_profiles/``.

    An installed wheel carries them under ``heatnet/_data``; a source checkout (or an editable
    install) has them at the repository root.
    """
    packaged = _PACKAGE / "_data"
    if (packaged / "networks").is_dir():
        return packaged
    return _PACKAGE.parent


def default_network_path() -> Path:
    """Folder of the embedded Jinan network."""
    return data_root() / "networks" / "jinan"
