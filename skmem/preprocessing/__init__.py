"""scikit-learn transformers: sliding windows, text and story vectorizers.

Every vectorizer here maps padding to id 0 and unknown tokens to id 1; real
tokens start at id 2. Windows and ids come out as float32 and int64 arrays
that torch can use directly.
"""

from ._story import StoryVectorizer
from ._text import PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, TextVectorizer, tokenize
from ._window import DifferencedRegressor, SlidingWindow, align_target, make_windows

__all__ = [
    "DifferencedRegressor",
    "PAD_ID",
    "PAD_TOKEN",
    "UNK_ID",
    "UNK_TOKEN",
    "SlidingWindow",
    "StoryVectorizer",
    "TextVectorizer",
    "align_target",
    "make_windows",
    "tokenize",
]
