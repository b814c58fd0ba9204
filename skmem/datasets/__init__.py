"""Readers of real data sets and seeded generators of synthetic ones."""

from ._algorithmic import make_associative_recall, make_copy, make_repeat_copy
from ._babi import BABI_TASKS, fetch_babi, load_babi
from ._babi_tasks import make_babi
from ._dates import make_dates
from ._pairs import load_sentence_pairs

__all__ = [
    "BABI_TASKS",
    "fetch_babi",
    "load_babi",
    "load_sentence_pairs",
    "make_associative_recall",
    "make_babi",
    "make_copy",
    "make_dates",
    "make_repeat_copy",
]
