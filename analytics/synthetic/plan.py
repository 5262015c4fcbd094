"""The plan of a file: catalogue, customers and one entry per invoice, drawn from one ``numpy.random.Generator(seed)``.

Its arrays are O(invoices), about rows / 21; the lines themselves are produced later, block by
block, from the plan and the line-level hash (``analytics.synthetic.lines``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.synthetic.affinities import Affinities, make_affinities
from analytics.synthetic.catalogue import Catalog, make_catalog
from analytics.synthetic.customers import assign_customers
from analytics.synthetic.invoices import cancel_references, invoice_kinds_and_sizes, invoice_numbers, invoice_times, postage_lines, stock_products


@dataclass
class Plan:
    """What a file will hold: its catalogue, the key of its line-level hash, and one entry per invoice (in time order)."""

    key: np.uint64
    catalog: Catalog
    kind: np.ndarray  # int8 per invoice, in time order
    size: np.ndarray  # lines per invoice
    start: np.ndarray  # first row of each invoice
    number: np.ndarray  # invoice number without prefix
    minute: np.ndarray  # datetime64[m]
    customer: np.ndarray  # 0 = no customer
    country: np.ndarray  # index into COUNTRIES
    ref: np.ndarray  # cancellations: the earlier sale invoice they cancel; else -1
    last_item: np.ndarray  # POST/DOT item closing a sale invoice; else -1
    stock_item: np.ndarray  # product of a write-off or one-line zero-price invoice; else -1
    affinities: Affinities  # families of products bought together


def make_plan(rows: int, seed: int) -> Plan:
    """The plan of a file of `rows` rows for `seed`.

    The draws come from one Generator in a fixed order: reordering them changes every file.
    """
    rng = np.random.default_rng(seed)
    key = np.uint64(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0])
    catalog = make_catalog(rows, rng)
    kind, size = invoice_kinds_and_sizes(rows, rng)
    customer, country = assign_customers(rows, kind, rng)
    ref = cancel_references(kind, size, rng)  # may move lines between cancellations
    is_cancel = ref >= 0
    customer[is_cancel] = customer[ref[is_cancel]]
    country[is_cancel] = country[ref[is_cancel]]
    minute = invoice_times(size, rng)
    number = invoice_numbers(len(kind), rng)
    last_item = postage_lines(rows, kind, size, country, catalog, rng)
    stock_item = stock_products(kind, key, catalog, rng)
    affinities = make_affinities(catalog, rng)  # last: drawn after everything else, it leaves the other draws as they were
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    return Plan(key, catalog, kind, size, start, number, minute, customer, country, ref, last_item, stock_item, affinities)
