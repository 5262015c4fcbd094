"""Product association rules: hand-checked tiny baskets, parameter contracts, and the real data."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from analytics.product_association import (
    RULE_COLUMNS,
    ProductAssociationParameters,
    basket_items,
    canonical_descriptions,
    frequent_itemsets,
    min_support_count,
    mine_rules,
    one_hot,
)

MINERS = [(algorithm, backend) for backend in ("pyfim", "mlxtend") for algorithm in ("fpgrowth", "apriori")]


def sale_lines(baskets: dict[str, list[str]], country: str = "United Kingdom") -> pd.DataFrame:
    """Sale lines of the given invoices; code 'POST' is postage, every other code merchandise."""
    rows = [
        {
            "invoice_no": invoice,
            "stock_code": code,
            "description": f"PRODUCT {code}",
            "country": country,
            "product_type": "postage" if code == "POST" else "product",
        }
        for invoice, codes in baskets.items()
        for code in codes
    ]
    return pd.DataFrame(rows)


# Five baskets, checked by hand (n = 5):
#   support  A 4/5, B 4/5, C 2/5, D 2/5;  AB 3/5, AC 2/5, BD 2/5, AD 1/5, BC 1/5
TINY = {
    "1": ["A", "B", "C"],
    "2": ["A", "B", "A"],  # A twice on one invoice: still one item
    "3": ["A", "C", "POST"],  # postage is not an item
    "4": ["B", "D"],
    "5": ["A", "B", "D"],
}
TINY_SALES = sale_lines(TINY)
TINY_DESCRIPTIONS = canonical_descriptions(TINY_SALES)


def rule(rules: pd.DataFrame, antecedent: str, consequent: str) -> pd.Series:
    found = rules[(rules["antecedent_codes"] == (antecedent,)) & (rules["consequent_codes"] == (consequent,))]
    assert len(found) == 1, f"{antecedent} -> {consequent} not found once"
    return found.iloc[0]


@pytest.mark.parametrize("algorithm, backend", MINERS)
def test_tiny_baskets_give_the_hand_computed_rules(algorithm, backend):
    parameters = ProductAssociationParameters(
        min_support=0.4, min_confidence=0.0, min_lift=0.0, algorithm=algorithm, backend=backend, max_basket_items=None
    )
    rules = mine_rules(TINY_SALES, parameters, TINY_DESCRIPTIONS)

    # frequent pairs at 0.4: AB, AC, BD -> six rules
    assert sorted(zip(rules["antecedent_codes"], rules["consequent_codes"], strict=True)) == [
        (("A",), ("B",)),
        (("A",), ("C",)),
        (("B",), ("A",)),
        (("B",), ("D",)),
        (("C",), ("A",)),
        (("D",), ("B",)),
    ]
    c_to_a = rule(rules, "C", "A")  # 2 of the 2 baskets with C have A
    assert (c_to_a["support"], c_to_a["confidence"]) == pytest.approx((2 / 5, 1.0))
    assert c_to_a["lift"] == pytest.approx(1.0 / (4 / 5))  # 1.25
    assert c_to_a["leverage"] == pytest.approx(2 / 5 - (2 / 5) * (4 / 5))  # 0.08
    assert c_to_a["conviction"] == math.inf  # confidence 1
    assert (c_to_a["antecedent_baskets"], c_to_a["consequent_baskets"], c_to_a["both_baskets"], c_to_a["total_baskets"]) == (2, 4, 2, 5)
    assert c_to_a["antecedent_descriptions"] == ("PRODUCT C",) and c_to_a["consequent_descriptions"] == ("PRODUCT A",)

    a_to_c = rule(rules, "A", "C")  # 2 of the 4 baskets with A have C
    assert (a_to_c["confidence"], a_to_c["lift"]) == pytest.approx((0.5, 0.5 / (2 / 5)))
    assert a_to_c["conviction"] == pytest.approx((1 - 2 / 5) / (1 - 0.5))  # 1.2

    a_to_b = rule(rules, "A", "B")  # 3 of 4: confidence 0.75, lift 0.75 / 0.8 = 0.9375 (< 1)
    assert (a_to_b["support"], a_to_b["confidence"], a_to_b["lift"]) == pytest.approx((3 / 5, 0.75, 0.9375))

    assert list(rules.columns) == RULE_COLUMNS
    assert (rules["algorithm"] == algorithm).all() and (rules["min_support"] == 0.4).all()
    assert rules["lift"].is_monotonic_decreasing


@pytest.mark.parametrize("algorithm, backend", MINERS)
def test_an_itemset_exactly_at_min_support_is_kept(algorithm, backend):
    # 0.3 * 10 is 3.0000000000000004 in floating point: a pair in exactly 3 of 10 baskets still passes (3 / 10 >= 0.3)
    baskets = {str(i): ["A", "B"] if i < 3 else ["C"] if i < 7 else ["A"] for i in range(10)}
    parameters = ProductAssociationParameters(min_support=0.3, algorithm=algorithm, backend=backend, max_basket_items=None)
    itemsets = frequent_itemsets(basket_items(sale_lines(baskets), parameters), parameters)
    assert dict(zip(itemsets["itemsets"], itemsets["support"], strict=True)) == {
        frozenset({"A"}): 6 / 10,
        frozenset({"C"}): 4 / 10,
        frozenset({"A", "B"}): 3 / 10,
        frozenset({"B"}): 3 / 10,
    }


def test_the_minimum_count_is_the_smallest_count_that_passes_min_support():
    for baskets in (1, 3, 7, 10, 379, 18_402):
        for min_support in (0.001, 0.002, 0.005, 0.01, 0.02, 0.07, 0.1, 0.3, 1 / 3, 0.5, 0.7, 1.0):
            expected = next(count for count in range(1, baskets + 1) if count / baskets >= min_support)  # by brute force
            assert min_support_count(min_support, baskets) == expected, (min_support, baskets)


@pytest.mark.parametrize("algorithm, backend", MINERS)
def test_an_item_in_every_basket_keeps_its_singleton(algorithm, backend):
    # pyfim alone leaves out itemsets made only of items in every transaction; the backend makes up for it
    parameters = ProductAssociationParameters(min_support=0.5, algorithm=algorithm, backend=backend, max_basket_items=None)
    itemsets = frequent_itemsets(basket_items(sale_lines({"1": ["A", "B"], "2": ["A", "B"], "3": ["A"]}), parameters), parameters)
    assert dict(zip(itemsets["itemsets"], itemsets["support"], strict=True)) == {
        frozenset({"A"}): 1.0,
        frozenset({"B"}): 2 / 3,
        frozenset({"A", "B"}): 2 / 3,
    }


def test_confidence_and_lift_thresholds_filter_the_rules():
    parameters = ProductAssociationParameters(min_support=0.4, min_confidence=0.6, min_lift=1.0, max_basket_items=None)
    rules = mine_rules(TINY_SALES, parameters, TINY_DESCRIPTIONS)
    # A->B and B->A have lift 0.9375; A->C and B->D confidence 0.5
    assert sorted(zip(rules["antecedent_codes"], rules["consequent_codes"], strict=True)) == [(("C",), ("A",)), (("D",), ("B",))]


def test_longer_itemsets_when_max_len_allows():
    baskets = {"1": ["A", "B", "C"], "2": ["A", "B", "C"], "3": ["A", "B"], "4": ["C"]}
    loose = {"min_support": 0.5, "min_confidence": 0.0, "min_lift": 0.0, "max_basket_items": None}
    rules = mine_rules(sale_lines(baskets), ProductAssociationParameters(**loose, max_len=3), TINY_DESCRIPTIONS)
    ab_to_c = rules[(rules["antecedent_codes"] == ("A", "B")) & (rules["consequent_codes"] == ("C",))].iloc[0]
    # ABC in 2 of 4 baskets, AB in 3, C in 3: confidence 2/3, lift (2/3) / (3/4)
    assert (ab_to_c["support"], ab_to_c["confidence"], ab_to_c["lift"]) == pytest.approx((0.5, 2 / 3, 8 / 9))
    assert ab_to_c["antecedent_descriptions"] == ("PRODUCT A", "PRODUCT B")
    short = mine_rules(sale_lines(baskets), ProductAssociationParameters(**loose, max_len=2), TINY_DESCRIPTIONS)
    assert short["antecedent_codes"].map(len).max() == 1


def test_the_canonical_description_is_the_most_frequent_then_alphabetical():
    lines = pd.DataFrame(
        {
            "stock_code": ["A", "A", "A", "B", "B"],
            "description": ["RED MUG", "RED MUG ", "RED MUG", "ZEBRA", "APE"],
        }
    )
    assert canonical_descriptions(lines).to_dict("list") == {"stock_code": ["A", "B"], "description": ["RED MUG", "APE"]}


def test_no_rule_pairs_a_product_with_itself():
    # two codes sold under one description (e.g. two sizes): a rule between them is a product with itself
    sales = sale_lines({"1": ["A", "A2"], "2": ["A", "A2"], "3": ["A", "B"], "4": ["A2", "B"]})
    descriptions = pd.DataFrame({"stock_code": ["A", "A2", "B"], "description": ["CANDLE", "CANDLE", "HOLDER"]})
    rules = mine_rules(sales, ProductAssociationParameters(min_support=0.25, min_confidence=0.0, min_lift=0.0, max_basket_items=None), descriptions)
    assert len(rules) == 4  # A<->B, A2<->B; not A<->A2
    for antecedent, consequent in zip(rules["antecedent_descriptions"], rules["consequent_descriptions"], strict=True):
        assert not set(antecedent) & set(consequent)


def test_huge_baskets_are_left_out_above_max_basket_items():
    sales = sale_lines({"1": ["A", "B"], "2": ["A", "B"], "3": ["A", "C", "D"], "4": ["C"]})
    items = basket_items(sales, ProductAssociationParameters(max_basket_items=2))
    assert sorted(items["invoice_no"].unique()) == ["1", "2", "4"]
    rules = mine_rules(sales, ProductAssociationParameters(min_support=0.5, min_confidence=0.0, max_basket_items=2), TINY_DESCRIPTIONS)
    assert set(rules["total_baskets"]) == {3}
    assert (rules["max_basket_items"] == 2).all()


def test_country_filter_and_its_errors():
    sales = pd.concat([sale_lines({"1": ["A", "B"], "2": ["A", "B"]}, "France"), sale_lines({"3": ["A", "C"]}, "Spain")])
    rules = mine_rules(sales, ProductAssociationParameters(min_support=0.5, min_confidence=0.0, country="France"), TINY_DESCRIPTIONS)
    assert set(rules["total_baskets"]) == {2} and (rules["country"] == "France").all()
    with pytest.raises(ValueError, match=re.escape("no merchandise sale has country 'Narnia'.")):
        mine_rules(sales, ProductAssociationParameters(country="Narnia"), TINY_DESCRIPTIONS)


def test_no_frequent_pair_gives_an_empty_rule_table():
    rules = mine_rules(sale_lines({"1": ["A"], "2": ["B"]}), ProductAssociationParameters(min_support=0.5), TINY_DESCRIPTIONS)
    assert rules.empty and list(rules.columns) == RULE_COLUMNS


def test_descriptions_must_cover_every_mined_code():
    with pytest.raises(ValueError, match=re.escape("descriptions lack 1 stock codes, e.g. ['D'].")):
        mine_rules(TINY_SALES, ProductAssociationParameters(), TINY_DESCRIPTIONS[TINY_DESCRIPTIONS["stock_code"] != "D"])


def test_the_one_hot_matrix_is_sparse_boolean():
    matrix = one_hot(basket_items(TINY_SALES, ProductAssociationParameters()))
    assert (matrix.dtypes == pd.SparseDtype(bool, False)).all()
    assert list(matrix.columns) == ["A", "B", "C", "D"] and list(matrix.index) == ["1", "2", "3", "4", "5"]
    assert matrix.sparse.to_dense().sum().to_dict() == {"A": 4, "B": 4, "C": 2, "D": 2}


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"min_support": 0}, "min_support must be a positive number within the interval (0, 1]. Got 0."),
        ({"min_support": 1.5}, "min_support must be a positive number within the interval (0, 1]. Got 1.5."),
        ({"min_support": "0.1"}, "min_support must be a positive number within the interval (0, 1]. Got '0.1'."),
        ({"min_confidence": -0.1}, "min_confidence must be a number within the interval [0, 1]. Got -0.1."),
        ({"min_confidence": 1.01}, "min_confidence must be a number within the interval [0, 1]. Got 1.01."),
        ({"min_lift": -1}, "min_lift must be a non-negative number. Got -1."),
        ({"min_lift": float("nan")}, "min_lift must be a non-negative number. Got nan."),
        ({"max_len": 1}, "max_len must be an integer of at least 2 (a rule needs two items), or None for no limit. Got 1."),
        ({"max_len": 2.0}, "max_len must be an integer of at least 2 (a rule needs two items), or None for no limit. Got 2.0."),
        ({"algorithm": "eclat"}, "algorithm must be one of 'fpgrowth', 'apriori'. Got 'eclat'."),
        ({"backend": "spark"}, "backend must be one of 'pyfim', 'mlxtend'. Got 'spark'."),
        ({"max_basket_items": 0}, "max_basket_items must be a positive integer, or None to keep every basket. Got 0."),
        ({"max_basket_items": True}, "max_basket_items must be a positive integer, or None to keep every basket. Got True."),
        ({"country": " "}, "country must be a non-empty string, or None for all countries. Got ' '."),
    ],
)
def test_parameters_are_checked_with_exact_messages(arguments, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        ProductAssociationParameters(**arguments)


def test_sales_without_the_needed_columns_are_rejected():
    with pytest.raises(ValueError, match=re.escape("sales lacks columns ['product_type'].")):
        mine_rules(TINY_SALES.drop(columns="product_type"), ProductAssociationParameters(), TINY_DESCRIPTIONS)


# --- the real data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_descriptions(real_sales):
    return canonical_descriptions(real_sales)


@pytest.mark.parametrize("algorithm, backend", MINERS)
def test_the_published_france_rule(real_sales, real_descriptions, algorithm, backend):
    """Min support 0.07 on France's invoices without postage: ALARM CLOCK BAKELIKE GREEN -> RED.

    The published lift 8.64 divides by all 392 France invoices that are not credit notes: 3 of
    them have no customer (cleaning leaves them out) and 10 have no merchandise line (postage,
    manual or fee only), so they are no baskets here. Over the 379 real baskets the same counts
    (31 of the 38 GREEN baskets have RED, 37 baskets have RED) give 31 * 379 / (38 * 37) = 8.356.
    """
    parameters = ProductAssociationParameters(
        min_support=0.07, min_confidence=0.0, country="France", algorithm=algorithm, backend=backend, max_basket_items=None
    )
    rules = mine_rules(real_sales, parameters, real_descriptions)
    green_red = rule(rules, "22726", "22727")
    assert green_red["antecedent_descriptions"] == ("ALARM CLOCK BAKELIKE GREEN",)
    assert green_red["consequent_descriptions"] == ("ALARM CLOCK BAKELIKE RED",)
    counts = ["both_baskets", "antecedent_baskets", "consequent_baskets", "total_baskets"]
    assert green_red[counts].tolist() == [31, 38, 37, 379]
    assert green_red["confidence"] == pytest.approx(31 / 38)
    assert green_red["lift"] == pytest.approx(31 * 379 / (38 * 37))
    assert round(green_red["lift"], 3) == 8.356
    assert 31 / 38 / (37 / 392) == pytest.approx(8.643, abs=5e-4)  # the published figure, same counts
    assert rules.iloc[0]["lift"] == pytest.approx(green_red["lift"])  # the strongest rule of the run


def test_real_rules_agree_with_counts_recomputed_from_the_sale_lines(real_sales, real_descriptions):
    parameters = ProductAssociationParameters(min_support=0.02, min_confidence=0.3, max_len=None)
    rules = mine_rules(real_sales, parameters, real_descriptions)
    assert len(rules) > 50 and rules["antecedent_codes"].map(len).max() >= 2

    # independently: each invoice's set of product codes, huge ones dropped, straight from the lines
    lines = real_sales[real_sales["product_type"] == "product"]
    baskets = [set(codes) for codes in lines.groupby("invoice_no")["stock_code"].agg(set) if len(codes) <= 100]
    counts: dict[frozenset, int] = {}

    def count(codes) -> int:
        key = frozenset(codes)
        if key not in counts:
            counts[key] = sum(key <= basket for basket in baskets)
        return counts[key]

    assert set(rules["total_baskets"]) == {len(baskets)}
    for row in rules.itertuples():
        both = count(row.antecedent_codes + row.consequent_codes)
        antecedent, consequent = count(row.antecedent_codes), count(row.consequent_codes)
        assert (row.both_baskets, row.antecedent_baskets, row.consequent_baskets) == (both, antecedent, consequent)
        assert row.support == pytest.approx(both / len(baskets))
        assert row.confidence == pytest.approx(both / antecedent)
        assert row.lift == pytest.approx(both / antecedent / (consequent / len(baskets)))
        assert row.leverage == pytest.approx(both / len(baskets) - antecedent * consequent / len(baskets) ** 2)
        assert not set(row.antecedent_codes) & set(row.consequent_codes)
        assert not set(row.antecedent_descriptions) & set(row.consequent_descriptions)
        assert row.confidence >= 0.3 and row.lift >= 1.0
    described = real_descriptions.set_index("stock_code")["description"]
    first = rules.iloc[0]
    assert first["antecedent_descriptions"] == tuple(described[code] for code in first["antecedent_codes"])


def test_all_real_baskets_fit_a_sparse_matrix(real_sales):
    matrix = one_hot(basket_items(real_sales, ProductAssociationParameters(max_basket_items=None)))
    assert matrix.shape == (18_402, 3_659)  # every merchandise invoice, every product
    assert matrix.sparse.density < 0.01
    stored = sum(matrix[column].array.sp_index.npoints for column in matrix.columns)
    assert stored == len(real_sales[real_sales["product_type"] == "product"][["invoice_no", "stock_code"]].drop_duplicates())
    assert np.isclose(matrix.sparse.density, stored / (18_402 * 3_659))


@pytest.mark.parametrize(
    "support, max_len, max_basket_items",
    [(0.02, 2, 100), (0.02, None, None), (0.01, None, 100), (0.005, None, 100)],  # the defaults, and supports of docs/analytics.md
)
def test_pyfim_and_mlxtend_give_the_same_itemsets_and_rule_table_on_real_baskets(real_sales, real_descriptions, support, max_len, max_basket_items):
    chosen = {"min_support": support, "max_len": max_len, "max_basket_items": max_basket_items}
    fast, slow = ProductAssociationParameters(**chosen, backend="pyfim"), ProductAssociationParameters(**chosen, backend="mlxtend")
    items = basket_items(real_sales, fast)
    fast_itemsets, slow_itemsets = frequent_itemsets(items, fast), frequent_itemsets(items, slow)
    assert len(fast_itemsets) == len(slow_itemsets) > 100
    # the same itemsets with bit-identical supports (both are count / baskets)
    assert dict(zip(fast_itemsets["itemsets"], fast_itemsets["support"], strict=True)) == dict(
        zip(slow_itemsets["itemsets"], slow_itemsets["support"], strict=True)
    )
    fast_rules, slow_rules = mine_rules(real_sales, fast, real_descriptions), mine_rules(real_sales, slow, real_descriptions)
    assert len(fast_rules) > 50
    pd.testing.assert_frame_equal(fast_rules, slow_rules, check_exact=True)  # every row, every column, every bit
