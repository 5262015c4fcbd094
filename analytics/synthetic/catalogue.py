"""The product catalogue: stock codes, descriptions (with their spelling variants and typed notes), list prices and popularity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.synthetic.calibration import (
    CODE_FIRST_DIGIT,
    LEADING_SPACE_SHARE,
    LETTER_CODE_SHARE,
    MAX_PRODUCTS,
    MIN_PRODUCTS,
    NOTE_PRODUCT_SHARE,
    POPULARITY_PRICE_NOISE,
    POPULARITY_RANK,
    POPULARITY_ROWS,
    PRICE_CDF,
    ROWS_PER_PRODUCT,
    SPECIAL_CODES,
    TRAILING_SPACE_SHARE,
    VARIANT_PRODUCT_SHARE,
    WRITE_OFF_NOTES,
    ZERO_NOTES,
)

# Word lists for product descriptions, in the style of the real catalogue.
COLOURS = (
    "WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "CREAM", "BLACK", "SILVER", "GOLD", "PURPLE",
    "ORANGE", "YELLOW", "PASTEL", "VINTAGE", "ANTIQUE", "FRENCH BLUE", "CHOCOLATE", "NATURAL", "GREY",
)  # fmt: skip
MOTIFS = (
    "HANGING HEART", "RETROSPOT", "POLKADOT", "UNION JACK", "PAISLEY", "DOLLY GIRL", "SPACEBOY",
    "WOODLAND", "STRAWBERRY", "REGENCY", "BIRD", "FLORAL", "SKULL", "CHRISTMAS", "ROSE", "BUTTERFLY",
    "GINGHAM", "LOVE", "STAR", "ALPHABET", "DAISY", "JAM MAKING", "PARTY", "VINTAGE LEAF", "CHERRY",
    "SCANDINAVIAN", "BAROQUE", "DOILY", "ENGLISH ROSE", "PANTRY",
)  # fmt: skip
ITEMS = (
    "T-LIGHT HOLDER", "METAL LANTERN", "COAT HANGER", "HOT WATER BOTTLE", "MUG", "LUNCH BAG",
    "JUMBO BAG", "CAKE CASES", "PAPER NAPKINS", "CAKE STAND", "TEA SET", "METAL DOOR SIGN",
    "PHOTO FRAME", "NOTEBOOK", "WALL CLOCK", "CUSHION COVER", "BAKING SET", "PICNIC BASKET", "DOORSTOP",
    "RECIPE BOX", "KITCHEN SCALES", "MIRROR", "CANDLE", "GIFT WRAP", "GIFT BAG", "CHARLOTTE BAG",
    "SHOPPING BAG", "WATER BOTTLE", "SPONGE", "TRINKET BOX", "JEWELLERY BOX", "KEY RING", "PENCIL CASE",
    "LUNCH BOX", "BUNTING", "GARLAND", "DECORATION", "ORNAMENT", "SNOW GLOBE", "PLACEMAT", "TEA TOWEL",
    "APRON", "OVEN GLOVE", "SPOON", "STORAGE TIN", "BISCUIT TIN", "WICKER HEART", "CHALKBOARD",
    "WASHBAG", "PURSE", "PARASOL", "WINDMILL", "BIRD FEEDER", "PLANT POT", "JIGSAW", "PLAYING CARDS",
    "STICKERS", "WRAPPING PAPER", "CAKE TINS", "PAPER CHAIN KIT",
)  # fmt: skip
PREFIXES = ("SET OF 3", "SET OF 4", "SET OF 6", "SET/10", "SMALL", "LARGE", "MINI", "JUMBO")
SPELLING_VARIANTS = (
    (" OF ", "/"), ("T-LIGHT", "TLIGHT"), ("GREY", "GRAY"), ("POLKADOT", "POLKA DOT"),
    ("RETROSPOT", "RETRO SPOT"), ("JEWELLERY", "JEWELRY"), ("COLOUR", "COLOR"), ("DOORSTOP", "DOOR STOP"),
)  # fmt: skip
_SPECIAL_INDEX = {code: i for i, (code, *_rest) in enumerate(SPECIAL_CODES)}  # after the products in Catalog.codes
# The typed notes, write-off notes first; each kind of stock invoice draws from its own (the other's weigh 0).
NOTES = (*WRITE_OFF_NOTES, *ZERO_NOTES)
WRITE_OFF_NOTE_WEIGHTS = np.array([*WRITE_OFF_NOTES.values(), *[0] * len(ZERO_NOTES)], dtype=float)
ZERO_NOTE_WEIGHTS = np.array([*[0] * len(WRITE_OFF_NOTES), *ZERO_NOTES.values()], dtype=float)
MISSING_DESCRIPTION = -1  # the description table ends with None


@dataclass
class Catalog:
    """The products and the non-product codes, with what a line needs to draw one (prices, popularity, descriptions)."""

    codes: np.ndarray  # object: products first, then SPECIAL_CODES
    descriptions: np.ndarray  # object: canonical[p], variant[p], specials, notes, None (last = missing)
    price: np.ndarray  # list price of each product
    price_rank: np.ndarray  # 0 = cheapest product, 1 = dearest
    typical_price_rank: float  # mean price rank over sold lines (popular products are cheaper)
    has_variant: np.ndarray  # bool per product
    note_products: np.ndarray  # products whose write-offs and stock checks carry typed notes
    popularity_cdf: np.ndarray  # over popularity ranks
    product_by_rank: np.ndarray
    n_products: int

    def special(self, code: str) -> int:
        return self.n_products + _SPECIAL_INDEX[code]

    def special_description(self, item: np.ndarray) -> np.ndarray:
        return item + self.n_products  # descriptions: 2 * n_products + special index

    def note(self, k: np.ndarray) -> np.ndarray:
        return 2 * self.n_products + len(SPECIAL_CODES) + k


def make_catalog(rows: int, rng: np.random.Generator) -> Catalog:
    """About one product per ROWS_PER_PRODUCT rows (MIN_PRODUCTS to MAX_PRODUCTS), then the special codes."""
    n = min(MAX_PRODUCTS, max(MIN_PRODUCTS, rows // ROWS_PER_PRODUCT))
    codes = _product_codes(n, rng)
    spaces = rng.random(n)
    canonical = [
        f" {d}" if s < LEADING_SPACE_SHARE else f"{d} " if s < LEADING_SPACE_SHARE + TRAILING_SPACE_SHARE else d
        for d, s in zip(_product_descriptions(n, rng), spaces, strict=True)
    ]
    price = np.round(np.interp(rng.random(n), *PRICE_CDF), 2)
    rank_weight = np.exp(np.interp((np.arange(n) + 1) / n, POPULARITY_RANK, np.log(POPULARITY_ROWS)))
    price_rank = (np.argsort(np.argsort(price, kind="stable"), kind="stable") + 0.5) / n
    product_by_rank = _popularity_order(price_rank, rng)
    # products with a second description are picked by popularity, so that they show it in a file
    popularity = np.empty(n)
    popularity[product_by_rank] = rank_weight / rank_weight.sum()
    has_variant = np.zeros(n, dtype=bool)
    has_variant[rng.choice(n, size=round(n * VARIANT_PRODUCT_SHARE), replace=False, p=popularity)] = True
    variant = [_variant_of(d, rng) if v else d for d, v in zip(canonical, has_variant, strict=True)]
    note_products = rng.choice(n, size=max(1, round(n * NOTE_PRODUCT_SHARE)), replace=False, p=popularity)
    descriptions = np.array([*canonical, *variant, *(s[1] for s in SPECIAL_CODES), *NOTES, None], dtype=object)
    return Catalog(
        codes=np.array([*codes, *(s[0] for s in SPECIAL_CODES)], dtype=object),
        descriptions=descriptions,
        price=price,
        price_rank=price_rank,
        typical_price_rank=float(np.average(price_rank[product_by_rank], weights=rank_weight)),
        has_variant=has_variant,
        note_products=note_products,
        popularity_cdf=np.cumsum(rank_weight) / rank_weight.sum(),
        product_by_rank=product_by_rank,
        n_products=n,
    )


def _popularity_order(price_rank: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Products from most to least popular; cheaper products tend to sell more often."""
    return np.argsort(price_rank + rng.normal(0.0, POPULARITY_PRICE_NOISE, len(price_rank)), kind="stable")


def _product_codes(n: int, rng: np.random.Generator) -> list[str]:
    """5-digit codes, about a quarter in families with a letter suffix (85099B, 85099C, ...)."""
    n_letter = round(n * LETTER_CODE_SHARE)
    family_sizes = rng.integers(2, 5, size=n_letter)  # 2..4 variants per family
    family_sizes = family_sizes[np.cumsum(family_sizes) <= n_letter]
    if family_sizes.sum() < n_letter:
        family_sizes = np.append(family_sizes, n_letter - family_sizes.sum())
    n_plain = n - n_letter
    numbers = np.arange(10_000, 100_000)
    weight = _weight_of_first_digit(numbers)
    bases = rng.choice(numbers, size=n_plain + len(family_sizes), replace=False, p=weight / weight.sum())
    codes = [str(b) for b in bases[:n_plain]]
    for base, k in zip(bases[n_plain:], family_sizes, strict=True):
        letters = "ABCDEFGHIJKL" if rng.random() >= 0.1 else "abcdefghijkl"
        codes.extend(f"{base}{letters[j]}" for j in range(k))
    return codes


def _weight_of_first_digit(numbers: np.ndarray) -> np.ndarray:
    """Weight of each 5-digit number so that first digits follow the real codes (2xxxx most)."""
    lookup = np.array([CODE_FIRST_DIGIT.get(str(d), 0) for d in range(10)], dtype=float)
    return lookup[numbers // 10_000] / np.bincount(numbers // 10_000, minlength=10)[numbers // 10_000]


def _product_descriptions(n: int, rng: np.random.Generator) -> list[str]:
    """Unique upper-case descriptions such as "SET OF 3 RED RETROSPOT CAKE CASES"."""
    seen: dict[str, int] = {}
    out = []
    for _ in range(n):
        words = []
        if rng.random() < 0.2:
            words.append(PREFIXES[rng.integers(len(PREFIXES))])
        if rng.random() < 0.5:
            words.append(COLOURS[rng.integers(len(COLOURS))])
        if rng.random() < 0.7:
            words.append(MOTIFS[rng.integers(len(MOTIFS))])
        words.append(ITEMS[rng.integers(len(ITEMS))])
        text = " ".join(words)
        count = seen.get(text, 0)
        seen[text] = count + 1
        out.append(text if count == 0 else f"{text} {count}")  # like "FRENCH BLUE METAL DOOR SIGN 3"
    return out


def _variant_of(text: str, rng: np.random.Generator) -> str:
    """A second description for the same code: a trailing-space or spelling variant."""
    if rng.random() < 0.5:
        return text.rstrip() if text.endswith(" ") else f"{text} "
    for i in rng.permutation(len(SPELLING_VARIANTS)):
        old, new = SPELLING_VARIANTS[i]
        if old in text:
            return text.replace(old, new, 1)
    longest = max(text.split(), key=len)  # a typo: drop one letter of the longest word
    j = int(rng.integers(1, len(longest))) if len(longest) > 1 else 0
    return text.replace(longest, longest[:j] + longest[j + 1 :], 1) if len(longest) > 2 else f"{text} "
