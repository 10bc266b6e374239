"""Benchmark of access derivation on a synthetic national network (not a test).

    python bench/bench_access.py [--segments 30000] [--hazards 10000] [--bases 25]
                                 [--route-choice fewest_blockers|shortest] [--tracemalloc]

Builds a perturbed grid of roads with curved segments, missing links, 2 m near-miss gaps at
some junctions and dead-end village tracks (about ``--segments`` road lines in total), drops
hazard polygons on it (60% across roads, 40% anywhere), hands everything over in EPSG:4326 so
that the UTM estimate and reprojection are timed too, and prints seconds per stage and the
peak memory (RSS high-water mark; with --tracemalloc also the Python heap peak, which slows
the run down).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prioritise.access.routes import AccessSettings, derive_access

CRS = "EPSG:32636"
ORIGIN = np.array([250_000.0, 1_300_000.0])
SPACING = 2_000.0


def synthetic(
    segments: int, hazards: int, bases: int, seed: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    # A g x g grid has ~2 g² links, 8% of which are dropped; they make 90% of the lines and
    # dead-end tracks the rest.
    g = max(2, math.ceil(math.sqrt(0.9 * segments / (2 * 0.92))))
    ij = np.stack(np.meshgrid(np.arange(g), np.arange(g), indexing="ij"), -1).reshape(-1, 2)
    nodes = ORIGIN + ij * SPACING + rng.uniform(-500, 500, (len(ij), 2))
    index = np.arange(g * g).reshape(g, g)
    pairs = np.concatenate(
        [
            np.stack([index[:-1, :].ravel(), index[1:, :].ravel()], 1),
            np.stack([index[:, :-1].ravel(), index[:, 1:].ravel()], 1),
        ]
    )
    pairs = pairs[rng.random(len(pairs)) > 0.08]
    a, b = nodes[pairs[:, 0]], nodes[pairs[:, 1]]
    mid = (a + b) / 2 + rng.normal(0, 150, a.shape)
    # 5% of links stop 2 m short of their junction (snapped back by snap_tolerance_m = 5).
    short = rng.random(len(a)) < 0.05
    direction = (b - mid) / np.linalg.norm(b - mid, axis=1)[:, None]
    b = np.where(short[:, None], b - 2.0 * direction, b)
    roads = list(shapely.linestrings(np.stack([a, mid, b], 1)))
    # Dead-end tracks to villages.
    n_tracks = max(0, segments - len(roads))
    start = nodes[rng.integers(0, len(nodes), n_tracks)]
    angle = rng.uniform(0, 2 * np.pi, n_tracks)
    length = rng.uniform(300, 1500, n_tracks)
    end = start + np.stack([np.cos(angle), np.sin(angle)], 1) * length[:, None]
    roads += list(shapely.linestrings(np.stack([start, end], 1)))
    roads_gdf = gpd.GeoDataFrame({"road_class": ["track"] * len(roads)}, geometry=roads, crs=CRS)

    lines = np.asarray(roads, dtype=object)
    on_road = int(hazards * 0.6)
    which = rng.integers(0, len(lines), on_road)
    centres_on = shapely.get_coordinates(
        shapely.line_interpolate_point(lines[which], rng.uniform(0, 1, on_road), normalized=True)
    )
    extent = ORIGIN + (g - 1) * SPACING
    centres_off = rng.uniform(ORIGIN, extent, (hazards - on_road, 2))
    centres = np.concatenate([centres_on, centres_off])
    # Rotated rectangles, 30-300 m by 30-600 m.
    half = (
        rng.uniform(15, 150, (hazards, 1))
        * np.array([1.0, 1.0])
        * np.stack([np.ones(hazards), rng.uniform(1, 2, hazards)], 1)
    )
    angle = rng.uniform(0, np.pi / 2, hazards)
    unit = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float)
    local = unit[None, :, :] * half[:, None, :]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    ring = (
        np.stack(
            [local[..., 0] * cos - local[..., 1] * sin, local[..., 0] * sin + local[..., 1] * cos],
            -1,
        )
        + centres[:, None, :]
    )
    polygons = shapely.polygons(ring)
    hazards_gdf = gpd.GeoDataFrame(
        {"hazard_id": [f"HZ-{i:05d}" for i in range(hazards)]}, geometry=list(polygons), crs=CRS
    )
    base_points = nodes[rng.choice(len(nodes), bases, replace=False)]
    bases_gdf = gpd.GeoDataFrame(
        {"base": [f"Base {i + 1}" for i in range(bases)]},
        geometry=list(shapely.points(base_points)),
        crs=CRS,
    )
    return (
        hazards_gdf.to_crs("EPSG:4326"),
        roads_gdf.to_crs("EPSG:4326"),
        bases_gdf.to_crs("EPSG:4326"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=30_000)
    parser.add_argument("--hazards", type=int, default=10_000)
    parser.add_argument("--bases", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--route-choice", default="fewest_blockers", choices=["fewest_blockers", "shortest"]
    )
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    hazards, roads, bases = synthetic(args.segments, args.hazards, args.bases, args.seed)
    generated = time.perf_counter() - t0
    print(
        f"synthetic data: {len(roads):,} road lines, {len(hazards):,} hazards, "
        f"{len(bases)} bases ({generated:.1f} s to generate)"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.tracemalloc:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    result = derive_access(hazards, roads, bases, AccessSettings(route_choice=args.route_choice))
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None

    s = result.summary
    print(
        f"crs {s['crs']}: {s['n_segments']:,} segments, {s['n_nodes']:,} nodes, "
        f"{s['n_connectors']:,} connectors, {s['n_blocked_segments']:,} blocked segments"
    )
    print("seconds per stage:")
    for stage, seconds in s["stage_seconds"].items():
        print(f"  {stage:<8} {seconds:8.2f}")
    print(f"  {'total':<8} {total:8.2f}  (CPU time {cpu:.2f} s)")
    print(
        f"statuses: reachable {s['reachable_now']:,}, one blocker {s['behind_one_blocker']:,}, "
        f"several {s['behind_several']:,}, off network {s['off_network']:,}, "
        f"unreachable {s['unreachable']:,}; {s['n_edges']:,} edges, "
        f"{s['n_mutual_edges_dropped']:,} mutual edges dropped"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB (after generating the data: {rss_before:,.0f} MiB)")
    if heap_peak is not None:
        print(f"tracemalloc peak during derive_access {heap_peak:,.0f} MiB")


if __name__ == "__main__":
    main()
