"""The lines of each kind of invoice, with the real file's quirks: pure functions of the plan and (invoice, line).

Sales carry exact duplicates, postage, manual lines and fees, zero prices and several
descriptions per code; cancellations return (part of) the lines of an earlier sale, plus fee
and discount lines; stock write-offs and zero-price bookings carry typed notes; bad-debt
adjustments come as the real three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.synthetic.affinities import add_companions
from analytics.synthetic.calibration import (
    BAD_DEBT_PRICE,
    CANCEL_FEE_ROWS,
    DUPLICATE_LINE_SHARE,
    PACK_QUANTITIES,
    PACK_SHARE,
    PARTIAL_CANCEL_SHARE,
    POST_QUANTITIES,
    QUANTITY_MAX,
    QUANTITY_PRICE_SLOPE,
    QUANTITY_TAIL_MEDIAN,
    QUANTITY_TAIL_MIN,
    QUANTITY_TAIL_SIGMA,
    REAL_CANCEL_ROWS,
    REAL_GUEST_SALE_ROWS,
    REAL_SALE_ROWS,
    REAL_ZERO_CUSTOMER_LINES,
    REAL_ZERO_GUEST_LINES,
    SALE_MISC_ROWS,
    SPECIAL_CODES,
    VARIANT_LINE_SHARE,
    WRITE_OFF_MISSING_DESCRIPTION,
    WRITE_OFF_QTY,
    ZERO_MISSING_DESCRIPTION,
    ZERO_SINGLE_QTY,
)
from analytics.synthetic.catalogue import MISSING_DESCRIPTION, WRITE_OFF_NOTE_WEIGHTS, ZERO_NOTE_WEIGHTS
from analytics.synthetic.invoices import ADJUST, CANCEL, CUSTOMER_SALE, GUEST_SALE, WRITE_OFF, ZERO_SINGLE, has_note
from analytics.synthetic.plan import Plan
from analytics.synthetic.randomness import (
    S_CANCEL_START,
    S_DUP,
    S_FEE,
    S_FEE_KIND,
    S_MISC,
    S_MISC_KIND,
    S_NOTE,
    S_PARTIAL,
    S_PARTIAL_SIZE,
    S_POST_QTY,
    S_PRICE_A,
    S_PRICE_B,
    S_PRODUCT,
    S_PRODUCT_REDRAW,
    S_QTY,
    S_QTY_TAIL,
    S_QTY_TAIL_B,
    S_VARIANT,
    S_ZERO,
    S_ZERO_DESC,
    lognormal_int,
    normal,
    pick,
    uniform,
)

PRODUCT_REDRAWS = 10  # tries at redrawing a product drawn twice in one invoice
# the pack sizes in ascending order and their cumulative shares: the inverse CDF of a pack-size quantity
_PACK_VALUES = np.sort(PACK_QUANTITIES)
_PACK_CDF = np.cumsum(PACK_SHARE[np.argsort(PACK_QUANTITIES)])


@dataclass
class Lines:
    """Lines of one or more invoices as parallel arrays."""

    item: np.ndarray  # index into the catalogue's codes
    qty: np.ndarray
    price: np.ndarray
    desc: np.ndarray  # index into the catalogue's descriptions

    def take(self, index: np.ndarray) -> Lines:
        return Lines(self.item[index], self.qty[index], self.price[index], self.desc[index])


def _special_lines(plan: Plan, item: np.ndarray, inv: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantity (positive) and price of non-product lines, from SPECIAL_CODES' price models."""
    s = item - plan.catalog.n_products
    median = np.array([c[2] for c in SPECIAL_CODES])[s]
    sigma = np.array([c[3] for c in SPECIAL_CODES])[s]
    decimals = np.array([c[4] for c in SPECIAL_CODES])[s]
    z = normal(plan.key, inv, line, S_PRICE_A, S_PRICE_B)
    scale = 10.0**decimals
    price = np.maximum(np.rint(median * np.exp(sigma * z) * scale) / scale, 1.0 / scale)
    post_qty = POST_QUANTITIES[(uniform(plan.key, inv, line, S_POST_QTY) * len(POST_QUANTITIES)).astype(np.int64)]
    qty = np.where(item == plan.catalog.special("POST"), post_qty, 1)
    return qty.astype(np.int64), price


def _draw_products(plan: Plan, inv: np.ndarray, line: np.ndarray, stream: int) -> np.ndarray:
    """Products drawn by (Zipf-like) popularity."""
    cat = plan.catalog
    rank = np.searchsorted(cat.popularity_cdf, uniform(plan.key, inv, line, stream), side="right")
    return cat.product_by_rank[np.minimum(rank, cat.n_products - 1)].astype(np.int64)


def _redraw_repeats(plan: Plan, inv: np.ndarray, line: np.ndarray, item: np.ndarray) -> np.ndarray:
    """Redraw a product drawn twice in one invoice (a few tries).

    Without this, popular products picked twice would add accidental exact duplicates on top of
    the deliberate ones. `inv`/`line` must list complete invoices, line by line, so the outcome is
    a function of the invoice alone.
    """
    rows = np.arange(len(item))
    for attempt in range(1, PRODUCT_REDRAWS + 1):
        key = (inv[rows].astype(np.int64) << 20) | item[rows]  # fewer than 2**20 products
        _, first = np.unique(key, return_index=True)
        repeat = np.ones(len(rows), dtype=bool)
        repeat[first] = False
        if not repeat.any():
            break
        redo = rows[repeat]
        item[redo] = _draw_products(plan, inv[redo], line[redo], S_PRODUCT_REDRAW + attempt)
        rows = rows[np.isin(inv[rows], inv[redo])]  # whole invoices that had a repeat
    return item


def _quantities(plan: Plan, inv: np.ndarray, line: np.ndarray, price_rank: np.ndarray) -> np.ndarray:
    """Pack-size quantities with a heavy tail; cheaper products come in bigger quantities."""
    tilt = QUANTITY_PRICE_SLOPE * (price_rank - plan.catalog.typical_price_rank)
    u = uniform(plan.key, inv, line, S_QTY)
    top = _PACK_CDF[-1]
    v = np.minimum(u, top) / top  # quantile within the pack sizes, shifted on the logit scale
    v = 1.0 / (1.0 + (1.0 - v) / np.maximum(v, 1e-12) * np.exp(tilt))
    pack = _PACK_VALUES[np.minimum(np.searchsorted(_PACK_CDF, top * v, side="right"), len(_PACK_VALUES) - 1)]
    z = normal(plan.key, inv, line, S_QTY_TAIL, S_QTY_TAIL_B)
    tail = lognormal_int(z - tilt / QUANTITY_TAIL_SIGMA, QUANTITY_TAIL_MEDIAN, QUANTITY_TAIL_SIGMA, QUANTITY_MAX)
    return np.where(u < top, pack, np.maximum(tail, QUANTITY_TAIL_MIN)).astype(np.int64)


def _product_lines(plan: Plan, inv: np.ndarray, line: np.ndarray, item: np.ndarray) -> Lines:
    """Lines of the given products: a pack-size quantity, the list price and a (maybe variant) description."""
    cat = plan.catalog
    key = plan.key
    qty = _quantities(plan, inv, line, cat.price_rank[item])
    variant = cat.has_variant[item] & (uniform(key, inv, line, S_VARIANT) < VARIANT_LINE_SHARE)
    desc = item + variant * cat.n_products
    return Lines(item, qty, cat.price[item], desc)


def _sale_lines(plan: Plan, inv: np.ndarray, pos: np.ndarray) -> Lines:
    """Lines of customer and guest sale invoices, with duplicates, postage, fees and zero prices.

    `inv`/`pos` must list complete invoices, line by line.
    """
    key = plan.key
    kind = plan.kind[inv]
    item = add_companions(plan.affinities, key, inv, pos, _draw_products(plan, inv, pos, S_PRODUCT))
    item = _redraw_repeats(plan, inv, pos, item)
    lines = _product_lines(plan, inv, pos, item)

    zero_share = np.where(
        kind == GUEST_SALE,
        REAL_ZERO_GUEST_LINES / REAL_GUEST_SALE_ROWS,
        REAL_ZERO_CUSTOMER_LINES / (REAL_SALE_ROWS - REAL_GUEST_SALE_ROWS),
    )
    zero = uniform(key, inv, pos, S_ZERO) < zero_share
    lines.price = np.where(zero, 0.0, lines.price)
    missing = uniform(key, inv, pos, S_ZERO_DESC) < ZERO_MISSING_DESCRIPTION
    lines.desc = np.where(zero & missing, MISSING_DESCRIPTION, lines.desc)

    misc_weight = np.array(list(SALE_MISC_ROWS.values()), dtype=float)
    misc_codes = np.array([plan.catalog.special(c) for c in SALE_MISC_ROWS])
    misc = uniform(key, inv, pos, S_MISC) < misc_weight.sum() / REAL_SALE_ROWS
    special_item = np.where(misc, misc_codes[pick(uniform(key, inv, pos, S_MISC_KIND), misc_weight)], -1)
    closing = plan.last_item[inv]
    is_closing = (pos == plan.size[inv] - 1) & (closing >= 0)
    special_item = np.where(is_closing, closing, special_item)
    _overwrite_special(plan, lines, special_item, inv, pos)

    def repeats(p: np.ndarray) -> np.ndarray:
        return (kind == CUSTOMER_SALE) & (p >= 1) & (uniform(key, inv, p, S_DUP) < DUPLICATE_LINE_SHARE)

    duplicate = repeats(pos) & ~repeats(pos - 1) & ~is_closing
    return lines.take(np.arange(len(pos)) - duplicate)  # a duplicate copies the line before it


def _overwrite_special(plan: Plan, lines: Lines, special_item: np.ndarray, inv: np.ndarray, line: np.ndarray) -> None:
    mask = special_item >= 0
    if not mask.any():
        return
    item = special_item[mask]
    qty, price = _special_lines(plan, item, inv[mask], line[mask])
    lines.item[mask] = item
    lines.qty[mask] = qty
    lines.price[mask] = price
    lines.desc[mask] = plan.catalog.special_description(item)


def _cancel_lines(plan: Plan, inv: np.ndarray, pos: np.ndarray) -> Lines:
    """Negative copies of lines of the referenced earlier invoice, plus some fee/discount lines."""
    key = plan.key
    ref = plan.ref[inv]
    refs, which = np.unique(ref, return_inverse=True)  # recompute the cancelled invoices in full
    ref_sizes = plan.size[refs]
    ref_start = np.concatenate([[0], np.cumsum(ref_sizes)[:-1]])
    ref_pos = np.arange(ref_sizes.sum()) - np.repeat(ref_start, ref_sizes)
    cancelled = _sale_lines(plan, np.repeat(refs, ref_sizes), ref_pos)
    first = (uniform(key, inv, np.zeros_like(pos), S_CANCEL_START) * plan.size[ref]).astype(np.int64)
    lines = cancelled.take(ref_start[which] + (first + pos) % plan.size[ref])

    partial = (uniform(key, inv, pos, S_PARTIAL) < PARTIAL_CANCEL_SHARE) & (lines.qty > 1)
    part = 1 + (uniform(key, inv, pos, S_PARTIAL_SIZE) * (lines.qty - 1)).astype(np.int64)
    lines.qty = np.where(partial, part, lines.qty)

    fee_weight = np.array(list(CANCEL_FEE_ROWS.values()), dtype=float)
    fee_codes = np.array([plan.catalog.special(c) for c in CANCEL_FEE_ROWS])
    fee = uniform(key, inv, pos, S_FEE) < fee_weight.sum() / REAL_CANCEL_ROWS
    fee_item = np.where(fee, fee_codes[pick(uniform(key, inv, pos, S_FEE_KIND), fee_weight)], -1)
    _overwrite_special(plan, lines, fee_item, inv, pos)
    lines.qty = -np.where(fee, 1, lines.qty)
    return lines


def _stock_lines(plan: Plan, inv: np.ndarray) -> Lines:
    """One-line stock invoices without a customer, at price 0.

    Write-offs have a negative quantity and a note ("damaged", "?", ...) or no description;
    zero-price bookings a positive quantity and no description, a note ("found", ...) or the
    product's own description.
    """
    line = np.zeros_like(inv)
    kind = plan.kind[inv]
    lines = _product_lines(plan, inv, line, plan.stock_item[inv])
    write_off = kind == WRITE_OFF
    z = normal(plan.key, inv, line, S_QTY_TAIL, S_QTY_TAIL_B)
    lines.qty = np.where(write_off, -lognormal_int(z, *WRITE_OFF_QTY), lognormal_int(z, *ZERO_SINGLE_QTY))
    lines.price = np.zeros(len(inv))
    u = uniform(plan.key, inv, line, S_NOTE)
    note = plan.catalog.note(np.where(write_off, pick(u, WRITE_OFF_NOTE_WEIGHTS), pick(u, ZERO_NOTE_WEIGHTS)))
    missing = uniform(plan.key, inv, line, S_ZERO_DESC) < np.where(write_off, WRITE_OFF_MISSING_DESCRIPTION, ZERO_MISSING_DESCRIPTION)
    noted = has_note(plan.key, inv, kind)
    lines.desc = np.where(noted, note, np.where(missing, MISSING_DESCRIPTION, lines.desc))
    return lines


def _adjust_lines(plan: Plan, inv: np.ndarray) -> Lines:
    """Bad-debt adjustments: StockCode B, quantity 1, +11,062.06 first and -11,062.06 after."""
    first = int(np.argmax(plan.kind == ADJUST))
    item = np.full(len(inv), plan.catalog.special("B"), dtype=np.int64)
    price = np.where(inv == first, BAD_DEBT_PRICE, -BAD_DEBT_PRICE)
    return Lines(item, np.ones(len(inv), dtype=np.int64), price, plan.catalog.special_description(item))


LINE_MAKERS = {
    CUSTOMER_SALE: _sale_lines,
    GUEST_SALE: _sale_lines,
    CANCEL: _cancel_lines,
    WRITE_OFF: lambda plan, inv, pos: _stock_lines(plan, inv),
    ZERO_SINGLE: lambda plan, inv, pos: _stock_lines(plan, inv),
    ADJUST: lambda plan, inv, pos: _adjust_lines(plan, inv),
}
