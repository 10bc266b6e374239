"""The sequential colours for plan years, shared by the report's map and the QGIS styles.

Viridis (perceptually uniform, prints in order in greyscale, readable with the common
colour-vision deficiencies), sampled so that consecutive years are equally far apart for the
*least* well-served viewer: the step between two years is measured in CIELAB under normal
vision and under simulated deuteranopia, protanopia and tritanopia (Machado, Oliveira and
Fernandes 2009, severity 1), and the smallest of the four is made equal along the scale. An
even sampling of viridis leaves its dark end (the first plan years) closest together, which
is where a plan's busiest years sit.
"""

from __future__ import annotations

from functools import cache

import numpy as np

# Viridis anchors (matplotlib's, every 1/9 of the scale).
VIRIDIS = np.array(
    [
        [68, 1, 84],
        [72, 40, 120],
        [62, 74, 137],
        [49, 104, 142],
        [38, 130, 142],
        [31, 158, 137],
        [53, 183, 121],
        [109, 205, 89],
        [180, 222, 44],
        [253, 231, 37],
    ],
    float,
)
# Machado et al. (2009) simulation matrices, severity 1.0, on linear RGB.
CVD = {
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.01182, 0.04294, 0.968881],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.3039],
        ]
    ),
}
_SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def _linear(rgb255: np.ndarray) -> np.ndarray:
    c = rgb255 / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb255: np.ndarray, vision: str = "normal") -> np.ndarray:
    """CIELAB of sRGB colours (rows of 0-255), as seen with ``vision``."""
    lin = _linear(np.asarray(rgb255, float))
    if vision != "normal":
        lin = np.clip(lin @ CVD[vision].T, 0.0, 1.0)
    xyz = lin @ _SRGB_TO_XYZ.T / _WHITE
    d = 6 / 29
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


VISIONS = ("normal", *CVD)


def _viridis(t: np.ndarray) -> np.ndarray:
    xp = np.linspace(0.0, 1.0, len(VIRIDIS))
    return np.stack([np.interp(t, xp, VIRIDIS[:, k]) for k in range(3)], axis=1)


@cache
def _scale() -> tuple[np.ndarray, np.ndarray]:
    """Positions along viridis and the worst-vision CIELAB distance travelled to each."""
    t = np.linspace(0.0, 1.0, 2001)
    rgb = _viridis(t)
    steps = np.min([np.linalg.norm(np.diff(lab(rgb, v), axis=0), axis=1) for v in VISIONS], axis=0)
    return t, np.r_[0.0, np.cumsum(steps)]


def hex_colour(rgb: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*np.round(rgb).astype(int))


def year_colours(n: int) -> list[str]:
    """``n`` colours from dark (first year) to light (last), equally distinguishable."""
    if n <= 0:
        return []
    if n == 1:
        return [hex_colour(VIRIDIS[0])]
    t, cum = _scale()
    pos = np.interp(np.linspace(0.0, cum[-1], n), cum, t)
    return [hex_colour(c) for c in _viridis(pos)]


def min_step(colours: list[str], vision: str = "normal") -> float:
    """The smallest CIELAB distance between consecutive colours, as seen with ``vision``."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], float)
    return float(np.linalg.norm(np.diff(lab(rgb, vision), axis=0), axis=1).min())
