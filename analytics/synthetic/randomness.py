"""Line-level randomness: a counter-based hash, so any line can be recomputed on its own.

Every line-level draw is a pure function of ``(key, invoice, line, stream)``: a line's content
never depends on which chunk it was produced in, and a cancellation can recompute the lines of
the invoice it cancels without keeping them in memory. Each kind of draw has its own stream.
"""

from __future__ import annotations

import numpy as np

# Streams of the line-level hash (any distinct constants).
(
    S_DUP, S_PRODUCT, S_QTY, S_QTY_TAIL, S_VARIANT, S_ZERO, S_ZERO_DESC, S_MISC, S_MISC_KIND, S_PRICE_A,
    S_PRICE_B, S_CANCEL_START, S_PARTIAL, S_PARTIAL_SIZE, S_FEE, S_FEE_KIND, S_NOTE, S_POST_QTY,
    S_QTY_TAIL_B,
) = range(1, 20)  # fmt: skip
S_PRODUCT_REDRAW = 100  # + attempt number
S_AFFINITY, S_AFFINITY_MEMBER = 20, 21  # co-purchase: does a family product bring a companion, and which


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_K_INVOICE, _K_LINE, _K_STREAM = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)


def uniform(key: np.uint64, invoice: np.ndarray, line: np.ndarray, stream: int) -> np.ndarray:
    """Uniform [0, 1) floats, a pure function of (key, invoice, line, stream) (splitmix64 finaliser)."""
    x = invoice.astype(np.uint64) * _K_INVOICE
    x ^= line.astype(np.uint64) * _K_LINE
    x ^= key ^ np.uint64((stream * int(_K_STREAM)) & 0xFFFF_FFFF_FFFF_FFFF)
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def normal(key: np.uint64, invoice: np.ndarray, line: np.ndarray, stream_a: int, stream_b: int) -> np.ndarray:
    """Standard normal draws (Box-Muller) from two hash streams."""
    u1 = 1.0 - uniform(key, invoice, line, stream_a)  # (0, 1]
    u2 = uniform(key, invoice, line, stream_b)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def from_cdf(u: np.ndarray, table: tuple[tuple[float, ...], tuple[float, ...]]) -> np.ndarray:
    """Integer draws from an inverse-CDF table of (cumulative share, value) points."""
    return np.maximum(np.ceil(np.interp(u, table[0], table[1])), 1).astype(np.int64)


def pick(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Index drawn with the given weights for each uniform in u."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(weights) - 1)


def lognormal_int(z: np.ndarray, median: float, sigma: float, cap: int) -> np.ndarray:
    """Whole numbers from 1 to `cap` around `median`, lognormally spread by `sigma`, from standard normal draws `z`."""
    return np.clip(np.rint(median * np.exp(sigma * z)), 1, cap).astype(np.int64)
