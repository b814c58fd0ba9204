"""Text to token ids: a tokenizer and the ``TextVectorizer`` transformer.

Conventions shared by every vectorizer in :mod:`skmem.preprocessing`:
id 0 is padding (``PAD_TOKEN``), id 1 stands for any token not in the
vocabulary (``UNK_TOKEN``), and real tokens start at id 2, ordered by
decreasing frequency in the data seen by ``fit`` (ties broken alphabetically).
"""

import re
from collections import Counter
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, check_scalar

__all__ = ["PAD_TOKEN", "UNK_TOKEN", "PAD_ID", "UNK_ID", "tokenize", "TextVectorizer"]

PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"
PAD_ID = 0
UNK_ID = 1

# A word is a run of letters/digits/underscores, optionally joined by inner
# apostrophes ("don't", "mary's"); any other non-space character is a token
# of its own, so punctuation is split off.
_WORD_RE = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")
_ANALYZERS = ("word", "char")


def tokenize(text, *, analyzer="word", lowercase=True):
    """Split one string into tokens.

    Parameters
    ----------
    text : str
        The string to split.
    analyzer : {"word", "char"}, default="word"
        ``"word"`` yields words, with each punctuation character split off as
        a token of its own (inner apostrophes stay inside words: ``"don't"``
        is one token). ``"char"`` yields every character, spaces included.
    lowercase : bool, default=True
        Lowercase ``text`` before splitting.

    Returns
    -------
    tokens : list of str
        The tokens in reading order.

    Examples
    --------
    >>> from skmem.preprocessing import tokenize
    >>> tokenize("Where is Mary?")
    ['where', 'is', 'mary', '?']
    >>> tokenize("Hi, you!", analyzer="char", lowercase=False)
    ['H', 'i', ',', ' ', 'y', 'o', 'u', '!']
    """
    if not isinstance(text, str):
        raise ValueError(f"tokenize expects a str, got {type(text).__name__}.")
    if analyzer not in _ANALYZERS:
        raise ValueError(f"analyzer must be one of {_ANALYZERS}, got {analyzer!r}.")
    if lowercase:
        text = text.lower()
    if analyzer == "char":
        return list(text)
    return _WORD_RE.findall(text)


def _build_vocabulary(counts, *, min_freq=1, max_features=None):
    """Return ``tokens`` (id -> token) with padding and unknown first.

    Tokens seen fewer than ``min_freq`` times are dropped; of the rest the
    ``max_features`` most frequent are kept, ties broken alphabetically so the
    result never depends on the order of the data.
    """
    kept = sorted(
        (tok for tok, n in counts.items() if n >= min_freq),
        key=lambda tok: (-counts[tok], tok),
    )
    if max_features is not None:
        kept = kept[:max_features]
    return [PAD_TOKEN, UNK_TOKEN, *kept]


def _as_string_list(X, *, name="X"):
    """Validate an iterable of strings and return it as a new list.

    Accepts lists, tuples, 1-D arrays, pandas Series, and 2-D inputs with a
    single column (ndarray or DataFrame). The input itself is never changed.
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(
            f"{name} must be an iterable of strings (one document per sample), "
            "got a single string; wrap it in a list."
        )
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:  # pandas DataFrame
        if X.shape[1] != 1:
            raise ValueError(
                f"{name} must hold one text column, got a DataFrame with "
                f"{X.shape[1]} columns."
            )
        X = X.iloc[:, 0]
    if hasattr(X, "iloc"):  # pandas Series: positions, not index labels
        X = X.to_numpy()
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        elif X.ndim != 1:
            raise ValueError(
                f"{name} must be 1-D or a single column, got an array of "
                f"shape {X.shape}."
            )
    try:
        docs = list(X)
    except TypeError:
        raise ValueError(
            f"{name} must be an iterable of strings, got {type(X).__name__}."
        ) from None
    if len(docs) == 0:
        raise ValueError(f"{name} is empty: at least one string is required.")
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            raise ValueError(
                f"{name} must contain only strings; entry {i} is "
                f"{doc!r} of type {type(doc).__name__}. Fill or drop missing "
                "values first (e.g. Series.fillna('') or dropna())."
            )
    return docs


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}.")


def _check_optional_int(value, name, min_val=1):
    if value is not None:
        check_scalar(value, name, Integral, min_val=min_val)


def _ids_to_tokens(ids, tokens, *, name="X"):
    """Map rows of ids back to lists of tokens, dropping padding."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 2-D array of integer token ids, got "
            f"dtype {ids.dtype} and shape {ids.shape}."
        )
    if ids.size and (ids.min() < 0 or ids.max() >= len(tokens)):
        raise ValueError(
            f"{name} holds ids outside the vocabulary range [0, {len(tokens) - 1}]."
        )
    return [[tokens[i] for i in row if i != PAD_ID] for row in ids.tolist()]


class TextVectorizer(TransformerMixin, BaseEstimator):
    """Turn strings into fixed-length rows of integer token ids.

    ``fit`` learns a vocabulary from an iterable of strings; ``transform``
    maps each string to ``max_len_`` token ids, the input format of the
    skmem sequence models (RNN, Transformer, ...). Id 0 is padding, always
    appended at the end; id 1 is any token not in the vocabulary; real tokens
    get ids from 2 on, the most frequent first.

    Parameters
    ----------
    min_freq : int, default=1
        Keep only tokens seen at least this many times in ``fit``.
    max_features : int or None, default=None
        Keep at most this many tokens (padding and unknown not counted), the
        most frequent first; equally frequent tokens are taken in alphabetical
        order. ``None`` keeps all tokens that pass ``min_freq``.
    lowercase : bool, default=True
        Lowercase the text before tokenizing.
    analyzer : {"word", "char"}, default="word"
        Token unit; see :func:`tokenize`.
    max_len : int or None, default=None
        Length of every output row. ``None`` uses the longest document seen
        in ``fit`` (at least 1). Longer documents are truncated.
    truncation : {"post", "pre"}, default="post"
        Which side of a too-long document is cut: ``"post"`` drops tokens at
        the end (keeps the beginning), ``"pre"`` drops tokens at the start
        (keeps the end).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id, including ``"<pad>"`` (0) and ``"<unk>"`` (1), so
        ``len(vocabulary_)`` is the embedding size a model needs.
    tokens_ : list of str
        Id to token, the inverse of ``vocabulary_``.
    max_len_ : int
        Length of the rows ``transform`` returns.

    See Also
    --------
    tokenize : The tokenizer used here, reusable on its own.
    StoryVectorizer : Token ids for bAbI-style stories and questions.

    Notes
    -----
    The transform is stateless per sample: row ``i`` of the output depends
    only on string ``i``. Input is any iterable of strings (list, 1-D array,
    pandas Series, or a 2-D input with one column); ``None`` or other
    non-strings raise a ``ValueError``, so impute missing text first.

    Examples
    --------
    >>> from skmem.preprocessing import TextVectorizer
    >>> vec = TextVectorizer().fit(["Where is Mary?", "Mary is here."])
    >>> vec.tokens_
    ['<pad>', '<unk>', 'is', 'mary', '.', '?', 'here', 'where']
    >>> vec.transform(["Where is John?"])
    array([[7, 2, 1, 5]])
    >>> vec.inverse_transform(vec.transform(["Mary is"]))
    [['mary', 'is']]
    """

    def __init__(
        self,
        *,
        min_freq=1,
        max_features=None,
        lowercase=True,
        analyzer="word",
        max_len=None,
        truncation="post",
    ):
        self.min_freq = min_freq
        self.max_features = max_features
        self.lowercase = lowercase
        self.analyzer = analyzer
        self.max_len = max_len
        self.truncation = truncation

    def _check_params(self):
        check_scalar(self.min_freq, "min_freq", Integral, min_val=1)
        _check_optional_int(self.max_features, "max_features")
        _check_optional_int(self.max_len, "max_len")
        _check_choice(self.analyzer, "analyzer", _ANALYZERS)
        _check_choice(self.truncation, "truncation", ("post", "pre"))

    def _tokenize_all(self, docs):
        return [
            tokenize(doc, analyzer=self.analyzer, lowercase=self.lowercase)
            for doc in docs
        ]

    def fit(self, X, y=None):
        """Learn the vocabulary and the output length from ``X``.

        Parameters
        ----------
        X : iterable of str
            Training documents.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : TextVectorizer
            The fitted vectorizer.
        """
        self._check_params()
        tokenized = self._tokenize_all(_as_string_list(X))
        counts = Counter(tok for doc in tokenized for tok in doc)
        self.tokens_ = _build_vocabulary(
            counts, min_freq=self.min_freq, max_features=self.max_features
        )
        self.vocabulary_ = {tok: i for i, tok in enumerate(self.tokens_)}
        if self.max_len is None:
            self.max_len_ = max(1, max(len(doc) for doc in tokenized))
        else:
            self.max_len_ = self.max_len
        return self

    def transform(self, X):
        """Map each document to a row of ``max_len_`` token ids.

        Parameters
        ----------
        X : iterable of str
            Documents to encode.

        Returns
        -------
        ids : ndarray of shape (n_samples, `max_len_`), dtype int64
            Token ids, unknown tokens as 1, padded with 0 at the end.
        """
        check_is_fitted(self)
        tokenized = self._tokenize_all(_as_string_list(X))
        out = np.zeros((len(tokenized), self.max_len_), dtype=np.int64)
        for i, doc in enumerate(tokenized):
            if len(doc) > self.max_len_:  # "post" keeps the start, "pre" the end
                cut = len(doc) - self.max_len_
                doc = doc[: self.max_len_] if self.truncation == "post" else doc[cut:]
            out[i, : len(doc)] = [self.vocabulary_.get(tok, UNK_ID) for tok in doc]
        return out

    def inverse_transform(self, X):
        """Map rows of token ids back to lists of tokens.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_ids), integer
            Token ids, as returned by ``transform``.

        Returns
        -------
        tokens : list of list of str
            One list per row, padding dropped, unknown ids as ``"<unk>"``.
        """
        check_is_fitted(self)
        return _ids_to_tokens(X, self.tokens_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags
