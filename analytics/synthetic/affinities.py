"""Co-purchase structure: families of products bought together, so that generated baskets are worth mining.

Without it every line's product is an independent draw by popularity, and a file of a million
rows yields no association rule at the default thresholds. With it, a sale line of a family
product is followed, with probability ``AFFINITY_SHARE``, by a line of another product of the same
family (chosen uniformly among the others); the line it replaces loses its own draw. A line that
was replaced never brings a companion itself, so companions do not chain.

Families are drawn from the plan's Generator after every other draw, so the rest of the plan
(catalogue, customers, invoices) is the same as without them; the decisions are line-level hash
draws, pure functions of (invoice, line) like every other line draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.synthetic.calibration import AFFINITY_FAMILIES, AFFINITY_POOL, AFFINITY_SHARE
from analytics.synthetic.catalogue import Catalog
from analytics.synthetic.randomness import S_AFFINITY, S_AFFINITY_MEMBER, uniform

MIN_PRODUCTS_PER_FAMILY = 5  # a small catalogue gets fewer families: at most pool // 5


@dataclass
class Affinities:
    """The families: their members (padded with -1), and each product's family and place in it (-1 = none)."""

    members: np.ndarray  # (families, 3) product indices
    size: np.ndarray  # members per family, 2 or 3
    family: np.ndarray  # per product
    slot: np.ndarray  # per product: its place in its family

    def pairs(self) -> set[frozenset[int]]:
        """Every pair of products of one family (the co-purchases planted)."""
        return {frozenset((int(a), int(b))) for row, k in zip(self.members, self.size, strict=True) for a in row[:k] for b in row[:k] if a < b}


def make_affinities(catalog: Catalog, rng: np.random.Generator) -> Affinities:
    """AFFINITY_FAMILIES families of 2 or 3 products among the AFFINITY_POOL most popular (fewer in a small catalogue)."""
    pool = min(AFFINITY_POOL, catalog.n_products)
    families = min(AFFINITY_FAMILIES, pool // MIN_PRODUCTS_PER_FAMILY)
    size = rng.integers(2, 4, size=families)
    chosen = catalog.product_by_rank[rng.permutation(pool)[: size.sum()]]
    members = np.full((families, 3), -1, dtype=np.int64)
    family = np.full(catalog.n_products, -1, dtype=np.int64)
    slot = np.full(catalog.n_products, -1, dtype=np.int64)
    for f, (start, k) in enumerate(zip(np.cumsum(size) - size, size, strict=True)):
        members[f, :k] = chosen[start : start + k]
        family[members[f, :k]] = f
        slot[members[f, :k]] = np.arange(k)
    return Affinities(members, size, family, slot)


def add_companions(affinities: Affinities, key: np.uint64, inv: np.ndarray, pos: np.ndarray, item: np.ndarray) -> np.ndarray:
    """The products of sale lines after companions are placed. `inv`/`pos` must list complete invoices, line by line."""
    if len(affinities.size) == 0 or len(item) < 2:
        return item
    family = affinities.family[item]
    has_next = np.r_[inv[1:] == inv[:-1], False]
    # a candidate brings a companion to the next line unless the line before is a candidate too, so a
    # line that was replaced never brings one
    candidate = (family >= 0) & has_next & (uniform(key, inv, pos + 1, S_AFFINITY) < AFFINITY_SHARE)
    brings = candidate & ~np.r_[False, candidate[:-1]]
    anchor = np.flatnonzero(brings)
    if len(anchor) == 0:
        return item
    f, k = family[anchor], affinities.size[family[anchor]]
    other = (uniform(key, inv[anchor + 1], pos[anchor + 1], S_AFFINITY_MEMBER) * (k - 1)).astype(np.int64)
    item = item.copy()
    item[anchor + 1] = affinities.members[f, (affinities.slot[item[anchor]] + 1 + other) % k]
    return item
