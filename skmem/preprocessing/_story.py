"""bAbI-style stories and questions to token ids: ``StoryVectorizer``."""

import re
from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from skorch.helper import SliceDict

from ._text import UNK_ID, _build_vocabulary, _check_optional_int, _ids_to_tokens, tokenize

__all__ = ["StoryVectorizer"]

_PUNCT_RE = re.compile(r"[^\w\s]")
_REQUIRED_COLUMNS = ("story", "question")


def _detokenize(tokens):
    """Join tokens into a readable sentence, punctuation attached to the word before."""
    text = ""
    for tok in tokens:
        if text and not _PUNCT_RE.fullmatch(tok):
            text += " "
        text += tok
    return text


def _row_name(pos, label):
    return f"row {pos} (index {label!r})"


def _is_missing(cell):
    return cell is None or (isinstance(cell, float) and np.isnan(cell))


class StoryVectorizer(TransformerMixin, BaseEstimator):
    """Turn stories and questions into token-id arrays for memory networks.

    Input is a pandas DataFrame with one row per question: a ``story``
    column (each cell a list of sentence strings, oldest first) and a
    ``question`` column (a string). Other columns, such as
    ``supporting_facts``, are ignored. ``fit`` learns one vocabulary over the
    stories, the questions and, when given, the answers; ``transform`` returns
    a skorch ``SliceDict`` with the named inputs of the skmem story models.
    Id 0 is padding, id 1 is an unknown token, real tokens start at 2.

    Parameters
    ----------
    memory_size : int or None, default=50
        Most sentences kept per story: the most recent ones. The number of
        memory slots ``memory_size_`` is the smaller of this and the longest
        story seen in ``fit``; ``None`` means the longest story seen.
    sentence_len : int or None, default=None
        Tokens per sentence (and question); longer ones are cut at the end.
        ``None`` uses the longest kept sentence or question seen in ``fit``.
    lowercase : bool, default=True
        Lowercase text before tokenizing.
    flatten : bool, default=False
        Return one token sequence per row instead of a ``SliceDict``: the
        kept story sentences' tokens, then the question's, padded at the
        end. For RNN and Transformer baselines.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id, including ``"<pad>"`` (0) and ``"<unk>"`` (1), so
        ``len(vocabulary_)`` is the embedding size a model needs.
    tokens_ : list of str
        Id to token, the inverse of ``vocabulary_``.
    memory_size_ : int
        Number of memory slots in the output.
    sentence_len_ : int
        Number of tokens per sentence and per question in the output.
    flat_len_ : int
        Length of the rows returned when ``flatten=True``: the longest
        flattened story plus question seen in ``fit``.

    See Also
    --------
    TextVectorizer : Token ids for plain strings.
    tokenize : The tokenizer used for sentences, questions and answers.

    Notes
    -----
    ``transform`` returns ``SliceDict(story=..., question=...)`` with
    ``story`` int64 of shape ``(n_samples, memory_size_, sentence_len_)``
    and ``question`` int64 of shape ``(n_samples, sentence_len_)``. When
    ``X`` has a ``supporting_facts`` column (as ``load_babi`` and
    ``make_babi`` give), the output also holds ``supporting_facts``, int64
    of shape ``(n_samples, max_facts)``: the memory slot of each supporting
    sentence, -1 for padding and for sentences cut off by ``memory_size``;
    ``MemNNClassifier`` trains its attention on it, other models ignore it. Memory
    slot ``i`` holds the ``i``-th kept sentence, oldest first; when a story
    has fewer sentences, all-zero slots follow. With ``flatten=True`` the
    output is an int64 array of shape ``(n_samples, flat_len_)``; a longer
    sequence loses its oldest story tokens, so the question is always kept.

    Words are split as by :func:`tokenize`, so punctuation (``"."``,
    ``"?"``) becomes a token of its own. Answers passed as ``y`` to ``fit``
    may join several words with commas (``"apple,football"``); their words
    join the vocabulary, but ``y`` itself is not transformed.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmem.preprocessing import StoryVectorizer
    >>> X = pd.DataFrame({
    ...     "story": [["Mary moved to the bathroom.", "John went to the hallway."],
    ...               ["Daniel went to the garden."]],
    ...     "question": ["Where is Mary?", "Where is Daniel?"]})
    >>> vec = StoryVectorizer().fit(X, ["bathroom", "garden"])
    >>> Xt = vec.transform(X)
    >>> Xt["story"].shape, Xt["question"].shape
    ((2, 2, 6), (2, 6))
    >>> Xt["question"][0]
    array([12,  9, 10,  5,  0,  0])
    >>> vec.inverse_transform(Xt).loc[1, "story"]
    ['daniel went to the garden.']
    >>> StoryVectorizer(flatten=True).fit_transform(X).shape
    (2, 16)
    """

    def __init__(self, *, memory_size=50, sentence_len=None, lowercase=True, flatten=False):
        self.memory_size = memory_size
        self.sentence_len = sentence_len
        self.lowercase = lowercase
        self.flatten = flatten

    # -- parsing ---------------------------------------------------------

    def _tokenize(self, text):
        return tokenize(text, analyzer="word", lowercase=self.lowercase)

    def _parse(self, X):
        """Validate ``X`` and return (stories, questions) as token lists.

        ``stories[r]`` is a list of sentences, each a list of tokens;
        ``questions[r]`` is a list of tokens. ``X`` is only read.
        """
        if not (hasattr(X, "columns") and hasattr(X, "iloc")):
            raise TypeError(
                "X must be a pandas DataFrame with columns 'story' (list of "
                f"sentences) and 'question' (str), got {type(X).__name__}."
            )
        missing = [c for c in _REQUIRED_COLUMNS if c not in X.columns]
        if missing:
            raise ValueError(
                f"X is missing required column(s) {missing}; it has columns "
                f"{list(X.columns)}."
            )
        if len(X) == 0:
            raise ValueError("X is empty: at least one row is required.")
        stories, questions = [], []
        rows = zip(X.index, X["story"].tolist(), X["question"].tolist())
        for pos, (label, story, question) in enumerate(rows):
            where = _row_name(pos, label)
            if isinstance(story, str):
                raise ValueError(
                    f"{where}: story must be a list of sentence strings, got a "
                    "single string."
                )
            if _is_missing(story):
                raise ValueError(f"{where}: story is missing.")
            try:
                sentences = list(story)
            except TypeError:
                raise ValueError(
                    f"{where}: story must be a list of sentence strings, got "
                    f"{type(story).__name__}."
                ) from None
            if not sentences:
                raise ValueError(
                    f"{where}: story is empty; every row needs at least one sentence."
                )
            tokenized = []
            for j, sentence in enumerate(sentences):
                if not isinstance(sentence, str):
                    raise ValueError(
                        f"{where}: story sentence {j} is {sentence!r} of type "
                        f"{type(sentence).__name__}, expected str."
                    )
                tokens = self._tokenize(sentence)
                if not tokens:
                    raise ValueError(f"{where}: story sentence {j} is empty.")
                tokenized.append(tokens)
            if not isinstance(question, str) or not question.strip():
                raise ValueError(
                    f"{where}: question must be a non-empty string, got {question!r}."
                )
            stories.append(tokenized)
            questions.append(self._tokenize(question))
        return stories, questions

    def _answer_tokens(self, y, n_samples):
        if hasattr(y, "to_numpy"):
            y = y.to_numpy()
        y = list(np.ravel(np.asarray(y, dtype=object)))
        if len(y) != n_samples:
            raise ValueError(f"y has {len(y)} answers but X has {n_samples} rows.")
        tokens = []
        for i, answer in enumerate(y):
            if not isinstance(answer, str):
                raise ValueError(
                    f"y must hold answer strings; entry {i} is {answer!r} of "
                    f"type {type(answer).__name__}."
                )
            for word in answer.split(","):
                tokens.extend(self._tokenize(word))
        return tokens

    def _keep(self, story):
        """The kept sentences: the most recent ``memory_size_``, each truncated."""
        return [s[: self.sentence_len_] for s in story[-self.memory_size_ :]]

    # -- estimator API -----------------------------------------------------

    def _check_params(self):
        _check_optional_int(self.memory_size, "memory_size")
        _check_optional_int(self.sentence_len, "sentence_len")
        for name in ("lowercase", "flatten"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be a bool, got {getattr(self, name)!r}.")

    def fit(self, X, y=None):
        """Learn the vocabulary and the output sizes.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``story`` (list of str per row) and ``question`` (str).
        y : sequence of str, default=None
            Answers; their words (comma-separated for several) are added to
            the vocabulary. Not needed to transform.

        Returns
        -------
        self : StoryVectorizer
            The fitted vectorizer.
        """
        self._check_params()
        stories, questions = self._parse(X)
        counts = Counter(tok for story in stories for s in story for tok in s)
        counts.update(tok for q in questions for tok in q)
        if y is not None:
            counts.update(self._answer_tokens(y, len(stories)))
        self.tokens_ = _build_vocabulary(counts)
        self.vocabulary_ = {tok: i for i, tok in enumerate(self.tokens_)}

        longest_story = max(len(story) for story in stories)
        self.memory_size_ = (
            longest_story if self.memory_size is None else min(self.memory_size, longest_story)
        )
        if self.sentence_len is None:
            kept = (s for story in stories for s in story[-self.memory_size_ :])
            self.sentence_len_ = max(max(map(len, kept)), max(map(len, questions)))
        else:
            self.sentence_len_ = self.sentence_len
        self.flat_len_ = max(
            sum(map(len, self._keep(story))) + len(q[: self.sentence_len_])
            for story, q in zip(stories, questions)
        )
        return self

    def _ids(self, tokens):
        return [self.vocabulary_.get(tok, UNK_ID) for tok in tokens]

    def transform(self, X):
        """Encode stories and questions as token ids.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``story`` (list of str per row) and ``question`` (str).

        Returns
        -------
        Xt : skorch.helper.SliceDict or ndarray
            ``SliceDict`` with ``story`` int64 of shape
            ``(n_samples, memory_size_, sentence_len_)`` and ``question``
            int64 of shape ``(n_samples, sentence_len_)``; with
            ``flatten=True`` an int64 array of shape ``(n_samples, flat_len_)``.
        """
        check_is_fitted(self)
        stories, questions = self._parse(X)
        n, L = len(stories), self.sentence_len_
        if self.flatten:
            flat = np.zeros((n, self.flat_len_), dtype=np.int64)
            for r, (story, q) in enumerate(zip(stories, questions)):
                seq = [tok for s in self._keep(story) for tok in s] + q[:L]
                seq = seq[-self.flat_len_ :]  # too long: drop the oldest story tokens
                flat[r, : len(seq)] = self._ids(seq)
            return flat
        story_ids = np.zeros((n, self.memory_size_, L), dtype=np.int64)
        question_ids = np.zeros((n, L), dtype=np.int64)
        for r, (story, q) in enumerate(zip(stories, questions)):
            for i, sentence in enumerate(self._keep(story)):
                story_ids[r, i, : len(sentence)] = self._ids(sentence)
            question_ids[r, : len(q[:L])] = self._ids(q[:L])
        if "supporting_facts" in X.columns:
            return SliceDict(
                story=story_ids,
                question=question_ids,
                supporting_facts=self._supporting_slots(X, stories),
            )
        return SliceDict(story=story_ids, question=question_ids)

    def _supporting_slots(self, X, stories):
        """Memory slot of each supporting fact, int64 (n, max_facts), -1 padded;
        a fact among the sentences cut off by ``memory_size`` is also -1."""
        facts = [list(f) if f is not None else [] for f in X["supporting_facts"]]
        slots = np.full((len(facts), max(map(len, facts), default=0)), -1, dtype=np.int64)
        for r, (story, row) in enumerate(zip(stories, facts)):
            dropped = max(len(story) - self.memory_size_, 0)
            for i, position in enumerate(row):
                if not 0 <= int(position) < len(story):
                    raise ValueError(
                        f"Row {r}: supporting fact {position} is not a position in "
                        f"its story of {len(story)} sentences."
                    )
                if position >= dropped:
                    slots[r, i] = position - dropped
        return slots

    def inverse_transform(self, X):
        """Turn token ids back into text, e.g. to label memory slots in plots.

        Parameters
        ----------
        X : SliceDict, dict or array-like
            Output of ``transform``: a mapping with ``story`` and
            ``question``, or, for ``flatten=True``, a 2-D array of ids.

        Returns
        -------
        text : pandas.DataFrame or list of list of str
            For a mapping, a DataFrame with ``story`` (list of sentence
            strings, one per non-empty memory slot, in slot order) and
            ``question`` (str), normalized by the tokenizer (lowercased,
            single-spaced, unknown words as ``"<unk>"``). For a 2-D array,
            the list of tokens of each row, padding dropped.
        """
        import pandas as pd

        check_is_fitted(self)
        if not hasattr(X, "keys"):
            return _ids_to_tokens(X, self.tokens_)
        story = np.asarray(X["story"])
        if story.ndim != 3:
            raise ValueError(
                f"X['story'] must have shape (n_samples, memory_size, sentence_len), "
                f"got {story.shape}."
            )
        n, M, L = story.shape
        sentences = _ids_to_tokens(story.reshape(n * M, L), self.tokens_, name="X['story']")
        questions = _ids_to_tokens(X["question"], self.tokens_, name="X['question']")
        stories = []
        for r in range(n):
            slots = [_detokenize(s) for s in sentences[r * M : (r + 1) * M]]
            while slots and not slots[-1]:  # drop the empty slots at the end
                slots.pop()
            stories.append(slots)
        return pd.DataFrame({"story": stories, "question": [_detokenize(q) for q in questions]})

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags
