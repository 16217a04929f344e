"""Plain geometry on WGS84 coordinates: WKT line strings, WKB points and lines, distances.

No GIS library is needed: heatnet's geometry is points (nodes) and line strings (pipe routes),
always as (longitude, latitude) pairs in degrees (WGS84, EPSG:4326), the order of WKT, WKB and
GeoJSON.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
from collections.abc import Sequence

Coord = tuple[float, float]
"""(longitude, latitude) in degrees, WGS84."""

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius [m] (IUGG), for great-circle distances."""

ROUTE_END_TOLERANCE_M = 50.0
"""How far the ends of a pipe's ``route_wkt`` may lie from its from/to nodes [m]."""

DEFAULT_SNAP_M = 50.0
"""Default of ``heatnet convert --snap-m``: how far a line end imported from a GIS file may lie
from the node it is snapped to [m]."""

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LINESTRING = re.compile(r"^\s*LINESTRING\s*(?:Z|M|ZM)?\s*\((?P<body>[^()]*)\)\s*$", re.IGNORECASE)
_POINT_TEXT = re.compile(rf"^\s*({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER}){{0,2}}\s*$")


class WktError(ValueError):
    """Text that is not a WKT LINESTRING heatnet can read; the message says why."""


def parse_wkt_linestring(text: str) -> list[Coord]:
    """The points of a WKT ``LINESTRING (lon lat, lon lat, …)`` (Z and M values dropped).

    Raises :class:`WktError` when the text is not a LINESTRING, a point is not two numbers, a
    number is not finite or a coordinate is out of range (longitude -180…180, latitude
    -90…90), or there are fewer than 2 points.
    """
    m = _LINESTRING.match(text)
    if m is None:
        kind = text.strip().split("(")[0].strip().upper() or "empty text"
        if kind.startswith("LINESTRING"):
            raise WktError("the points are not one list in parentheses: LINESTRING (x y, x y, …)")
        raise WktError(f"not a WKT LINESTRING (starts with {kind[:30]!r})")
    coords: list[Coord] = []
    for i, part in enumerate(m.group("body").split(","), start=1):
        pm = _POINT_TEXT.match(part)
        if pm is None:
            raise WktError(f"point {i} is not 'lon lat': {part.strip()[:40]!r}")
        lon, lat = float(pm.group(1)), float(pm.group(2))
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise WktError(f"point {i} is not finite")
        check_lon_lat(lon, lat, f"point {i}")
        coords.append((lon, lat))
    if len(coords) < 2:
        raise WktError(f"{len(coords)} point; a line needs at least 2")
    return coords


def check_lon_lat(lon: float, lat: float, what: str = "point") -> None:
    """Raise :class:`WktError` unless -180 <= lon <= 180 and -90 <= lat <= 90."""
    if not -180.0 <= lon <= 180.0:
        raise WktError(f"{what} has longitude {lon:g}, outside -180…180 (is it lat lon?)")
    if not -90.0 <= lat <= 90.0:
        raise WktError(f"{what} has latitude {lat:g}, outside -90…90 (is it lat lon?)")


def format_wkt_linestring(coords: Sequence[Coord]) -> str:
    """``LINESTRING (lon lat, …)`` with every digit of each coordinate (round-trips exactly)."""
    return "LINESTRING (" + ", ".join(f"{float(x)!r} {float(y)!r}" for x, y in coords) + ")"


def distance_m(a: Coord, b: Coord) -> float:
    """Great-circle (haversine) distance between two (lon, lat) points [m]."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def line_length_km(coords: Sequence[Coord]) -> float:
    """Length of a line along its points [km]."""
    return sum(distance_m(a, b) for a, b in itertools.pairwise(coords)) / 1000.0


# --- WKB (for GeoPackage and Shapefile through pyogrio) -----------------------------------------


def point_wkb(coord: Coord) -> bytes:
    """Little-endian WKB of a 2-D point."""
    return struct.pack("<BIdd", 1, 1, coord[0], coord[1])


def linestring_wkb(coords: Sequence[Coord]) -> bytes:
    """Little-endian WKB of a 2-D line string."""
    body = b"".join(struct.pack("<dd", x, y) for x, y in coords)
    return struct.pack("<BII", 1, 2, len(coords)) + body


def wkb_geometry(data: bytes) -> dict[str, object] | None:
    """A WKB Point or LineString (2-D, Z/M dropped) as a GeoJSON geometry; None for other
    types (which the caller reports)."""
    order = "<" if data[0] == 1 else ">"
    (gtype,) = struct.unpack(order + "I", data[1:5])
    has_z = gtype & 0x80000000 or 1000 <= gtype % 10000 < 2000 or gtype % 10000 >= 3000
    has_m = gtype & 0x40000000 or 2000 <= gtype % 10000 < 4000
    base = (gtype & 0x0FFFFFFF) % 1000
    dims = 2 + bool(has_z) + bool(has_m)
    step = 8 * dims
    if base == 1:
        x, y = struct.unpack(order + "dd", data[5:21])
        return {"type": "Point", "coordinates": [x, y]}
    if base == 2:
        (n,) = struct.unpack(order + "I", data[5:9])
        pts = []
        for i in range(n):
            x, y = struct.unpack(order + "dd", data[9 + i * step : 9 + i * step + 16])
            pts.append([x, y])
        return {"type": "LineString", "coordinates": pts}
    return None
