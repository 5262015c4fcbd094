"""Product association rules (market basket analysis): which products are bought on the same sale invoice.

A basket is one sale invoice; its items are the distinct stock codes of its merchandise lines
(``product_type == 'product'``: postage, manual lines and fees are not products). Frequent
itemsets come from FP-Growth or Apriori, and rules from mlxtend's ``association_rules``.

Two backends mine the itemsets and give the same itemsets with the same supports, so the same
rule table to the bit (tests/analytics/test_product_association.py compares them on the real
data): ``'pyfim'`` (default), Christian Borgelt's C implementation, on the baskets as lists of
product numbers, and ``'mlxtend'``, in Python, on a sparse boolean one-hot matrix (one row per
basket, one column per product). The whole step is 2-9x faster with pyfim (docs/analytics.md).
Rules always come from mlxtend's ``association_rules`` on the itemsets, so the rule metrics are
computed one way whatever the backend.

Huge wholesale baskets (more than ``max_basket_items`` distinct products, default 100, about
1% of the real baskets) are left out before mining: docs/analytics.md shows what they cost and
what they change.

Typical use::

    parameters = ProductAssociationParameters(min_support=0.07, country="France")
    rules = mine_rules(sales, parameters, canonical_descriptions(sales))
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import scipy.sparse
from fim import apriori as fim_apriori
from fim import fpgrowth as fim_fpgrowth
from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth

from analytics.checks import is_finite_number, is_integer, require_columns

ALGORITHMS = ("fpgrowth", "apriori")
BACKENDS = ("pyfim", "mlxtend")
MERCHANDISE = "product"
SALES_COLUMNS = ("invoice_no", "stock_code", "description", "country", "product_type")
MLXTEND_METRICS = ["antecedent support", "consequent support", "support", "confidence", "lift", "leverage", "conviction"]
RULE_COLUMNS = [
    "antecedent_codes",
    "consequent_codes",
    "antecedent_descriptions",
    "consequent_descriptions",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
    "antecedent_baskets",
    "consequent_baskets",
    "both_baskets",
    "total_baskets",
    "min_support",
    "min_confidence",
    "min_lift",
    "max_len",
    "algorithm",
    "max_basket_items",
    "country",
]


@dataclass(frozen=True)
class ProductAssociationParameters:
    """The parameters of one product association run, checked when the object is made.

    Parameters
    ----------
    min_support : float (default: 0.02)
        Smallest share of baskets an itemset must appear in, within (0, 1].
    min_confidence : float (default: 0.3)
        Smallest confidence P(consequent | antecedent) of a rule, within [0, 1].
    min_lift : float (default: 1.0)
        Smallest lift of a rule, a non-negative number (1 = independence).
    max_len : int or None (default: 2)
        Largest itemset (antecedent + consequent) mined; at least 2; None for no limit.
    algorithm : {'fpgrowth', 'apriori'} (default: 'fpgrowth')
        The miner; both give the same itemsets. mlxtend's 'apriori' runs with ``low_memory=True``
        because its default mode needs a dense (baskets x candidates) array.
    backend : {'pyfim', 'mlxtend'} (default: 'pyfim')
        Whose implementation of `algorithm` mines the itemsets: pyfim's (C) or mlxtend's
        (Python, on the sparse one-hot matrix). Same itemsets and supports, so the same rules;
        not written on the rule rows, as it changes none of them.
    max_basket_items : int or None (default: 100)
        Baskets with more distinct products than this are left out (wholesale orders); None
        keeps every basket.
    country : str or None (default: None)
        Only the invoices of this country; None for all countries.
    """

    min_support: float = 0.02
    min_confidence: float = 0.3
    min_lift: float = 1.0
    max_len: int | None = 2
    algorithm: str = "fpgrowth"
    backend: str = "pyfim"
    max_basket_items: int | None = 100
    country: str | None = None

    def __post_init__(self) -> None:
        if not is_finite_number(self.min_support) or not 0 < self.min_support <= 1:
            raise ValueError(f"min_support must be a positive number within the interval (0, 1]. Got {self.min_support!r}.")
        if not is_finite_number(self.min_confidence) or not 0 <= self.min_confidence <= 1:
            raise ValueError(f"min_confidence must be a number within the interval [0, 1]. Got {self.min_confidence!r}.")
        if not is_finite_number(self.min_lift) or not self.min_lift >= 0:
            raise ValueError(f"min_lift must be a non-negative number. Got {self.min_lift!r}.")
        if self.max_len is not None and (not is_integer(self.max_len) or self.max_len < 2):
            raise ValueError(f"max_len must be an integer of at least 2 (a rule needs two items), or None for no limit. Got {self.max_len!r}.")
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of 'fpgrowth', 'apriori'. Got {self.algorithm!r}.")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of 'pyfim', 'mlxtend'. Got {self.backend!r}.")
        if self.max_basket_items is not None and (not is_integer(self.max_basket_items) or self.max_basket_items < 1):
            raise ValueError(f"max_basket_items must be a positive integer, or None to keep every basket. Got {self.max_basket_items!r}.")
        if self.country is not None and (not isinstance(self.country, str) or not self.country.strip()):
            raise ValueError(f"country must be a non-empty string, or None for all countries. Got {self.country!r}.")


def canonical_descriptions(lines: pd.DataFrame) -> pd.DataFrame:
    """One description per stock code: the most frequent on `lines`, ties to the alphabetically first.

    Parameters
    ----------
    lines : pandas DataFrame
        Sale (and/or return) lines with columns ``stock_code`` and ``description``.

    Returns
    -------
    pandas DataFrame with columns ``stock_code`` and ``description``, one row per code, sorted by code.
    """
    require_columns(lines, ("stock_code", "description"), "lines")
    counts = lines.groupby(["stock_code", "description"]).size().rename("lines").reset_index()
    counts = counts.sort_values(["stock_code", "lines", "description"], ascending=[True, False, True])
    return counts.drop_duplicates("stock_code")[["stock_code", "description"]].reset_index(drop=True)


def basket_items(sales: pd.DataFrame, parameters: ProductAssociationParameters) -> pd.DataFrame:
    """The (invoice_no, stock_code) pairs mined: merchandise, the country asked, no huge baskets.

    Parameters
    ----------
    sales : pandas DataFrame
        The clean sales stream (columns invoice_no, stock_code, description, country, product_type).
    parameters : ProductAssociationParameters

    Returns
    -------
    pandas DataFrame with columns ``invoice_no`` and ``stock_code``, one row per distinct pair,
    sorted. Raises ValueError when no basket is left.
    """
    require_columns(sales, SALES_COLUMNS, "sales")
    lines = sales[sales["product_type"] == MERCHANDISE]
    if parameters.country is not None:
        lines = lines[lines["country"] == parameters.country]
        if lines.empty:
            raise ValueError(f"no merchandise sale has country {parameters.country!r}.")
    items = lines[["invoice_no", "stock_code"]].drop_duplicates()
    if parameters.max_basket_items is not None:
        sizes = items.groupby("invoice_no")["stock_code"].transform("size")
        items = items[sizes <= parameters.max_basket_items]
    if items.empty:
        raise ValueError("no basket is left to mine: the sales hold no merchandise line.")
    return items.sort_values(["invoice_no", "stock_code"]).reset_index(drop=True)


def one_hot(items: pd.DataFrame) -> pd.DataFrame:
    """The sparse boolean basket x product matrix of (invoice_no, stock_code) pairs.

    Returns
    -------
    pandas DataFrame of ``SparseDtype(bool, False)``: index invoice_no, columns stock_code (sorted).
    Memory grows with the number of pairs, not baskets x products.
    """
    baskets = pd.Categorical(items["invoice_no"])
    products = pd.Categorical(items["stock_code"])
    matrix = scipy.sparse.csr_matrix(
        (np.ones(len(items), dtype=np.uint8), (baskets.codes, products.codes)),
        shape=(len(baskets.categories), len(products.categories)),
    )
    frame = pd.DataFrame.sparse.from_spmatrix(
        matrix, index=pd.Index(baskets.categories, name="invoice_no"), columns=pd.Index(products.categories, name="stock_code")
    )
    return frame.astype(pd.SparseDtype(bool, False))


def frequent_itemsets(items: pd.DataFrame, parameters: ProductAssociationParameters) -> pd.DataFrame:
    """Itemsets of stock codes with support >= min_support (mlxtend's columns: support, itemsets).

    `items` are the (invoice_no, stock_code) pairs of ``basket_items``; supports are shares of
    all its baskets, as ``count / baskets`` whatever the backend (mlxtend divides the same way,
    so both give the same floats).
    """
    if parameters.backend == "pyfim":
        return _pyfim_itemsets(items, parameters)
    return _mlxtend_itemsets(one_hot(items), parameters)


def transactions(items: pd.DataFrame) -> tuple[list[list[int]], pd.Index]:
    """The baskets of ``basket_items`` as lists of product numbers (pyfim's input), and the codes the numbers stand for."""
    product, products = pd.factorize(items["stock_code"], sort=True)
    invoice = items["invoice_no"].to_numpy()  # sorted: each basket's pairs are together
    starts = np.flatnonzero(np.r_[True, invoice[1:] != invoice[:-1]])
    numbers = product.tolist()
    bounds = [*starts.tolist(), len(numbers)]
    return [numbers[start:end] for start, end in zip(bounds[:-1], bounds[1:], strict=True)], products


def min_support_count(min_support: float, baskets: int) -> int:
    """The smallest basket count whose share passes `min_support`, compared as mlxtend does (count / baskets >= min_support).

    Not simply ceil(min_support * baskets): 0.3 * 10 is 3.0000000000000004, yet 3 / 10 >= 0.3.
    """
    least = max(1, math.ceil(min_support * baskets))
    while least > 1 and (least - 1) / baskets >= min_support:
        least -= 1
    while least / baskets < min_support:
        least += 1
    return least


def _pyfim_itemsets(items: pd.DataFrame, parameters: ProductAssociationParameters) -> pd.DataFrame:
    """pyfim's FP-Growth or Apriori on the baskets as lists of product numbers (absolute support counts)."""
    baskets, products = transactions(items)
    total = len(baskets)
    # pyfim leaves out the itemsets made only of items that are in every transaction (an item in
    # all baskets would lose its singleton, which the rules need); one empty basket more makes no
    # item universal and changes no count (supports are divided by the real total below)
    baskets.append([])
    miner = fim_fpgrowth if parameters.algorithm == "fpgrowth" else fim_apriori
    longest = {} if parameters.max_len is None else {"zmax": parameters.max_len}  # pyfim takes no zmax=None
    found = miner(baskets, target="s", supp=-min_support_count(parameters.min_support, total), zmin=1, report="a", **longest)
    counts = np.array([count for _, count in found], dtype=np.int64)
    return pd.DataFrame(
        {"support": counts / float(total), "itemsets": [frozenset(products[list(itemset)]) for itemset, _ in found]},
    )


def _mlxtend_itemsets(matrix: pd.DataFrame, parameters: ProductAssociationParameters) -> pd.DataFrame:
    """mlxtend's FP-Growth or Apriori on the sparse one-hot matrix.

    Products below min_support cannot be in a frequent itemset, so their columns are dropped
    before mining (every basket stays, so supports keep the full basket count as denominator).
    """
    item_support = np.asarray(matrix.sparse.to_coo().sum(axis=0)).ravel() / len(matrix)
    frequent = matrix.loc[:, item_support >= parameters.min_support]
    if frequent.shape[1] == 0:
        return pd.DataFrame({"support": pd.Series(dtype=float), "itemsets": pd.Series(dtype=object)})
    if parameters.algorithm == "fpgrowth":
        return fpgrowth(frequent, min_support=parameters.min_support, use_colnames=True, max_len=parameters.max_len)
    return apriori(frequent, min_support=parameters.min_support, use_colnames=True, max_len=parameters.max_len, low_memory=True)


def mine_rules(sales: pd.DataFrame, parameters: ProductAssociationParameters, descriptions: pd.DataFrame) -> pd.DataFrame:
    """Association rules between products of the same sale invoice.

    Parameters
    ----------
    sales : pandas DataFrame
        The clean sales stream.
    parameters : ProductAssociationParameters
    descriptions : pandas DataFrame
        stock_code -> description, one row per code (``canonical_descriptions`` or the
        warehouse's dw.dim_product); every mined code must have one.

    Returns
    -------
    pandas DataFrame with the columns of ``RULE_COLUMNS``, one row per rule, sorted by lift,
    confidence and codes (descending, descending, ascending). Codes and descriptions are tuples
    sorted by code; counts are baskets; the parameters are repeated on every row. Rules whose
    two sides share a description (two codes sold as one product) are left out.
    """
    require_columns(descriptions, ("stock_code", "description"), "descriptions")
    if descriptions["stock_code"].duplicated().any():
        raise ValueError("descriptions must have one row per stock_code.")
    items = basket_items(sales, parameters)
    missing = sorted(set(items["stock_code"]) - set(descriptions["stock_code"]))
    if missing:
        raise ValueError(f"descriptions lack {len(missing)} stock codes, e.g. {missing[:5]}.")
    total = items["invoice_no"].nunique()
    itemsets = frequent_itemsets(items, parameters)
    if (itemsets["itemsets"].map(len) > 1).sum() == 0:
        return pd.DataFrame(columns=RULE_COLUMNS)
    found = association_rules(
        itemsets, num_itemsets=total, metric="confidence", min_threshold=parameters.min_confidence, return_metrics=MLXTEND_METRICS
    )
    found = found[found["lift"] >= parameters.min_lift]
    # a dict: looking each code up in a pandas Series took most of the step's time at low supports
    described = dict(zip(descriptions["stock_code"], descriptions["description"], strict=True))

    def side(itemsets: pd.Series) -> tuple[pd.Series, pd.Series]:
        codes = itemsets.map(lambda items: tuple(sorted(items)))
        return codes, codes.map(lambda items: tuple(described[code] for code in items))

    rules = pd.DataFrame(index=found.index)
    rules["antecedent_codes"], rules["antecedent_descriptions"] = side(found["antecedents"])
    rules["consequent_codes"], rules["consequent_descriptions"] = side(found["consequents"])
    for metric in ("support", "confidence", "lift", "leverage", "conviction"):
        rules[metric] = found[metric]
    # supports are counts / total, so the counts come back exactly by rounding
    rules["antecedent_baskets"] = (found["antecedent support"] * total).round().astype("int64")
    rules["consequent_baskets"] = (found["consequent support"] * total).round().astype("int64")
    rules["both_baskets"] = (found["support"] * total).round().astype("int64")
    rules["total_baskets"] = total
    for name, value in asdict(parameters).items():
        rules[name] = value
    same_product = [bool(set(a) & set(c)) for a, c in zip(rules["antecedent_descriptions"], rules["consequent_descriptions"], strict=True)]
    rules = rules[~np.array(same_product, dtype=bool)]
    rules = rules.sort_values(["lift", "confidence", "antecedent_codes", "consequent_codes"], ascending=[False, False, True, True])
    return rules[RULE_COLUMNS].reset_index(drop=True)
