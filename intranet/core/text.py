"""Small text helpers."""
import re
import unicodedata
from functools import lru_cache


def fold(value: str) -> str:
    """Lower case without accents: « Délibération » → « deliberation »."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Letters that Unicode does not decompose but French spells as two: « Œuilly » sorts as
# « oeuilly », « Lætitia » as « laetitia ».
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})
# Hyphens, apostrophes and other punctuation separate words: « Saint-Front » is « saint front »,
# « L'Isle » is « l isle ».
_NOT_A_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)   # the header sorts the person's organisations and spaces on every page
def collation_key(value: str | None, max_length: int = 250) -> str:
    """The key names are sorted and searched by, in French order: accents and case ignored,
    ligatures spelled out, hyphens and apostrophes read as spaces, word by word (« Saint-Front »
    before « Sainte-Livrade »). « Saint » and « St » stay as written. The stored ``name_key``
    columns hold it, so SQL ``ORDER BY`` and ``LIKE`` give the same answer as Python."""
    folded = fold((value or "").translate(_LIGATURES)).casefold()
    return " ".join(_NOT_A_WORD.split(folded)).strip()[:max_length].rstrip()


def french_sorted(items, key=lambda item: item):
    """``items`` sorted by ``collation_key`` of ``key(item)`` (then as written, for ties)."""
    return sorted(items, key=lambda item: (collation_key(key(item)), key(item) or ""))


def slugify(value: str, max_length: int = 70) -> str:
    """« Saint-Étienne-de-Fougères » → « saint-etienne-de-fougeres »."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")
    return slug[:max_length].rstrip("-") or "sans-nom"


def unique_slug(base: str, exists) -> str:
    """``base`` or ``base-2``, ``base-3``… whichever ``exists(slug)`` says is free."""
    slug = slugify(base)
    candidate, n = slug, 1
    while exists(candidate):
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def of(name: str) -> str:
    """« de » before a name, elided before a vowel: « d'Agen », « de Boé » (an h is left alone:
    « de Houeillès »)."""
    first = fold(name[:1])
    return f"d'{name}" if first and first in "aeiouy" else f"de {name}"
