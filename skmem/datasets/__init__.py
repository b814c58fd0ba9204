"""Readers of real data sets and seeded generators of synthetic ones."""

from ._algorithmic import make_associative_recall, make_copy, make_repeat_copy
from ._babi import BABI_TASKS, fetch_babi, load_babi
from ._babi_tasks import make_babi

__all__ = [
    "BABI_TASKS",
    "fetch_babi",
    "load_babi",
    "make_associative_recall",
    "make_babi",
    "make_copy",
    "make_repeat_copy",
]
