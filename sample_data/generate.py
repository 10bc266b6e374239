#!/usr/bin/env python3
"""Generate the three fictional sample projects that ship with prioritise.

Run ``python sample_data/generate.py``. The files are written next to this script, and a
calibration summary is printed. Each project draws from its own numpy Generator with a
fixed seed, so two runs write byte-identical CSV, TOML and GeoJSON files. GeoPackages and
shapefiles record when they were written, so for those only the contents repeat. A run
takes a few seconds and writes about 3 MB.

The country is the fictional republic of *Fictland*. It lies at real coordinates around
31-35°E, 12-16°N. Everything is built in UTM zone 36N (EPSG:32636) metres, and the vector
files are written in WGS84 (EPSG:4326).

``national/``
    A realistic national programme. Six provinces (Voronoi cells around their capitals)
    are split into 4-6 districts each, and hold about 3,000 hazard polygons in a
    GeoPackage. The contamination is clustered. Most of it lies around villages along
    three old front lines. The rest is in mined belts along the eastern border, in
    UXO/CMR battle areas around towns, and on roads (about 12% of the hazards). There is
    a network of trunk roads between 26 towns and tracks to 900 villages. It has shared
    end points, 1-3 m near misses for snapping, and bypasses around about a third of the
    blocked roads. The project also has teams (the mechanical fleet grows from 6 to 10
    machines in 2030), a budget, 150 hand-made access dependencies, 8 bases on the roads,
    and a ``project.toml`` with criteria scoring, five methods, equity and localisation
    constraints and an Article 5 deadline in 2032.
``province/``
    About 200 hazards from whole districts of the Lakes province. They are written as an
    IMSMA-style ESRI shapefile with field names of at most 10 characters and 0/1
    booleans, and a ``[columns]`` table maps the names back. The project plans 5 years
    with fewer teams and US$1.2-1.4m a year.
``minimal/``
    30 geometry-free hazards in the plain CSV interchange contract: ``hazard_id,
    province, impact, area_m2, article5``, plus the operator estimates ``cost_usd`` and
    ``days_manual``. The TOML has only ``[plan]`` and ``[data]``, so the engine's default
    methods apply.

Where the numbers come from (``/work/shared/reference/domain.md``, sections 3 and 5 and
"Modelling implications"):

* Hazard areas are log-normal with sigma 1.5. The median depends on the type: AP 2 ha,
  mixed 3 ha, UXO 4 ha, AT 5.5 ha, CMR 7 ha. Polygons that would cover a trunk road, and
  most of those that would cover a track, are dropped, because roads in use were
  cleared when they were opened. This removes more large polygons than small ones, so
  overall the median is about 3 ha and the mean about 8.5 ha. For comparison: Cambodia
  about 4 ha, Angola about 7 ha, Afghanistan and BiH about 13 ha per hazard. The tail
  reaches a few km² and is capped at 4 km². Border belts and road polygons are strips
  15-80 m wide.
* Land release: an SHA is expected to cancel 30-80% of its area and reduce 10-25%. A CHA
  cancels nothing and reduces 0-15%. Cancel plus reduce never exceeds 0.95. For
  comparison: Cambodia cancelled 48% and Zimbabwe 66%; the global reduction share is 24%.
* Productivity in m² per team-day: manual 200 (domain 150-250), MDD 700 (400-900),
  machine 6,000 (5,000-30,000) with a manual follow-up at 1,500, battle-area clearance
  350 (Laos area clearance 200-250), technical survey 3,000.
* A team-day's cost is cost/m² x m²/team-day. National manual $230 (about $1.15/m² on
  manual clearance), international manual $560, machine $2,800, MDD $650, survey $520.
  The cheapest method per hazard averages about $0.64/m², within the range of low-wage
  national programmes (Cambodia 0.17-0.41, Laos 0.18-0.34, Afghanistan 0.77).
* The budget is US$10.2-11.2m a year, at the low end of the US$8-30m of national
  programmes (CMAC 12-18m, Laos NRA 8.5-15m). Keeping every team busy would cost
  US$11.9m a year, or US$14.0m once the fleet has 10 machines.
* Beneficiaries are 500-5,000 people per km² (Cambodia about 3,000-4,000). The floor is
  25 people, and each total is split into women, men, girls and boys.

Calibration (the summary printed at the end repeats these numbers):

* The national inventory is about 250 km². At each hazard's cheapest method it costs
  about US$159m, against a 10-year budget of US$107m.
* In 10 years the team-days cover about 38 km² of manual clearance, 19 km² by MDD,
  100 km² by machine and 48 km² of survey.
* A fractional area-maximising LP checked this separately (pulp + HiGHS, budget and
  team-days per period, the Article 5 deadline). It releases at most about 66% of the
  area by 2036. The budget, the national and international manual teams and the survey
  teams all bind; the machines and dogs keep some slack. A plan that chases impact and
  respects access releases less area than that.
* Article 5 hazards (AP, and most mixed) are about 40% of the hazards and 25% of the
  area. Their cheapest cost is about US$44m, against US$64m of budget up to the 2032
  deadline, so the deadline shapes the first six years without making them infeasible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon

SEED = 20261126
HERE = Path(__file__).resolve().parent
UTM = "EPSG:32636"
WGS84 = "EPSG:4326"
KM = 1000.0
CENTRE = np.array([500_000.0, 1_548_000.0])  # 33°E, 14°N in UTM 36N
START_YEAR = 2027
YEARS = 10
DEADLINE_YEAR = 2032
HORIZON = list(range(START_YEAR, START_YEAR + YEARS))

Rng = np.random.Generator
XY = np.ndarray  # (n, 2) float array of UTM coordinates

# ---------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------

# Province: (capital town, capital's offset from the country centre in km). The capitals
# double as the Voronoi seeds of the provinces.
PROVINCES: dict[str, tuple[str, tuple[float, float]]] = {
    "Capital": ("Fictopolis", (0.0, 0.0)),
    "Northern": ("Karsa Wells", (5.0, 120.0)),
    "Eastern": ("Dunmar", (125.0, 15.0)),
    "Delta": ("Sabri", (70.0, -115.0)),
    "Lakes": ("Meloa", (-70.0, -110.0)),
    "Highlands": ("Tarbek", (-125.0, 35.0)),
}
OTHER_TOWNS = [
    "Orrin",
    "Besh",
    "Kalamar",
    "Udeni",
    "Fenwa",
    "Rasso",
    "Tiliko",
    "Gorum",
    "Ashvale",
    "Norrik",
    "Pemba Ford",
    "Sallow",
    "Vireth",
    "Enkadi",
    "Haddo",
    "Murrane",
    "Qasri",
    "Lintel",
    "Oyamba",
    "Sorrow Bend",
]
SYLLABLES_START = [
    "Ka",
    "Me",
    "Ta",
    "Bo",
    "Da",
    "Gi",
    "Ne",
    "Sa",
    "Fe",
    "Lo",
    "Ma",
    "Ri",
    "To",
    "We",
    "Za",
    "Ha",
    "Pi",
    "O",
    "Ke",
    "U",
    "A",
    "Ye",
    "Du",
    "Ni",
]
SYLLABLES_MID = ["ra", "lo", "ni", "ba", "ssa", "ku", "de", "mi", "ta", "we", "ro", "li", "n"]
SYLLABLES_END = ["", "", "ri", "ni", "ma", "do", "ka", "ton", "ba", "dal", "mor", "ik", "un"]
FEATURES = [
    "North",
    "South",
    "East",
    "West",
    "Fields",
    "Ridge",
    "Wadi",
    "Well",
    "Farm",
    "Hill",
    "Crossing",
    "Grazing",
]
TOWN_FEATURES = [
    "Outskirts",
    "Barracks",
    "Airstrip",
    "Market",
    "Ridge",
    "Quarry",
    "Water Works",
    "Old Camp",
]

N_VILLAGES = 900
# Hazards by origin (before a few are dropped for leaving the country or touching a lake).
N_VILLAGE_HAZARDS = 1_880
N_TOWN_HAZARDS = 520
N_BORDER_HAZARDS = 240
N_TRACKS_BLOCKED = 260
N_TRUNK_BLOCKED = 40
NEAR_MISS_SHARE = 0.03  # tracks whose first vertex misses the junction by 1-3 m


@dataclass(frozen=True)
class World:
    """The country's geography in UTM metres."""

    country: Polygon
    provinces: gpd.GeoDataFrame  # province, capital, geometry
    district_seeds: pd.DataFrame  # province, district, x, y
    towns: pd.DataFrame  # town, province, x, y, capital (bool)
    villages: pd.DataFrame  # village, x, y, front_weight
    water: shapely.Geometry  # lakes and the river
    lakes: shapely.Geometry
    forest: shapely.Geometry
    fronts: list[shapely.LineString]
    border_belt: shapely.LineString


def harmonic_noise(
    rng: Rng,
    count: int,
    theta: np.ndarray,
    amplitude: float,
    harmonics: Iterable[int] = (2, 3, 4, 5),
) -> np.ndarray:
    """Smooth periodic noise over angles ``theta``: one row of len(theta) per shape."""
    out = np.zeros((count, theta.size))
    for k in harmonics:
        a = rng.normal(0.0, amplitude / k, (count, 1))
        phase = rng.uniform(0.0, 2 * np.pi, (count, 1))
        out += a * np.cos(k * theta + phase)
    return out


def star_polygons(
    rng: Rng,
    centres: XY,
    areas: np.ndarray,
    aspect: np.ndarray,
    angle: np.ndarray,
    vertices: int = 16,
    roughness: float = 0.35,
) -> np.ndarray:
    """Irregular, always-valid polygons of exact ``areas`` around ``centres``.

    Radii are positive and the angles increase, so each shape is star-shaped and simple.
    Stretching by ``aspect`` and rotating by ``angle`` keep it simple.
    """
    count = len(centres)
    theta = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    r = np.clip(1.0 + harmonic_noise(rng, count, theta, roughness), 0.45, None)
    x = r * np.cos(theta) * np.sqrt(aspect)[:, None]
    y = r * np.sin(theta) / np.sqrt(aspect)[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    x, y = x * cos - y * sin, x * sin + y * cos
    unit_area = 0.5 * np.abs(
        np.sum(x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y, axis=1)
    )
    scale = np.sqrt(areas / unit_area)[:, None]
    coords = np.stack([centres[:, :1] + scale * x, centres[:, 1:] + scale * y], axis=-1)
    coords = np.concatenate([coords, coords[:, :1]], axis=1)
    return shapely.polygons(coords)


def wiggly_line(rng: Rng, a: np.ndarray, b: np.ndarray, spacing: float, wiggle: float) -> XY:
    """Vertices from ``a`` to ``b`` every ~``spacing`` m, bending by ~``wiggle`` x length."""
    length = float(np.hypot(*(b - a)))
    n = max(2, math.ceil(length / spacing) + 1)
    t = np.linspace(0.0, 1.0, n)[:, None]
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    offset = sum(rng.normal(0.0, wiggle * length / k) * np.sin(k * np.pi * t) for k in (1, 2, 3))
    return a + t * (b - a) + offset * normal


def random_points_in(rng: Rng, polygon: shapely.Geometry, n: int) -> XY:
    """``n`` uniform points inside ``polygon`` by rejection sampling."""
    xmin, ymin, xmax, ymax = polygon.bounds
    out: list[XY] = []
    while sum(len(p) for p in out) < n:
        pts = rng.uniform([xmin, ymin], [xmax, ymax], (2 * n, 2))
        out.append(pts[shapely.contains_xy(polygon, pts[:, 0], pts[:, 1])])
    return np.concatenate(out)[:n]


def make_country(rng: Rng) -> Polygon:
    """A lumpy ellipse about 330 x 360 km, inside 31-35°E, 12-16°N."""
    theta = np.linspace(0.0, 2 * np.pi, 180, endpoint=False)
    r = 1.0 + harmonic_noise(rng, 1, theta, 0.12, harmonics=range(2, 12))[0]
    r = np.clip(r, 0.8, 1.12)
    x = CENTRE[0] + 165 * KM * r * np.cos(theta)
    y = CENTRE[1] + 178 * KM * r * np.sin(theta)
    return Polygon(np.column_stack([x, y]))


def make_provinces(rng: Rng, country: Polygon) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Voronoi cells around the provincial capitals, clipped to the country."""
    names = list(PROVINCES)
    seeds = np.array([CENTRE + KM * np.array(PROVINCES[p][1]) for p in names])
    seeds += rng.normal(0.0, 8 * KM, seeds.shape)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=country.buffer(100 * KM))
    cell_list = list(shapely.get_parts(cells))
    geoms = []
    for seed in seeds:
        cell = next(c for c in cell_list if c.contains(shapely.Point(seed)))
        geoms.append(cell.intersection(country))
    provinces = gpd.GeoDataFrame(
        {"province": names, "capital": [PROVINCES[p][0] for p in names]},
        geometry=geoms,
        crs=UTM,
    )
    capitals = pd.DataFrame(
        {
            "town": provinces["capital"],
            "province": names,
            "x": seeds[:, 0],
            "y": seeds[:, 1],
            "capital": True,
        }
    )
    return provinces, capitals


def make_districts(rng: Rng, provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    """District seeds: 4-6 per province; a district is its seed's nearest-point cell."""
    rows = []
    for province, geom in zip(provinces["province"], provinces.geometry, strict=True):
        pts = random_points_in(rng, geom, int(rng.integers(4, 7)))
        order = np.lexsort((pts[:, 0], -pts[:, 1]))  # number districts north to south
        for i, (x, y) in enumerate(pts[order], start=1):
            rows.append({"province": province, "district": f"{province}-{i}", "x": x, "y": y})
    return pd.DataFrame(rows)


def place_towns(rng: Rng, country: Polygon, capitals: pd.DataFrame) -> pd.DataFrame:
    """The provincial capitals plus market towns at least 35 km from any other town."""
    xy = capitals[["x", "y"]].to_numpy()
    inner = country.buffer(-15 * KM)
    extra: list[np.ndarray] = []
    while len(extra) < len(OTHER_TOWNS):
        p = random_points_in(rng, inner, 1)[0]
        if np.min(np.hypot(*(np.vstack([xy, *extra]) - p).T)) > 35 * KM:
            extra.append(p)
    others = pd.DataFrame(
        {
            "town": OTHER_TOWNS,
            "province": "",
            "x": [p[0] for p in extra],
            "y": [p[1] for p in extra],
            "capital": False,
        }
    )
    return pd.concat([capitals, others], ignore_index=True)


def make_environment(
    rng: Rng, country: Polygon, capitals: pd.DataFrame
) -> tuple[shapely.Geometry, shapely.Geometry, shapely.Geometry]:
    """Lakes and a river in the south-west, forests in the Highlands and Lakes."""
    lakes_capital = capitals.set_index("town").loc[PROVINCES["Lakes"][0], ["x", "y"]]
    base = lakes_capital.to_numpy(dtype=float)
    lake_centres = base + KM * np.array([[-28.0, 22.0], [30.0, -12.0], [5.0, 40.0]])
    lakes = star_polygons(
        rng,
        lake_centres,
        np.array([160.0, 90.0, 45.0]) * KM**2,
        np.array([2.5, 1.8, 1.5]),
        rng.uniform(0, np.pi, 3),
        vertices=40,
        roughness=0.2,
    )
    delta = capitals.set_index("town").loc[PROVINCES["Delta"][0], ["x", "y"]].to_numpy(float)
    river = shapely.LineString(
        wiggly_line(rng, lake_centres[1], delta + KM * np.array([60.0, -40.0]), 2 * KM, 0.05)
    )
    lakes_union = shapely.union_all(lakes).intersection(country)
    water = shapely.union_all([lakes_union, river.buffer(800)]).intersection(country)
    highlands = capitals.set_index("town").loc[PROVINCES["Highlands"][0], ["x", "y"]]
    forest_centres = np.vstack(
        [
            highlands.to_numpy(float) + KM * rng.normal(0, 30, (3, 2)),
            base + KM * rng.normal(0, 35, (2, 2)),
        ]
    )
    forests = star_polygons(
        rng,
        forest_centres,
        rng.uniform(300, 900, 5) * KM**2,
        rng.uniform(1, 2.5, 5),
        rng.uniform(0, np.pi, 5),
        vertices=40,
    )
    forest = shapely.union_all(forests).difference(water).intersection(country)
    return lakes_union, water, forest


def make_fronts(rng: Rng, country: Polygon) -> tuple[list[shapely.LineString], shapely.LineString]:
    """Three old front lines (north, centre to south-east, south-west) and the eastern
    border belt."""
    ends = [((-170, 75), (170, 85)), ((10, 10), (140, -130)), ((-165, -45), (-35, -160))]
    fronts = []
    for a, b in ends:
        line = wiggly_line(rng, CENTRE + KM * np.array(a), CENTRE + KM * np.array(b), 3 * KM, 0.06)
        fronts.append(shapely.LineString(line).intersection(country))
    boundary = np.asarray(country.exterior.coords)[:-1]
    bearing = np.degrees(np.arctan2(*(boundary - CENTRE).T[::-1]))
    east = boundary[(bearing > -45) & (bearing < 35)]
    east = east[np.argsort(np.arctan2(*(east - CENTRE).T[::-1]))]
    return fronts, shapely.LineString(east)


def place_villages(
    rng: Rng,
    country: Polygon,
    fronts: Sequence[shapely.LineString],
    belt: shapely.LineString,
    water: shapely.Geometry,
) -> pd.DataFrame:
    """Villages: half along the old fronts, some near the border, the rest anywhere."""
    n_front, n_border = int(0.5 * N_VILLAGES), int(0.15 * N_VILLAGES)
    pts = [
        points_near_lines(rng, fronts, 4 * n_front, 10 * KM),
        points_near_lines(rng, [belt], 4 * n_border, 8 * KM),
        random_points_in(rng, country, 2 * N_VILLAGES),
    ]
    wanted = [n_front, n_border, N_VILLAGES - n_front - n_border]
    keep = []
    inside = country.buffer(-1 * KM).difference(water.buffer(500))
    for p, n in zip(pts, wanted, strict=True):
        keep.append(p[shapely.contains_xy(inside, p[:, 0], p[:, 1])][:n])
    xy = np.concatenate(keep)
    front_dist = np.min([shapely.distance(f, shapely.points(xy)) for f in fronts], axis=0)
    return pd.DataFrame(
        {
            "village": village_names(rng, len(xy)),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "front_weight": np.exp(-front_dist / (15 * KM)) + 0.15,
        }
    )


def points_near_lines(rng: Rng, lines: Sequence[shapely.LineString], n: int, spread: float) -> XY:
    """``n`` points scattered normally (sd ``spread``) around random points on ``lines``."""
    lengths = np.array([line.length for line in lines])
    which = rng.choice(len(lines), n, p=lengths / lengths.sum())
    at = rng.uniform(0, 1, n) * lengths[which]
    base = np.array(
        [
            shapely.get_coordinates(lines[w].interpolate(s))[0]
            for w, s in zip(which, at, strict=True)
        ]
    )
    return base + rng.normal(0.0, spread, (n, 2))


def village_names(rng: Rng, n: int) -> list[str]:
    """``n`` distinct, pronounceable, fictional village names."""
    names: list[str] = []
    seen = set(OTHER_TOWNS) | {p[0] for p in PROVINCES.values()}
    while len(names) < n:
        name = rng.choice(SYLLABLES_START) + rng.choice(SYLLABLES_MID) + rng.choice(SYLLABLES_END)
        if rng.random() < 0.12:
            name += " " + str(rng.choice(["Wells", "Ford", "Hill", "Kebir", "Saghir"]))
        if name not in seen and len(name) >= 4:
            seen.add(name)
            names.append(name)
    return names


def make_world(rng: Rng) -> World:
    country = make_country(rng)
    provinces, capitals = make_provinces(rng, country)
    districts = make_districts(rng, provinces)
    towns = place_towns(rng, country, capitals)
    towns["province"] = provinces["province"].to_numpy()[
        nearest_polygon(shapely.points(towns[["x", "y"]].to_numpy()), provinces.geometry)
    ]
    lakes, water, forest = make_environment(rng, country, capitals)
    fronts, belt = make_fronts(rng, country)
    villages = place_villages(rng, country, fronts, belt, water)
    return World(country, provinces, districts, towns, villages, water, lakes, forest, fronts, belt)


def nearest_polygon(points: np.ndarray, polygons: Iterable[shapely.Geometry]) -> np.ndarray:
    """Index of the polygon containing (or, failing that, nearest to) each point."""
    polys = np.asarray(list(polygons), dtype=object)
    return np.argmin(shapely.distance(points[:, None], polys[None, :]), axis=1)


# ---------------------------------------------------------------------------------------
# Roads
# ---------------------------------------------------------------------------------------


@dataclass
class RoadNetwork:
    """Road polylines as vertex arrays. A line is cut into segments at every junction."""

    lines: list[XY] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    cuts: list[set[int]] = field(default_factory=list)
    looped: set[int] = field(default_factory=set)  # trunk lines on a loop of the network

    def add(self, coords: XY, road_class: str) -> int:
        self.lines.append(np.asarray(coords, dtype=float))
        self.classes.append(road_class)
        self.cuts.append(set())
        return len(self.lines) - 1

    def segments(self, max_vertices: int) -> gpd.GeoDataFrame:
        """LineStrings between junctions, each at most ``max_vertices`` long."""
        coords: list[XY] = []
        index: list[np.ndarray] = []
        classes: list[str] = []
        source: list[int] = []
        for i, (line, cuts) in enumerate(zip(self.lines, self.cuts, strict=True)):
            n = len(line)
            breaks = sorted({0, n - 1} | cuts | set(range(0, n, max_vertices - 1)))
            for a, b in itertools.pairwise(breaks):
                coords.append(line[a : b + 1])
                index.append(np.full(b - a + 1, len(classes)))
                classes.append(self.classes[i])
                source.append(i)
        geoms = shapely.linestrings(np.concatenate(coords), indices=np.concatenate(index))
        return gpd.GeoDataFrame({"road_class": classes, "line": source}, geometry=geoms, crs=UTM)


def minimum_spanning_edges(xy: XY) -> list[tuple[int, int]]:
    """Prim's algorithm on the complete Euclidean graph of ``xy``."""
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    in_tree = np.zeros(len(xy), dtype=bool)
    in_tree[0] = True
    edges = []
    while not in_tree.all():
        sub = np.where(in_tree[:, None] & ~in_tree[None, :], d, np.inf)
        i, j = np.unravel_index(np.argmin(sub), sub.shape)
        edges.append((int(i), int(j)))
        in_tree[j] = True
    return edges


def build_trunk(rng: Rng, towns: pd.DataFrame, net: RoadNetwork) -> None:
    """Trunk roads: a spanning tree of the towns plus a few short loops."""
    xy = towns[["x", "y"]].to_numpy()
    tree = minimum_spanning_edges(xy)
    in_tree = {frozenset(e) for e in tree}
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    pairs = sorted(
        (d[i, j], i, j)
        for i in range(len(xy))
        for j in range(i + 1, len(xy))
        if frozenset((i, j)) not in in_tree
    )
    extra = [(i, j) for _, i, j in pairs[:6]]
    on_loop = {frozenset(e) for e in extra}
    for i, j in extra:
        on_loop |= tree_path(tree, i, j)
    for i, j in tree + extra:
        line = net.add(wiggly_line(rng, xy[i], xy[j], 500.0, 0.025), "trunk")
        if frozenset((i, j)) in on_loop:
            net.looped.add(line)


def tree_path(tree: Sequence[tuple[int, int]], start: int, end: int) -> set[frozenset[int]]:
    """The edges on the path from ``start`` to ``end`` in a tree."""
    neighbours: dict[int, list[int]] = {}
    for i, j in tree:
        neighbours.setdefault(i, []).append(j)
        neighbours.setdefault(j, []).append(i)
    parent = {start: start}
    queue = [start]
    while queue:
        node = queue.pop()
        for nxt in neighbours.get(node, []):
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    path = set()
    while end != start:
        path.add(frozenset((end, parent[end])))
        end = parent[end]
    return path


def build_tracks(rng: Rng, villages: pd.DataFrame, net: RoadNetwork) -> np.ndarray:
    """Tracks from each village to the nearest vertex of the network built so far.

    Villages nearest the trunk roads come first, so later tracks branch off earlier ones
    and the tracks form trees. Every junction is a segment end point, except for a few
    near misses (1-3 m) that a snapping tolerance must repair.
    """
    verts = np.concatenate(net.lines)
    owner = np.concatenate(
        [np.column_stack([np.full(len(c), i), np.arange(len(c))]) for i, c in enumerate(net.lines)]
    )
    xy = villages[["x", "y"]].to_numpy()
    to_trunk = np.array([np.min(np.hypot(*(verts - p).T)) for p in xy])
    track_of = np.zeros(len(xy), dtype=int)
    for v in np.argsort(to_trunk, kind="stable"):
        j = int(np.argmin(np.hypot(*(verts - xy[v]).T)))
        line, vertex = owner[j]
        net.cuts[line].add(int(vertex))
        coords = wiggly_line(rng, verts[j], xy[v], 250.0, 0.05)
        if rng.random() < NEAR_MISS_SHARE:
            angle = rng.uniform(0, 2 * np.pi)
            coords[0] += rng.uniform(1.0, 3.0) * np.array([np.cos(angle), np.sin(angle)])
        tid = net.add(coords, "track")
        track_of[v] = tid
        verts = np.vstack([verts, coords[1:]])
        owner = np.vstack(
            [owner, np.column_stack([np.full(len(coords) - 1, tid), np.arange(1, len(coords))])]
        )
    return track_of


# ---------------------------------------------------------------------------------------
# Hazard geometry
# ---------------------------------------------------------------------------------------

HAZARD_TYPES = ["AP", "AT", "mixed", "CMR", "UXO"]
TYPE_MEDIAN_M2 = {
    "AP": 20_000.0,
    "AT": 55_000.0,
    "mixed": 30_000.0,
    "CMR": 70_000.0,
    "UXO": 40_000.0,
}
AREA_SIGMA = 1.5
MAX_AREA_M2 = 4_000_000.0
# Contamination type by where the hazard comes from.
TYPE_SHARES: dict[str, Sequence[float]] = {  # AP, AT, mixed, CMR, UXO
    "village": (0.30, 0.12, 0.17, 0.15, 0.26),
    "border": (0.75, 0.10, 0.15, 0.00, 0.00),
    "town": (0.05, 0.03, 0.05, 0.37, 0.50),
    "road": (0.15, 0.40, 0.25, 0.05, 0.15),
}


def sample_types(rng: Rng, origin: str, n: int) -> np.ndarray:
    return rng.choice(HAZARD_TYPES, n, p=TYPE_SHARES[origin])


def sample_areas(rng: Rng, types: np.ndarray, scale: float = 1.0) -> np.ndarray:
    median = np.array([TYPE_MEDIAN_M2[t] for t in types]) * scale
    return np.clip(median * np.exp(rng.normal(0.0, AREA_SIGMA, len(types))), 400.0, MAX_AREA_M2)


def blob_hazards(
    rng: Rng, origin: str, centres: XY, anchor: np.ndarray, elongated: float = 0.15
) -> gpd.GeoDataFrame:
    """Irregular polygons at ``centres``; ``anchor`` is the village or town they belong to."""
    n = len(centres)
    types = sample_types(rng, origin, n)
    aspect = np.where(rng.random(n) < elongated, rng.uniform(3, 8, n), rng.uniform(1, 2.2, n))
    geoms = star_polygons(rng, centres, sample_areas(rng, types), aspect, rng.uniform(0, np.pi, n))
    return gpd.GeoDataFrame(
        {"origin": origin, "hazard_type": types, "anchor": anchor}, geometry=geoms, crs=UTM
    )


def village_hazards(rng: Rng, world: World, n: int) -> gpd.GeoDataFrame:
    """Minefields and battle areas around villages, denser near the old fronts."""
    v = world.villages
    w = v["front_weight"].to_numpy()
    pick = rng.choice(len(v), n, p=w / w.sum())
    dist = np.exp(rng.normal(np.log(1200.0), 0.6, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    centres = v[["x", "y"]].to_numpy()[pick] + dist[:, None] * np.column_stack(
        [np.cos(angle), np.sin(angle)]
    )
    return blob_hazards(rng, "village", centres, pick)


def town_hazards(rng: Rng, world: World, n: int) -> gpd.GeoDataFrame:
    """UXO and cluster-munition strike areas around towns that saw fighting."""
    towns = world.towns
    w = rng.gamma(0.8, 1.0, len(towns))
    w[towns["town"] == PROVINCES["Capital"][0]] *= 0.3  # the capital was largely spared
    pick = rng.choice(len(towns), n, p=w / w.sum())
    centres = towns[["x", "y"]].to_numpy()[pick] + rng.normal(0, 3.5 * KM, (n, 2))
    return blob_hazards(rng, "town", centres, pick, elongated=0.05)


def border_hazards(rng: Rng, world: World, n: int) -> gpd.GeoDataFrame:
    """Mined belts: long strips parallel to the eastern border, 0.2-2.5 km inside it."""
    belt = world.border_belt
    at = rng.uniform(0, belt.length, n)
    p = shapely.get_coordinates(shapely.line_interpolate_point(belt, at))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(belt, at + 50.0))
    tangent = (ahead - p) / np.hypot(*(ahead - p).T)[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    probe = p + 1000 * normal
    normal[~shapely.contains_xy(world.country, probe[:, 0], probe[:, 1])] *= -1
    centre = p + rng.uniform(200, 2500, n)[:, None] * normal
    types = sample_types(rng, "border", n)
    width = rng.uniform(25, 80, n)
    length = np.clip(sample_areas(rng, types, scale=1.2) / width, 150, 8000)
    bend = rng.normal(0, 0.04, n)[:, None] * length[:, None] * normal
    coords = np.stack(
        [
            centre - tangent * length[:, None] / 2,
            centre + bend,
            centre + tangent * length[:, None] / 2,
        ],
        axis=1,
    )
    strips = shapely.buffer(
        shapely.linestrings(coords), width / 2, cap_style="flat", join_style="mitre"
    )
    anchor = nearest_index(centre, world.villages[["x", "y"]].to_numpy())
    return gpd.GeoDataFrame(
        {"origin": "border", "hazard_type": types, "anchor": anchor}, geometry=strips, crs=UTM
    )


def nearest_index(xy: XY, targets: XY) -> np.ndarray:
    """Index of the nearest target point for each point (brute force, chunked)."""
    out = np.empty(len(xy), dtype=int)
    for s in range(0, len(xy), 500):
        chunk = xy[s : s + 500]
        out[s : s + 500] = np.argmin(
            np.hypot(*(chunk[:, None] - targets[None]).transpose(2, 0, 1)), axis=1
        )
    return out


@dataclass(frozen=True)
class Blocker:
    """A hazard sitting on a road: the line and vertex range it covers."""

    line: int
    first: int
    last: int
    strip: bool
    bypass: bool


def choose_blockers(rng: Rng, net: RoadNetwork, track_of: np.ndarray) -> list[Blocker]:
    """Hazards on tracks (one or two per track, a third with a bypass) and on trunk roads
    (with a bypass, or on a loop of the trunk network, so no town is cut off)."""
    tracks = np.array([t for t in track_of if len(net.lines[t]) >= 10])
    # Mostly dead-end tracks, so one blocker cuts off one village rather than a valley.
    leaf = np.array([not net.cuts[t] for t in tracks])
    weight = np.where(leaf, 1.0, 0.05)
    blockers: list[Blocker] = []
    for t in rng.choice(
        tracks, min(N_TRACKS_BLOCKED, len(tracks)), replace=False, p=weight / weight.sum()
    ):
        n = len(net.lines[t])
        ranges = (
            [(3, n - 4)]
            if n < 20 or rng.random() < 0.85
            else [(3, n // 2 - 3), (n // 2 + 2, n - 4)]
        )
        for lo, hi in ranges:
            blockers.append(range_blocker(rng, int(t), lo, hi, bypass=rng.random() < 0.35))
    trunks = [i for i, c in enumerate(net.classes) if c == "trunk" and len(net.lines[i]) > 40]
    for t in rng.choice(trunks, N_TRUNK_BLOCKED, replace=True):
        n = len(net.lines[int(t)])
        # A blocker without a bypass only on a loop, where the way round is long but open.
        bypass = int(t) not in net.looped or rng.random() < 0.5
        blockers.append(range_blocker(rng, int(t), 15, n - 16, bypass=bypass))
    return blockers


def range_blocker(rng: Rng, line: int, lo: int, hi: int, bypass: bool) -> Blocker:
    first = int(rng.integers(lo, hi + 1))
    strip = rng.random() < 0.4
    last = min(first + int(rng.integers(2, 7)), hi + 2) if strip else first
    return Blocker(line, first, last, strip, bypass)


def blocker_hazards(
    rng: Rng,
    net: RoadNetwork,
    blockers: Sequence[Blocker],
    anchor_of_line: Mapping[int, int],
    towns_xy: XY,
) -> gpd.GeoDataFrame:
    """Polygons across roads: blobs centred on a road vertex or strips along the road."""
    n = len(blockers)
    types = sample_types(rng, "road", n)
    blobs = star_polygons(
        rng,
        np.array([net.lines[b.line][b.first] for b in blockers]),
        sample_areas(rng, types, scale=0.5).clip(None, 150_000.0),
        rng.uniform(1, 2.5, n),
        rng.uniform(0, np.pi, n),
    )
    ends = [max(b.last, b.first + 1) for b in blockers]  # blobs get a dummy 2-vertex path
    paths = shapely.linestrings(
        np.concatenate(
            [net.lines[b.line][b.first : e + 1] for b, e in zip(blockers, ends, strict=True)]
        ),
        indices=np.repeat(
            np.arange(n), [e - b.first + 1 for b, e in zip(blockers, ends, strict=True)]
        ),
    )
    strips = shapely.buffer(paths, rng.uniform(15, 40, n) / 2, cap_style="flat")
    is_strip = np.array([b.strip for b in blockers])
    geoms = np.where(is_strip, strips, blobs)
    anchor = np.array([anchor_of_line.get(b.line, -1) for b in blockers])
    on_trunk = anchor < 0
    anchor[on_trunk] = nearest_index(
        np.array([net.lines[b.line][b.first] for b in blockers])[on_trunk], towns_xy
    )
    return gpd.GeoDataFrame(
        {"origin": "road", "hazard_type": types, "anchor": anchor, "anchor_is_town": on_trunk},
        geometry=geoms,
        crs=UTM,
    )


def add_bypasses(rng: Rng, net: RoadNetwork, blockers: Sequence[Blocker], geoms: np.ndarray) -> int:
    """Detour tracks around the blockers that have one; returns how many were built.

    A bypass leaves the road at the last vertex clear of the hazard before it, runs
    parallel at a safe offset and rejoins at the first clear vertex after it. Detours are
    1.2-3 times the direct distance, so some fall within a detour factor and some not.
    """
    built = 0
    for b, geom in zip(blockers, geoms, strict=True):
        if not b.bypass:
            continue
        line = net.lines[b.line]
        clear = shapely.distance(shapely.points(line), geom) > 60.0
        before = [i for i in range(b.first) if clear[i]]
        after = [i for i in range(b.last + 1, len(line)) if clear[i]]
        if not before or not after:
            continue
        a, z = before[-1], after[0]
        chord = line[z] - line[a]
        normal = np.array([-chord[1], chord[0]]) / np.hypot(*chord)
        reach = shapely.hausdorff_distance(geom, shapely.linestrings(line[a : z + 1]))
        offset = (reach + rng.uniform(80, 300)) * (1 if rng.random() < 0.5 else -1)
        middle = line[a + 1 : z] if z - a > 1 else (line[a : a + 1] + line[z : z + 1]) / 2
        path = np.vstack([line[a], middle + offset * normal, line[z]])
        if shapely.intersects(shapely.LineString(path), geom):
            continue
        net.cuts[b.line].update((a, z))
        net.add(path, "track")
        built += 1
    return built


def keep_valid(
    rng: Rng, hz: gpd.GeoDataFrame, world: World, net: RoadNetwork | None = None
) -> gpd.GeoDataFrame:
    """Drop shapes that leave the country or touch a lake.

    Given ``net``, also drop every shape within 20 m of a trunk road and most of those
    touching a track: roads in use were cleared when they were opened. Only the hazards
    placed on roads on purpose, and a few others, block them.
    """
    geoms = hz.geometry.values
    ok = (
        shapely.within(geoms, world.country)
        & ~shapely.intersects(geoms, world.lakes)
        & shapely.is_valid(geoms)
    )
    if net is not None:
        for road_class, distance, keep_share in (("trunk", 20.0, 0.0), ("track", 0.0, 0.15)):
            lines = [
                shapely.LineString(c)
                for c, k in zip(net.lines, net.classes, strict=True)
                if k == road_class
            ]
            near = np.zeros(len(hz), dtype=bool)
            near[shapely.STRtree(lines).query(geoms, predicate="dwithin", distance=distance)[0]] = (
                True
            )
            ok &= ~near | (rng.random(len(hz)) < keep_share)
    return hz[ok]


# ---------------------------------------------------------------------------------------
# Hazard attributes
# ---------------------------------------------------------------------------------------

LAND_USES = [
    "agriculture",
    "irrigated",
    "pasture",
    "residential",
    "infrastructure",
    "forest",
    "other",
]
LAND_USE_SHARES: dict[str, Sequence[float]] = {
    # agriculture, irrigated, pasture, residential, infrastructure, forest, other
    "default": (0.42, 0.02, 0.30, 0.05, 0.04, 0.02, 0.15),
    "water": (0.30, 0.45, 0.12, 0.05, 0.03, 0.02, 0.03),
    "forest": (0.08, 0.00, 0.12, 0.02, 0.03, 0.70, 0.05),
    "town": (0.25, 0.05, 0.08, 0.32, 0.25, 0.00, 0.05),
    "road": (0.12, 0.03, 0.05, 0.05, 0.70, 0.00, 0.05),
}


def admin_units(geoms: np.ndarray, world: World) -> tuple[np.ndarray, np.ndarray]:
    """Province containing each hazard and the district whose seed is nearest in it."""
    points = shapely.point_on_surface(geoms)
    province = world.provinces["province"].to_numpy()[
        nearest_polygon(points, world.provinces.geometry)
    ]
    xy = shapely.get_coordinates(points)
    seeds = world.district_seeds
    district = np.empty(len(xy), dtype=object)
    for p in np.unique(province):
        mine = province == p
        cand = seeds[seeds["province"] == p]
        district[mine] = cand["district"].to_numpy()[
            nearest_index(xy[mine], cand[["x", "y"]].to_numpy())
        ]
    return province, district


def land_release(rng: Rng, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class (SHA 40%), expected cancelled and reduced shares of the area."""
    sha = rng.random(n) < 0.40
    cancel = np.where(sha, rng.uniform(0.30, 0.80, n), 0.0).round(3)
    reduce = np.where(sha, rng.uniform(0.10, 0.25, n), rng.uniform(0.0, 0.15, n))
    reduce = np.floor(np.minimum(reduce, 0.95 - cancel) * 1000) / 1000
    return np.where(sha, "SHA", "CHA"), cancel, reduce


def sample_categories(rng: Rng, probabilities: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """One label per row of a (rows x labels) probability matrix."""
    cum = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    pick = (rng.random(len(cum))[:, None] > cum).sum(axis=1)
    return np.asarray(labels, dtype=object)[np.minimum(pick, len(labels) - 1)]


def land_use(rng: Rng, context: np.ndarray) -> np.ndarray:
    probs = np.array([LAND_USE_SHARES[c] for c in context])
    return sample_categories(rng, probs, LAND_USES)


def beneficiaries(rng: Rng, area_m2: np.ndarray, near_town: np.ndarray) -> pd.DataFrame:
    """500-5,000 people per km² (denser near towns), floor 25, with a SADD split."""
    density = np.exp(rng.uniform(np.log(500), np.log(5000), len(area_m2)))
    density = np.where(near_town, np.minimum(density * 1.8, 5000), density)
    total = np.maximum(25, np.round(density * area_m2 / 1e6)).astype(np.int64)
    shares = rng.dirichlet([27.0, 24.0, 25.0, 24.0], len(total))
    split = rng.multinomial(total, shares)
    return pd.DataFrame(
        {
            "beneficiaries": total,
            "beneficiaries_women": split[:, 0],
            "beneficiaries_men": split[:, 1],
            "beneficiaries_girls": split[:, 2],
            "beneficiaries_boys": split[:, 3],
        }
    )


def env_sensitivity(rng: Rng, d_water: np.ndarray, d_forest: np.ndarray) -> np.ndarray:
    """0-1: high next to lakes, the river and forests, low in open farmland."""
    score = (
        0.05
        + 0.25 * rng.random(len(d_water))
        + 0.65 * np.exp(-d_water / 4000)
        + 0.55 * np.exp(-d_forest / 3000)
    )
    return np.clip(score, 0.0, 1.0).round(2)


def casualties(rng: Rng, types: np.ndarray, dist_settlement_m: np.ndarray) -> np.ndarray:
    """Recent casualties: mostly 0, over-dispersed, more for AP near settlements."""
    base = (
        pd.Series(types)
        .map({"AP": 0.30, "mixed": 0.25, "AT": 0.10, "CMR": 0.20, "UXO": 0.15})
        .to_numpy()
    )
    rate = base * (0.5 + 2.0 * np.exp(-dist_settlement_m / 2000)) * rng.gamma(0.35, 2.5, len(types))
    return rng.poisson(rate)


def returnees(rng: Rng, province: np.ndarray) -> np.ndarray:
    """People expected to return: mostly in the former conflict provinces."""
    p = np.where(np.isin(province, ["Northern", "Eastern"]), 0.45, 0.10)
    amount = np.round(np.exp(rng.normal(np.log(150), 1.0, len(province))))
    return np.where(rng.random(len(province)) < p, amount, 0).astype(np.int64)


def hazard_names(rng: Rng, hz: gpd.GeoDataFrame, world: World) -> np.ndarray:
    villages = world.villages["village"].to_numpy()
    towns = world.towns["town"].to_numpy()
    by_town = (hz["origin"] == "town").to_numpy() | hz["anchor_is_town"].to_numpy()
    anchor = hz["anchor"].to_numpy()
    place = np.where(
        by_town, towns[np.where(by_town, anchor, 0)], villages[np.where(by_town, 0, anchor)]
    )
    feature = np.where(by_town, rng.choice(TOWN_FEATURES, len(hz)), rng.choice(FEATURES, len(hz)))
    feature = np.where(hz["origin"] == "road", "Road", feature)
    feature = np.where(hz["origin"] == "border", "Border Belt", feature)
    number = rng.integers(1, 6, len(hz))
    return np.array([f"{p} {f} {k}" for p, f, k in zip(place, feature, number, strict=True)])


def add_attributes(
    rng: Rng, hz: gpd.GeoDataFrame, world: World, roads: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Every schema and criteria column, derived from where each hazard is."""
    geoms = hz.geometry.values
    n = len(hz)
    area = shapely.area(geoms)
    settlements = np.vstack(
        [world.villages[["x", "y"]].to_numpy(), world.towns[["x", "y"]].to_numpy()]
    )
    centroid = shapely.get_coordinates(shapely.centroid(geoms))
    near = nearest_index(centroid, settlements)
    d_settle = shapely.distance(geoms, shapely.points(settlements[near]))
    d_town = np.min(
        np.hypot(
            *(centroid[:, None] - world.towns[["x", "y"]].to_numpy()[None]).transpose(2, 0, 1)
        ),
        axis=1,
    )
    d_water = shapely.distance(geoms, world.water)
    d_forest = shapely.distance(geoms, world.forest)
    tree = shapely.STRtree(roads.geometry.values)
    on_road = np.zeros(n, dtype=bool)
    on_road[np.unique(tree.query(geoms, predicate="intersects")[0])] = True

    context = np.full(n, "default", dtype=object)
    context[d_town < 6 * KM] = "town"
    context[d_water < 5 * KM] = "water"
    context[d_forest == 0] = "forest"
    context[on_road] = "road"

    province, district = admin_units(geoms, world)
    cls, cancel, reduce = land_release(rng, n)
    types = hz["hazard_type"].to_numpy()
    article5 = (types == "AP") | ((types == "mixed") & (rng.random(n) < 0.8))
    out = pd.DataFrame(
        {
            "province": province,
            "district": district,
            "name": hazard_names(rng, hz, world),
            "hazard_class": cls,
            "hazard_type": types,
            "cancel_fraction": cancel,
            "reduce_fraction": reduce,
            "article5": article5,
        }
    )
    out = pd.concat([out, beneficiaries(rng, area, d_town < 8 * KM)], axis=1)
    out["env_sensitivity"] = env_sensitivity(rng, d_water, d_forest)
    out["casualties_24m"] = casualties(rng, types, d_settle)
    out["land_use"] = land_use(rng, context)
    out["blocks_road"] = on_road
    out["returnees"] = returnees(rng, province)
    out["dist_settlement_km"] = (d_settle / KM).round(2)
    out = pd.concat([out, operator_estimates(rng, area)], axis=1)
    return gpd.GeoDataFrame(out, geometry=np.asarray(geoms), crs=UTM)


def operator_estimates(rng: Rng, area_m2: np.ndarray) -> pd.DataFrame:
    """For ~5% of hazards, an operator's own manual-clearance estimate."""
    n = len(area_m2)
    has = rng.random(n) < 0.05
    days = np.ceil(area_m2 / rng.uniform(170, 240, n))
    cost = np.round(days * TEAM_RATES["manual_national"] * rng.uniform(1.05, 1.30, n), -1)
    return pd.DataFrame(
        {
            "cost_usd": np.where(has, cost, np.nan),
            "days_manual_national": np.where(has, days, np.nan),
            "method": pd.Series(np.where(has, "manual", ""), dtype=object).replace("", None),
        }
    )


def make_hazards(
    rng: Rng, world: World, net: RoadNetwork, track_of: np.ndarray
) -> tuple[gpd.GeoDataFrame, int]:
    """All hazards with geometry and origin; also builds the bypasses into ``net``."""
    blockers = choose_blockers(rng, net, track_of)
    anchor_of_line = {int(t): v for v, t in enumerate(track_of)}
    on_roads = blocker_hazards(
        rng, net, blockers, anchor_of_line, world.towns[["x", "y"]].to_numpy()
    )
    ok = keep_valid(rng, on_roads, world).index
    bypasses = add_bypasses(rng, net, [blockers[i] for i in ok], on_roads.geometry.values[ok])
    parts = [
        keep_valid(rng, village_hazards(rng, world, int(N_VILLAGE_HAZARDS * 2)), world, net).iloc[
            :N_VILLAGE_HAZARDS
        ],
        keep_valid(rng, town_hazards(rng, world, int(N_TOWN_HAZARDS * 2)), world, net).iloc[
            :N_TOWN_HAZARDS
        ],
        keep_valid(rng, border_hazards(rng, world, int(N_BORDER_HAZARDS * 2)), world, net).iloc[
            :N_BORDER_HAZARDS
        ],
        on_roads.loc[ok],
    ]
    hz = pd.concat(parts, ignore_index=True)
    hz["anchor_is_town"] = hz["anchor_is_town"].fillna(False).astype(bool)
    hz.loc[hz["origin"] == "town", "anchor_is_town"] = True
    hz = hz.iloc[rng.permutation(len(hz))].reset_index(drop=True)
    return gpd.GeoDataFrame(hz, geometry="geometry", crs=UTM), bypasses


# ---------------------------------------------------------------------------------------
# Dependencies and bases
# ---------------------------------------------------------------------------------------


def make_bases(world: World) -> gpd.GeoDataFrame:
    """Provincial depots in the six capitals plus two forward bases in the north and east."""
    towns = world.towns
    capitals = towns[towns["capital"]]
    forward = towns[~towns["capital"] & towns["province"].isin(["Northern", "Eastern"])]
    chosen = pd.concat([capitals, forward.head(2)])
    names = [
        f"{t} {'depot' if c else 'forward base'}"
        for t, c in zip(chosen["town"], chosen["capital"], strict=True)
    ]
    return gpd.GeoDataFrame(
        {"base": names}, geometry=shapely.points(chosen[["x", "y"]].to_numpy()), crs=UTM
    )


def make_dependencies(
    rng: Rng, hz: gpd.GeoDataFrame, bases: gpd.GeoDataFrame, count: int, max_gap_m: float = 1500.0
) -> pd.DataFrame:
    """Hand-made style access dependencies between neighbours.

    A hazard requires a neighbour that lies closer to its own nearest base. The distance to
    the nearest base strictly falls along every edge, so the list is acyclic.
    """
    centroid = shapely.centroid(hz.geometry.values)
    base_xy = shapely.get_coordinates(bases.geometry.values)
    xy = shapely.get_coordinates(centroid)
    d_base = np.min(np.hypot(*(xy[:, None] - base_xy[None]).transpose(2, 0, 1)), axis=1)
    left, right = shapely.STRtree(centroid).query(centroid, predicate="dwithin", distance=max_gap_m)
    closer = d_base[right] < d_base[left] - 200.0
    pairs = pd.DataFrame({"i": left[closer], "j": right[closer]})
    pairs = pairs.iloc[rng.permutation(len(pairs))].drop_duplicates("i").head(count)
    ids = hz["hazard_id"].to_numpy()
    deps = pd.DataFrame({"hazard_id": ids[pairs["i"]], "requires": ids[pairs["j"]]})
    assert (d_base[pairs["j"]] < d_base[pairs["i"]]).all()  # acyclic by construction
    return deps.sort_values(["hazard_id", "requires"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Teams, budget and methods
# ---------------------------------------------------------------------------------------

TEAM_RATES = {
    "manual_national": 230.0,
    "manual_international": 560.0,
    "mechanical": 2800.0,
    "mdd": 650.0,
    "survey": 520.0,
}
TEAM_SPECS = [  # team_type, kind, operator, teams, days_per_year
    ("manual_national", "manual", "national", 70, 200),
    ("manual_international", "manual", "international", 25, 210),
    ("mechanical", "mechanical", "international", None, 190),
    ("mdd", "mdd", "national", 14, 190),
    ("survey", "survey", "national", 8, 200),
]
MECHANICAL_FLEET = {year: 6 if year < 2030 else 10 for year in HORIZON}


@dataclass(frozen=True)
class Method:
    """A land-release method as the project TOML declares it."""

    name: str
    label: str
    productivity: Mapping[str, float]
    disturbance: float
    survey_productivity: Mapping[str, float] = field(default_factory=dict)
    hazard_types: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


METHODS = (
    Method("manual", "Manual clearance", {"manual": 200}, 0.2),
    Method(
        "mechanical",
        "Mechanical ground preparation with manual follow-up",
        {"mechanical": 6000, "manual": 1500},
        0.9,
        hazard_types=("AP", "AT", "mixed"),
    ),
    Method(
        "mdd",
        "Mine detection dogs with manual follow-up",
        {"mdd": 700, "manual": 2500},
        0.3,
        hazard_types=("AP", "AT", "mixed"),
    ),
    Method("bac", "Battle area clearance", {"manual": 350}, 0.15, hazard_types=("UXO", "CMR")),
    Method(
        "technical_survey",
        "Technical survey, then manual clearance of what remains",
        {"manual": 200},
        0.25,
        survey_productivity={"survey": 3000},
        classes=("SHA",),
    ),
)


def national_teams() -> pd.DataFrame:
    rows = []
    for team_type, kind, operator, teams, days in TEAM_SPECS:
        years: Iterable[int | None] = HORIZON if teams is None else [None]
        for year in years:
            rows.append(
                {
                    "team_type": team_type,
                    "kind": kind,
                    "operator": operator,
                    "teams": MECHANICAL_FLEET[year] if year else teams,
                    "days_per_year": days,
                    "cost_per_day": TEAM_RATES[team_type],
                    "year": year,
                }
            )
    out = pd.DataFrame(rows)
    out["year"] = out["year"].astype("Int64")
    return out


def province_teams() -> pd.DataFrame:
    sizes = {
        "manual_national": 14,
        "manual_international": 5,
        "mechanical": 1,
        "mdd": 3,
        "survey": 2,
    }
    rows = [
        {
            "team_type": t,
            "kind": k,
            "operator": o,
            "teams": sizes[t],
            "days_per_year": d,
            "cost_per_day": TEAM_RATES[t],
        }
        for t, k, o, _, d in TEAM_SPECS
    ]
    return pd.DataFrame(rows)


def budget(rng: Rng, years: Sequence[int], level: float, step: float) -> pd.DataFrame:
    """A budget that rises with pledges, then tapers, with a little noise."""
    t = np.linspace(0, np.pi, len(years))
    usd = level * (1 + 0.08 * np.sin(t) + rng.normal(0, 0.015, len(years)).clip(-0.03, 0.03))
    return pd.DataFrame(
        {"year": list(years), "budget_usd": (np.round(usd / step) * step).astype(np.int64)}
    )


def team_days(teams: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Team-days per team type, kind, operator and rate over ``years``."""
    rows = []
    for year in years:
        this = (
            teams[(teams["year"].isna() | (teams["year"] == year)).fillna(False)]
            if "year" in teams
            else teams
        )
        rows.append(this.assign(days=this["teams"] * this["days_per_year"]))
    return (
        pd.concat(rows)
        .groupby(["team_type", "kind", "operator", "cost_per_day"], as_index=False)["days"]
        .sum()
    )


def method_options(hz: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    """Cost and team-days by kind of every eligible (hazard, method, operator) option.

    Each operator uses its cheapest team type of each kind. The team-days follow the
    engine's rule: survey methods survey the whole area and clear the expected remainder.
    """
    area = hz["area_m2"].to_numpy()
    remain = area * (1 - hz["cancel_fraction"] - hz["reduce_fraction"]).to_numpy()
    rates = teams.groupby(["operator", "kind"])["cost_per_day"].min()
    rows = []
    for m in METHODS:
        ok = np.ones(len(hz), dtype=bool)
        if m.hazard_types:
            ok &= hz["hazard_type"].isin(m.hazard_types).to_numpy()
        if m.classes:
            ok &= hz["hazard_class"].isin(m.classes).to_numpy()
        cleared = remain if m.survey_productivity else area
        days = {k: cleared / p for k, p in m.productivity.items()}
        for k, p in m.survey_productivity.items():
            days[k] = days.get(k, 0) + area / p
        for operator in rates.index.unique("operator"):
            if not set(days) <= set(rates[operator].index):
                continue
            cost = sum(d * rates[operator][k] for k, d in days.items())
            rows.append(
                pd.DataFrame(
                    {
                        "hazard": np.flatnonzero(ok),
                        "method": m.name,
                        "operator": operator,
                        "cost": cost[ok],
                        **{f"days_{k}": d[ok] for k, d in days.items()},
                    }
                )
            )
    return pd.concat(rows, ignore_index=True).fillna(0.0)


# ---------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def write_vector(
    gdf: gpd.GeoDataFrame, path: Path, layer: str | None = None, driver: str | None = None
) -> None:
    """Reproject to WGS84 and write, replacing any earlier file."""
    for old in path.parent.glob(path.stem + ".*") if driver == "ESRI Shapefile" else [path]:
        old.unlink(missing_ok=True)
    out = gdf.to_crs(WGS84)
    assert shapely.is_valid(out.geometry.values).all(), path
    out.to_file(path, layer=layer, driver=driver, engine="pyogrio")


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def methods_toml(methods: Sequence[Method]) -> str:
    blocks = []
    for m in methods:
        lines = [
            f"[methods.{m.name}]",
            f"label = {toml_value(m.label)}",
            f"productivity = {toml_value(dict(m.productivity))}",
        ]
        if m.survey_productivity:
            lines.append(f"survey_productivity = {toml_value(dict(m.survey_productivity))}")
        lines.append(f"disturbance = {m.disturbance}")
        if m.hazard_types:
            lines.append(f"hazard_types = {toml_value(list(m.hazard_types))}")
        if m.classes:
            lines.append(f"classes = {toml_value(list(m.classes))}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


SCORING_TOML = """\
[scoring]
scale = 100

[[scoring.criteria]]
name = "Casualties (24 months)"
column = "casualties_24m"
weight = 3
normalise = "log"

[[scoring.criteria]]
name = "Land use"
column = "land_use"
weight = 2
points = { irrigated = 1.0, agriculture = 0.8, residential = 1.0, infrastructure = 0.7, \
pasture = 0.5, forest = 0.2, other = 0.1 }

[[scoring.criteria]]
name = "Blocks a road"
column = "blocks_road"
type = "boolean"
weight = 1.5

[[scoring.criteria]]
name = "Beneficiaries"
column = "beneficiaries"
weight = 1.5
normalise = "log"

[[scoring.criteria]]
name = "Returnees"
column = "returnees"
weight = 1
normalise = "log"

[[scoring.criteria]]
name = "Distance to settlement"
column = "dist_settlement_km"
weight = 1
normalise = "rank"
higher_is_better = false
"""

ACCESS_TOML = """\
[access]
snap_tolerance_m = 5
max_walk_m = 500
block_buffer_m = 10
detour_factor = 1.5
off_network = "reachable"
"""


# Illustrative yearly values of released land (USD per m² per year) by land use; ranges and
# sources in docs/economics.md. Beneficiaries are not priced separately (their land is).
ECONOMICS_TOML = """\
[economics.usd_per_m2_year]
irrigated = 1.0
agriculture = 0.3
residential = 0.5
infrastructure = 0.25
pasture = 0.05
forest = 0.01
other = 0.0
"""

# The NPV variant of the national project: benefits counted for 20 years from completion.
NPV_PLAN = """\
objective = "npv"
benefit_years = 20
"""


def national_toml(npv: bool = False) -> str:
    title = "national programme (NPV objective)" if npv else "national programme"
    return f"""\
# Fictland {title}: a fictional sample written by sample_data/generate.py.
[project]
name = "Fictland {title}"
country = "Fictland"
currency = "USD"

[plan]
start_year = {START_YEAR}
years = {YEARS}
discount_rate = 0.03
carry_over = true
deadline_year = {DEADLINE_YEAR}
environment_weight = {"0.0" if npv else "5.0"}
{NPV_PLAN if npv else ""}
[data]
hazards = "hazards.gpkg"
hazards_layer = "hazards"
teams = "teams.csv"
budget = "budget.csv"
dependencies = "dependencies.csv"
provinces = "provinces.geojson"
roads = "roads.gpkg"
bases = "bases.geojson"
area_crs = "{UTM}"

{methods_toml(METHODS)}

{SCORING_TOML}
{ECONOMICS_TOML}
[constraints.equity]
min_share = 0.05

[constraints.localisation]
min_national_share = 0.4

[solver]
time_limit = 120
gap = 0.01

{ACCESS_TOML}"""


# IMSMA-style shapefile field (10 characters at most) -> schema or criteria column.
SHAPEFILE_FIELDS = {
    "HAZARD_ID": "hazard_id",
    "Province": "province",
    "District": "district",
    "Name": "name",
    "Hazard_Cls": "hazard_class",
    "Hazard_Typ": "hazard_type",
    "Cancel_Fr": "cancel_fraction",
    "Reduce_Fr": "reduce_fraction",
    "Article5": "article5",
    "Benefic": "beneficiaries",
    "Ben_Women": "beneficiaries_women",
    "Ben_Men": "beneficiaries_men",
    "Ben_Girls": "beneficiaries_girls",
    "Ben_Boys": "beneficiaries_boys",
    "Env_Sens": "env_sensitivity",
    "Casualties": "casualties_24m",
    "Land_Use": "land_use",
    "Blocks_Rd": "blocks_road",
    "Returnees": "returnees",
    "Dist_Settl": "dist_settlement_km",
    "Cost_USD": "cost_usd",
    "Days_MNat": "days_manual_national",
    "Method": "method",
}
PROVINCE_YEARS = 5


def province_toml() -> str:
    columns = "\n".join(f'{k} = "{v}"' for k, v in SHAPEFILE_FIELDS.items())
    return f"""\
# Lakes province, an IMSMA-style shapefile extract: written by sample_data/generate.py.
[project]
name = "Fictland: Lakes province work plan"
country = "Fictland"
currency = "USD"

[plan]
start_year = {START_YEAR}
years = {PROVINCE_YEARS}
discount_rate = 0.03
carry_over = true
environment_weight = 5.0

[data]
hazards = "hazards.shp"
teams = "teams.csv"
budget = "budget.csv"
dependencies = "dependencies.csv"
roads = "roads.gpkg"
bases = "bases.geojson"

[columns]
{columns}

{methods_toml(METHODS)}

{SCORING_TOML}
[constraints.localisation]
min_national_share = 0.4

[solver]
time_limit = 30
gap = 0.005

{ACCESS_TOML}"""


MINIMAL_TOML = f"""\
[plan]
start_year = {START_YEAR}
years = 5

[data]
hazards = "hazards.csv"
teams = "teams.csv"
budget = "budget.csv"
dependencies = "dependencies.csv"
"""

# ---------------------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------------------

HAZARD_COLUMNS = [
    "hazard_id",
    "province",
    "district",
    "name",
    "hazard_class",
    "hazard_type",
    "cancel_fraction",
    "reduce_fraction",
    "article5",
    "beneficiaries",
    "beneficiaries_women",
    "beneficiaries_men",
    "beneficiaries_girls",
    "beneficiaries_boys",
    "env_sensitivity",
    "casualties_24m",
    "land_use",
    "blocks_road",
    "returnees",
    "dist_settlement_km",
    "cost_usd",
    "days_manual_national",
    "method",
    "geometry",
]


@dataclass(frozen=True)
class National:
    """The national project's tables in UTM, kept for the province extract and summary."""

    world: World
    hazards: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    bases: gpd.GeoDataFrame
    teams: pd.DataFrame
    budget: pd.DataFrame
    dependencies: pd.DataFrame
    track_villages: np.ndarray  # village index of each road polyline (-1: trunk, bypass)
    bypasses: int


def build_national(rng: Rng) -> National:
    world = make_world(rng)
    net = RoadNetwork()
    build_trunk(rng, world.towns, net)
    track_of = build_tracks(rng, world.villages, net)
    hz, bypasses = make_hazards(rng, world, net, track_of)
    roads = net.segments(max_vertices=9)
    village_of_line = np.full(len(net.lines), -1)
    village_of_line[track_of] = np.arange(len(track_of))
    hz = add_attributes(rng, hz, world, roads)
    hz.insert(0, "hazard_id", [f"HA-{i:05d}" for i in range(1, len(hz) + 1)])
    bases = make_bases(world)
    return National(
        world=world,
        hazards=hz[HAZARD_COLUMNS],
        roads=roads,
        bases=bases,
        teams=national_teams(),
        budget=budget(rng, HORIZON, 10.3e6, 50_000),
        dependencies=make_dependencies(rng, hz, bases, 150),
        track_villages=village_of_line,
        bypasses=bypasses,
    )


def write_national(nat: National, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_vector(nat.world.provinces[["province", "geometry"]], folder / "provinces.geojson")
    write_vector(nat.hazards, folder / "hazards.gpkg", layer="hazards")
    write_vector(nat.roads[["road_class", "geometry"]], folder / "roads.gpkg", layer="roads")
    write_vector(nat.bases, folder / "bases.geojson")
    write_csv(
        nat.teams[
            ["team_type", "kind", "operator", "teams", "days_per_year", "cost_per_day", "year"]
        ],
        folder / "teams.csv",
    )
    write_csv(nat.budget, folder / "budget.csv")
    write_csv(nat.dependencies, folder / "dependencies.csv")
    (folder / "project.toml").write_text(national_toml())
    (folder / "project_npv.toml").write_text(national_toml(npv=True))


PROVINCE = "Lakes"


def province_extract(
    nat: National,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Hazards of whole districts of one province (150-250), with their roads and bases.

    The roads are the whole trunk network plus the tracks (and bypasses) that lead to the
    province's villages, so every kept track still connects to the trunk.
    """
    hz = nat.hazards[nat.hazards["province"] == PROVINCE]
    hz = hz[hz["district"].isin(districts_near(hz["district"].value_counts().sort_index(), 200))]
    area = nat.world.provinces.set_index("province").geometry[PROVINCE].buffer(10 * KM)
    village_in = shapely.contains_xy(area, nat.world.villages["x"], nat.world.villages["y"])
    keep_line = nat.track_villages < 0  # trunk roads and bypasses
    keep_line[nat.track_villages >= 0] = village_in[nat.track_villages[nat.track_villages >= 0]]
    roads = nat.roads[keep_line[nat.roads["line"].to_numpy()]]
    roads = roads[(roads["road_class"] == "trunk") | roads.intersects(area)]
    bases = nat.bases[nat.bases.within(area)]
    deps = nat.dependencies[
        nat.dependencies["hazard_id"].isin(hz["hazard_id"])
        & nat.dependencies["requires"].isin(hz["hazard_id"])
    ]
    return hz, roads, bases, deps


def districts_near(counts: pd.Series, target: int) -> list[str]:
    """The set of districts whose hazard count is closest to ``target``."""
    names = list(counts.index)
    subsets = (
        [n for bit, n in enumerate(names) if mask >> bit & 1] for mask in range(1, 2 ** len(names))
    )
    return min(subsets, key=lambda s: (abs(int(counts[s].sum()) - target), len(s)))


def write_province(rng: Rng, nat: National, folder: Path) -> gpd.GeoDataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    hz, roads, bases, deps = province_extract(nat)
    shp = hz.rename(columns={v: k for k, v in SHAPEFILE_FIELDS.items()})
    # Shapefiles have no boolean type; IMSMA exports carry 0/1 integers.
    for col in ("Article5", "Blocks_Rd"):
        shp[col] = shp[col].astype(np.int64)
    write_vector(shp, folder / "hazards.shp", driver="ESRI Shapefile")
    write_vector(roads[["road_class", "geometry"]], folder / "roads.gpkg", layer="roads")
    write_vector(bases, folder / "bases.geojson")
    write_csv(province_teams(), folder / "teams.csv")
    years = list(range(START_YEAR, START_YEAR + PROVINCE_YEARS))
    write_csv(budget(rng, years, 1.25e6, 10_000), folder / "budget.csv")
    write_csv(deps.reset_index(drop=True), folder / "dependencies.csv")
    (folder / "project.toml").write_text(province_toml())
    return hz


def write_minimal(rng: Rng, folder: Path) -> None:
    """30 geometry-free hazards with explicit operator estimates (the CSV contract)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 30
    area = np.round(np.exp(rng.normal(np.log(15_000), 0.9, n)), -1)
    days = np.ceil(area / rng.uniform(160, 240, n))
    hazards = pd.DataFrame(
        {
            "hazard_id": [f"HA-{i:03d}" for i in range(1, n + 1)],
            "province": rng.choice(["Northern", "Eastern", "Lakes"], n, p=[0.4, 0.35, 0.25]),
            "impact": np.round(np.exp(rng.normal(np.log(20), 0.8, n)), 1),
            "area_m2": area,
            "article5": rng.random(n) < 0.4,
            "cost_usd": np.round(days * rng.uniform(190, 260, n), -1),
            "days_manual": days,
        }
    )
    teams = pd.DataFrame(
        {
            "team_type": ["manual", "mechanical", "mdd", "survey"],
            "teams": [3, 1, 1, 1],
            "days_per_year": [200, 180, 180, 200],
        }
    )
    years = list(range(START_YEAR, START_YEAR + 5))
    deps = pd.DataFrame(
        {
            "hazard_id": ["HA-004", "HA-009", "HA-010", "HA-021"],
            "requires": ["HA-003", "HA-008", "HA-009", "HA-020"],
        }
    )
    write_csv(hazards, folder / "hazards.csv")
    write_csv(teams, folder / "teams.csv")
    write_csv(budget(rng, years, 100_000, 5_000), folder / "budget.csv")
    write_csv(deps, folder / "dependencies.csv")
    (folder / "project.toml").write_text(MINIMAL_TOML)


# ---------------------------------------------------------------------------------------
# Calibration summary
# ---------------------------------------------------------------------------------------


def summarise(nat: National, province_hz: gpd.GeoDataFrame) -> str:
    """The calibration numbers: how the inventory compares with the money and the teams."""
    hz = nat.hazards.assign(area_m2=shapely.area(nat.hazards.geometry.values))
    area_km2 = hz["area_m2"].sum() / 1e6
    remain_km2 = (hz["area_m2"] * (1 - hz["cancel_fraction"] - hz["reduce_fraction"])).sum() / 1e6
    art5 = hz["article5"].to_numpy()
    cheapest = method_options(hz, nat.teams).groupby("hazard")["cost"].min().sort_index()
    capacity = team_days(nat.teams, HORIZON)
    own_method = {
        "manual": "manual",
        "mechanical": "mechanical",
        "mdd": "mdd",
        "survey": "technical_survey",
    }
    rate = {m.name: {**m.productivity, **m.survey_productivity} for m in METHODS}
    primary = {kind: rate[method][kind] for kind, method in own_method.items()}
    by_kind = capacity.groupby("kind")["days"].sum()
    budget_total = nat.budget["budget_usd"].sum()
    budget_deadline = nat.budget.loc[nat.budget["year"] <= DEADLINE_YEAR, "budget_usd"].sum()
    full_cost = (capacity["days"] * capacity["cost_per_day"]).sum()
    shares = ", ".join(
        f"{k} {v:.0%}" for k, v in hz["hazard_type"].value_counts(normalize=True).items()
    )
    per_province = ", ".join(
        f"{k} {v}" for k, v in hz["province"].value_counts().sort_index().items()
    )
    deadline_days = ", ".join(
        f"{r.team_type} {r.days:.0f}"
        for r in team_days(nat.teams, range(START_YEAR, DEADLINE_YEAR + 1)).itertuples()
    )
    return "\n".join(
        [
            f"national: {len(hz)} hazards, {area_km2:.1f} km²; median "
            f"{hz['area_m2'].median() / 1e4:.1f} ha, mean {hz['area_m2'].mean() / 1e4:.1f} ha, "
            f"max {hz['area_m2'].max() / 1e6:.2f} km²",
            f"  types: {shares}; SHA {np.mean(hz['hazard_class'] == 'SHA'):.0%}; article5 "
            f"{art5.mean():.0%} of hazards, {hz.loc[art5, 'area_m2'].sum() / 1e6 / area_km2:.0%} "
            "of area",
            f"  on a road: {hz['blocks_road'].mean():.1%}; bypasses: {nat.bypasses}; road "
            f"segments: {len(nat.roads)}; hand-made dependencies: {len(nat.dependencies)}",
            f"  hazards per province: {per_province}",
            f"  area left to clear after expected cancellation and reduction: {remain_km2:.1f} km²",
            f"  cost at each hazard's cheapest method: US${cheapest.sum() / 1e6:.1f}m "
            f"(US${cheapest.sum() / hz['area_m2'].sum():.2f}/m²)",
            f"  10-year budget: US${budget_total / 1e6:.1f}m ({budget_total / cheapest.sum():.0%} "
            f"of that); every team working every day would cost US${full_cost / 1e6:.1f}m",
            f"  article5 by {DEADLINE_YEAR}: US${cheapest[art5].sum() / 1e6:.1f}m at the cheapest "
            f"methods vs a budget of US${budget_deadline / 1e6:.1f}m to {DEADLINE_YEAR}",
            "  10-year capacity by kind (km² at that kind's own method rate): "
            + ", ".join(f"{k} {d * primary[k] / 1e6:.0f}" for k, d in by_kind.items()),
            f"  team-days {START_YEAR}-{DEADLINE_YEAR}: {deadline_days}",
            f"province ({PROVINCE}): {len(province_hz)} hazards, "
            f"{shapely.area(province_hz.geometry.values).sum() / 1e6:.1f} km²",
        ]
    )


def main() -> None:
    # One stream per project, so tuning one project leaves the others' numbers alone.
    national_rng, province_rng, minimal_rng = (np.random.default_rng([SEED, i]) for i in range(3))
    nat = build_national(national_rng)
    write_national(nat, HERE / "national")
    province_hz = write_province(province_rng, nat, HERE / "province")
    write_minimal(minimal_rng, HERE / "minimal")
    print(summarise(nat, province_hz))


if __name__ == "__main__":
    main()
