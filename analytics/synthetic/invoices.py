"""The invoices of the plan: kinds, line counts, times, numbers, the sales that cancellations refer to, postage lines, stock products."""

from __future__ import annotations

import numpy as np

from analytics.synthetic.calibration import (
    CANCEL_CANDIDATES,
    CANCEL_INVOICE_LINES_CDF,
    CANCEL_RECENCY,
    CLOSED_DAYS,
    CUSTOMER_INVOICE_LINES_CDF,
    FIRST_INVOICE,
    GUEST_CANCEL_SHARE,
    GUEST_INVOICE_LINES_CDF,
    HOUR_SHARE,
    HOURS,
    LAST_6_DIGIT_INVOICE,
    MONTH_ROWS,
    PERIOD_END,
    PERIOD_START,
    REAL_ADJUST_ROWS,
    REAL_CANCEL_INVOICES,
    REAL_CANCEL_ROWS,
    REAL_CUSTOMER_INVOICE_LINES,
    REAL_DOT_INVOICES,
    REAL_GUEST_INVOICE_LINES,
    REAL_GUEST_SALE_ROWS,
    REAL_INVOICE_NUMBER_STEP,
    REAL_POST_INVOICES,
    REAL_WRITE_OFF_ROWS,
    REAL_ZERO_SINGLE_ROWS,
    UK,
    WEEKDAY_SHARE,
    WRITE_OFF_MISSING_DESCRIPTION,
    ZERO_MISSING_DESCRIPTION,
    ZERO_NOTE_SHARE,
    scaled,
)
from analytics.synthetic.catalogue import Catalog
from analytics.synthetic.randomness import S_ZERO_DESC, from_cdf, uniform

# Invoice kinds in the plan.
CUSTOMER_SALE, GUEST_SALE, CANCEL, WRITE_OFF, ZERO_SINGLE, ADJUST = range(6)
INVOICE_PREFIX = np.array(["", "", "C", "", "", "A"], dtype=object)


def invoice_kinds_and_sizes(rows: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Invoice kinds in random order and their line counts, summing exactly to `rows`.

    Row totals per kind are fixed from the real shares (so the rates hold at any size); invoice
    counts follow from the real mean lines per invoice, and the sizes are drawn and then nudged
    to the exact totals.
    """
    totals = {
        GUEST_SALE: scaled(rows, REAL_GUEST_SALE_ROWS),
        CANCEL: scaled(rows, REAL_CANCEL_ROWS),
        WRITE_OFF: scaled(rows, REAL_WRITE_OFF_ROWS),
        ZERO_SINGLE: scaled(rows, REAL_ZERO_SINGLE_ROWS),
        ADJUST: scaled(rows, REAL_ADJUST_ROWS),
    }
    totals[CUSTOMER_SALE] = rows - sum(totals.values())
    while totals[CUSTOMER_SALE] < 1:  # only possible for a handful of rows
        biggest = max((k for k in totals if k != CUSTOMER_SALE), key=totals.get)
        totals[biggest] -= 1
        totals[CUSTOMER_SALE] += 1
    mean_lines = {
        CUSTOMER_SALE: REAL_CUSTOMER_INVOICE_LINES,
        GUEST_SALE: REAL_GUEST_INVOICE_LINES,
        CANCEL: REAL_CANCEL_ROWS / REAL_CANCEL_INVOICES,
    }
    tables = {
        CUSTOMER_SALE: CUSTOMER_INVOICE_LINES_CDF,
        GUEST_SALE: GUEST_INVOICE_LINES_CDF,
        CANCEL: CANCEL_INVOICE_LINES_CDF,
    }
    kinds, sizes = [], []
    for k in (CUSTOMER_SALE, GUEST_SALE, CANCEL, WRITE_OFF, ZERO_SINGLE, ADJUST):
        total = totals[k]
        if total == 0:
            continue
        if k in tables:
            n = min(total, max(1, round(total / mean_lines[k])))
            s = _fit_total(from_cdf(rng.random(n), tables[k]), total, rng)
        else:
            s = np.ones(total, dtype=np.int64)  # one-line invoices
        kinds.append(np.full(len(s), k, dtype=np.int8))
        sizes.append(s)
    kind, size = np.concatenate(kinds), np.concatenate(sizes)
    order = rng.permutation(len(kind))
    kind, size = kind[order], size[order]
    # the first invoice is a customer sale (cancellations need an earlier sale), and the
    # bad-debt adjustments are consecutive, like A563185..A563187
    first = int(np.argmax(kind == CUSTOMER_SALE))
    _swap(kind, size, 0, first)
    adjust = np.flatnonzero(kind == ADJUST)
    for offset, position in enumerate(adjust):
        _swap(kind, size, position, adjust[0] + offset)
    return kind, size


def _swap(kind: np.ndarray, size: np.ndarray, i: int, j: int) -> None:
    kind[[i, j]] = kind[[j, i]]
    size[[i, j]] = size[[j, i]]


def _fit_total(sizes: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Scale line counts (each >= 1) so they sum exactly to `total` (needs len(sizes) <= total)."""
    sizes = np.maximum(1, np.rint(sizes * (total / sizes.sum()))).astype(np.int64)
    while (gap := total - int(sizes.sum())) != 0:
        if gap > 0:
            np.add.at(sizes, rng.integers(0, len(sizes), size=gap), 1)
        else:
            shrinkable = np.flatnonzero(sizes > 1)
            chosen = rng.choice(shrinkable, size=min(-gap, len(shrinkable)), replace=False)
            sizes[chosen] -= 1
    return sizes


def invoice_times(size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted invoice times on trading days; the rows per month follow the real rows per month.

    Invoices are already in time order, so each goes to the month in which its rows fall when
    the months are laid end to end with their real shares of rows.
    """
    share = np.array(list(MONTH_ROWS.values()), dtype=float)
    middle = (np.cumsum(size) - size / 2) / size.sum()
    month_of_invoice = np.minimum(np.searchsorted(np.cumsum(share) / share.sum(), middle), len(share) - 1)
    per_month = np.bincount(month_of_invoice, minlength=len(share))
    days = np.arange(PERIOD_START.astype("datetime64[D]"), PERIOD_END.astype("datetime64[D]") + 1)
    days = days[~np.isin(days, np.array(CLOSED_DAYS, dtype="datetime64[D]"))]
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day_weight = WEEKDAY_SHARE[weekday]
    day_month = days.astype("datetime64[M]")
    picked = []
    for month, count in zip(np.array(list(MONTH_ROWS), dtype="datetime64[M]"), per_month, strict=True):
        in_month = day_month == month
        w = day_weight[in_month]
        picked.append(rng.choice(days[in_month], size=count, p=w / w.sum()))
    day = np.concatenate(picked).astype("datetime64[m]")
    n = len(size)
    hour = rng.choice(HOURS, size=n, p=HOUR_SHARE / HOUR_SHARE.sum())
    minute = day + (hour * 60 + rng.integers(0, 60, size=n)).astype("timedelta64[m]")
    return np.sort(np.clip(minute, PERIOD_START, PERIOD_END))


def invoice_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """Ascending 6-digit numbers from 536365 with the real gaps, as long as 6 digits suffice.

    Beyond about 460,000 invoices (9.7 million rows) the numbers run on into 7 digits.
    """
    room = (LAST_6_DIGIT_INVOICE - FIRST_INVOICE) / max(n - 1, 1)
    gap_share = float(np.clip(min(REAL_INVOICE_NUMBER_STEP, room) - 1.0, 0.0, 1.0))
    step = 1 + (rng.random(n) < gap_share)
    step[0] = 0
    return FIRST_INVOICE + np.cumsum(step)


def cancel_references(kind: np.ndarray, size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each cancellation, an earlier sale invoice with at least as many lines.

    The cancellation takes that invoice's customer and country and returns some of its lines.
    Candidates are mostly recent invoices (a few from any time before); about 4 % are guest
    invoices, as in the real file. A cancellation longer than the invoice it found is shortened,
    and the lines it loses go to other cancellations (`size` is updated; the total is unchanged).
    """
    ref = np.full(len(kind), -1, dtype=np.int64)
    cancels = np.flatnonzero(kind == CANCEL)
    if len(cancels) == 0:
        return ref
    by_customer = np.flatnonzero(kind == CUSTOMER_SALE)
    by_guest = np.flatnonzero(kind == GUEST_SALE)
    want_guest = rng.random(len(cancels)) < GUEST_CANCEL_SHARE
    use_guest = want_guest & (np.searchsorted(by_guest, cancels) > 0)
    for pool, mask in ((by_customer, ~use_guest), (by_guest, use_guest)):
        chosen = cancels[mask]
        if len(chosen) == 0:
            continue
        earlier = np.searchsorted(pool, chosen)[:, None]  # >= 1: the first invoice is a customer sale
        recent = rng.exponential(max(1.0, CANCEL_RECENCY * len(pool)), size=(len(chosen), CANCEL_CANDIDATES))
        anytime = rng.random((len(chosen), CANCEL_CANDIDATES)) * earlier
        back = np.minimum(np.concatenate([recent, anytime], axis=1).astype(np.int64), earlier - 1)
        candidates = pool[earlier - 1 - back]
        fits = size[candidates] >= size[chosen][:, None]
        best = np.where(fits.any(axis=1), fits.argmax(axis=1), size[candidates].argmax(axis=1))
        ref[chosen] = candidates[np.arange(len(chosen)), best]
    _fit_cancels_to_references(cancels, size, size[ref[cancels]], rng)
    return ref


def _fit_cancels_to_references(cancels: np.ndarray, size: np.ndarray, room: np.ndarray, rng: np.random.Generator) -> None:
    """Shorten cancellations to their invoice's length and give the excess lines to others."""
    lines = size[cancels]
    excess = int(np.maximum(lines - room, 0).sum())
    lines = np.minimum(lines, room)
    while excess > 0:
        open_ = np.flatnonzero(lines < room)
        if len(open_) == 0:  # no room anywhere (tiny files): keep the total, allow repeated lines
            lines[0] += excess
            break
        take = rng.choice(open_, size=min(excess, len(open_)), replace=False)
        lines[take] += 1
        excess -= len(take)
    size[cancels] = lines


def postage_lines(rows: int, kind: np.ndarray, size: np.ndarray, country: np.ndarray, catalog: Catalog, rng: np.random.Generator) -> np.ndarray:
    """POST closes many non-UK customer invoices, DOT many UK guest (dotcom) invoices."""
    last_item = np.full(len(kind), -1, dtype=np.int32)
    multi_line = size >= 2
    rules = (
        ("POST", REAL_POST_INVOICES, (kind == CUSTOMER_SALE) & multi_line, country != UK),
        ("DOT", REAL_DOT_INVOICES, (kind == GUEST_SALE) & multi_line, country == UK),
    )
    for code, real_count, eligible, preferred in rules:
        wanted = scaled(rows, real_count)
        first = rng.permutation(np.flatnonzero(eligible & preferred))
        then = rng.permutation(np.flatnonzero(eligible & ~preferred))
        last_item[np.concatenate([first, then])[:wanted]] = catalog.special(code)
    return last_item


def stock_products(kind: np.ndarray, key: np.uint64, catalog: Catalog, rng: np.random.Generator) -> np.ndarray:
    """Products of the one-line stock invoices (write-offs, zero-price bookings).

    Those with a typed note go round the catalogue's note products, so that about as many codes
    carry a note at any file size; the others are drawn by popularity.
    """
    item = np.full(len(kind), -1, dtype=np.int64)
    single = np.flatnonzero((kind == WRITE_OFF) | (kind == ZERO_SINGLE))
    noted = has_note(key, single, kind[single])
    cycle = rng.permutation(catalog.note_products)
    item[single[noted]] = cycle[np.arange(noted.sum()) % len(cycle)]
    plain = single[~noted]
    rank = np.searchsorted(catalog.popularity_cdf, rng.random(len(plain)), side="right")
    item[plain] = catalog.product_by_rank[np.minimum(rank, catalog.n_products - 1)]
    return item


def has_note(key: np.uint64, inv: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Whether a one-line stock invoice's Description is a typed note (else missing or the product's)."""
    u = uniform(key, inv, np.zeros_like(inv), S_ZERO_DESC)
    described = (u - ZERO_MISSING_DESCRIPTION) / (1.0 - ZERO_MISSING_DESCRIPTION)
    zero_note = (u >= ZERO_MISSING_DESCRIPTION) & (described < ZERO_NOTE_SHARE)
    return np.where(kind == WRITE_OFF, u >= WRITE_OFF_MISSING_DESCRIPTION, zero_note)
