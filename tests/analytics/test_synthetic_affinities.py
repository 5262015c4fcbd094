"""Generated baskets carry planted co-purchases: the companion rule on hand-made lines, and the rules mined from a generated file."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analytics.cleaning.clean_exports import clean_exports
from analytics.product_association import ProductAssociationParameters, canonical_descriptions, mine_rules
from analytics.synthetic import generate
from analytics.synthetic.affinities import Affinities, add_companions
from analytics.synthetic.calibration import AFFINITY_SHARE
from analytics.synthetic.catalogue import make_catalog
from analytics.synthetic.plan import make_plan

# 200k rows: 1,538 products. In a smaller file the catalogue is so small that its most popular
# products sit in a third of all baskets: chance alone passes the default thresholds (50k rows:
# over 3,000 rules, lifts up to ~3) and a planted pair of such products cannot have a high lift.
ROWS, SEED = 200_000, 2024
KEY = np.uint64(12345)


def two_families() -> Affinities:
    """Products 0..9; families {0, 1} and {2, 3, 4}."""
    family = np.full(10, -1)
    slot = np.full(10, -1)
    family[[0, 1, 2, 3, 4]] = [0, 0, 1, 1, 1]
    slot[[0, 1, 2, 3, 4]] = [0, 1, 0, 1, 2]
    return Affinities(members=np.array([[0, 1, -1], [2, 3, 4]]), size=np.array([2, 3]), family=family, slot=slot)


def invoices_of(lines: list[int], count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`count` invoices with the same drawn products `lines`, as the (inv, pos, item) arrays of complete invoices."""
    inv = np.repeat(np.arange(count), len(lines))
    pos = np.tile(np.arange(len(lines)), count)
    return inv, pos, np.tile(np.array(lines, dtype=np.int64), count)


def test_a_family_product_brings_another_of_its_family_on_the_next_line_with_the_documented_probability():
    count = 20_000
    inv, pos, item = invoices_of([0, 7], count)  # family product, then an ordinary one
    after = add_companions(two_families(), KEY, inv, pos, item).reshape(count, 2)
    assert (after[:, 0] == 0).all()  # the family product itself stays
    assert set(after[:, 1]) == {1, 7}  # the next line is its family's other product, or untouched
    share = (after[:, 1] == 1).mean()
    assert abs(share - AFFINITY_SHARE) < 4 * np.sqrt(AFFINITY_SHARE * (1 - AFFINITY_SHARE) / count)

    inv, pos, item = invoices_of([3, 8], count)  # in a family of three, the companion is one of the two others, evenly
    second = add_companions(two_families(), KEY, inv, pos, item).reshape(count, 2)[:, 1]
    assert set(second) == {2, 4, 8}
    assert abs((second == 2).mean() - (second == 4).mean()) < 4 * np.sqrt(AFFINITY_SHARE / count)


def test_companions_do_not_chain_and_stay_inside_their_invoice():
    count = 20_000
    inv, pos, item = invoices_of([0, 2, 9], count)  # two family products in a row, then an ordinary one
    after = add_companions(two_families(), KEY, inv, pos, item).reshape(count, 3)
    replaced_second = after[:, 1] != 2
    # a line that may be replaced never brings a companion: when line 2 is a companion, line 3 is untouched
    assert (after[replaced_second, 2] == 9).all()
    assert replaced_second.any() and (after[:, 2] != 9).any()

    inv, pos, item = invoices_of([9, 0], count)  # a family product on an invoice's last line brings nothing
    assert (add_companions(two_families(), KEY, inv, pos, item) == item).all()
    ordinary = invoices_of([5, 6, 7], count)  # no family product, nothing changes
    assert (add_companions(two_families(), KEY, *ordinary) == ordinary[2]).all()


@pytest.fixture(scope="module")
def generated_sales(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("affinities")
    generate(ROWS, SEED, folder / "raw.csv.gz")
    return pd.read_parquet(clean_exports([folder / "raw.csv.gz"], folder / "clean").sales_file)


def planted_pairs() -> set[frozenset[str]]:
    plan = make_plan(ROWS, SEED)
    return {frozenset(code.upper() for code in plan.catalog.codes[list(pair)]) for pair in plan.affinities.pairs()}  # cleaning upper-cases codes


def test_generated_baskets_yield_the_planted_rules_at_the_default_thresholds(generated_sales):
    rules = mine_rules(generated_sales, ProductAssociationParameters(), canonical_descriptions(generated_sales))
    assert len(rules) > 0
    planted = planted_pairs()
    assert len(planted) >= 20
    is_planted = np.array([frozenset(a + c) in planted for a, c in zip(rules["antecedent_codes"], rules["consequent_codes"], strict=True)])

    # every planted pair is found, and they are the strongest rules, far above independence; the
    # few other rules (popular products meeting in big baskets) stay far below them
    found = {frozenset(a + c) for a, c in zip(rules.loc[is_planted, "antecedent_codes"], rules.loc[is_planted, "consequent_codes"], strict=True)}
    assert found == planted
    assert rules.loc[is_planted, "lift"].min() > 4
    assert rules.loc[~is_planted, "lift"].max() < 2.5
    assert is_planted.mean() > 0.7

    # independently, from the clean lines: a basket x product table of the mined baskets (merchandise, <= 100 products)
    pairs = generated_sales.loc[generated_sales["product_type"] == "product", ["invoice_no", "stock_code"]].drop_duplicates()
    pairs = pairs[pairs.groupby("invoice_no")["stock_code"].transform("size") <= 100]
    table = pd.crosstab(pairs["invoice_no"], pairs["stock_code"]).astype(bool)

    def lift(a: str, b: str) -> float:
        return (table[a] & table[b]).sum() * len(table) / (table[a].sum() * table[b].sum())

    for pair in planted:
        a, b = sorted(pair)
        mined = rules[(rules["antecedent_codes"] == (a,)) & (rules["consequent_codes"] == (b,))]
        assert mined["lift"].iloc[0] == pytest.approx(lift(a, b))
    # two of the most popular products that are not a planted pair buy together about as often as chance (and big baskets) make them
    popular = pairs["stock_code"].value_counts().index[:15]
    unplanted = [lift(a, b) for a, b in itertools.combinations(popular, 2) if frozenset((a, b)) not in planted]
    assert len(unplanted) > 80 and np.median(unplanted) < 2


def test_the_planted_families_do_not_change_the_rest_of_the_plan():
    # families are drawn last from the plan's Generator: the catalogue and the invoices are those of a plan without them
    plan = make_plan(ROWS, SEED)
    rng = np.random.default_rng(SEED)
    assert (make_catalog(ROWS, rng).product_by_rank == plan.catalog.product_by_rank).all()
    members = plan.affinities.members[plan.affinities.members >= 0]
    assert len(set(members)) == len(members)  # a product is in one family at most
    assert set(plan.affinities.size) <= {2, 3}
