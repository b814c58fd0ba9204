"""Algorithmic tasks of the Neural Turing Machine paper: copy, repeat copy,
associative recall (Graves, Wayne and Danihelka 2014, section 4).

Every generator returns ``X, y`` ready for a sequence-to-sequence estimator
that predicts at every time step:

- ``X`` float32 of shape ``(n_samples, T, n_in)``, with ``T`` the longest
  sequence drawn; shorter sequences are followed by zero steps.
- ``y`` float32 of shape ``(n_samples, T, n_out)``, holding the target at the
  steps where an answer is due and **NaN everywhere else** (while the input is
  being presented, and in the padding). ``~np.isnan(y)`` is the mask of the
  steps to score; a masked loss ignores NaN entries. A step is either fully
  target or fully NaN.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_range(name, value, low):
    """An int gives a fixed value; a pair ``(lo, hi)`` an inclusive range."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in value)):
        raise ValueError(f"{name} must be an int or a pair of ints (low, high), got {value!r}")
    lo, hi = int(value[0]), int(value[1])
    if lo < low or hi < lo:
        raise ValueError(f"{name} must satisfy {low} <= low <= high, got {value!r}")
    return lo, hi


def _allocate(lengths, n_in, n_out):
    """Zero inputs and all-NaN targets, padded to the longest sequence."""
    T = int(max(lengths))
    X = np.zeros((len(lengths), T, n_in), dtype=np.float32)
    y = np.full((len(lengths), T, n_out), np.nan, dtype=np.float32)
    return X, y


def make_copy(n_samples, *, seq_len=(1, 20), n_bits=8, random_state=None):
    """Copy task: reproduce a sequence of random binary vectors.

    The input shows ``L`` random vectors of ``n_bits`` bits, then a delimiter
    flag on an extra channel; the answer is the same ``L`` vectors on the
    ``L`` steps after the delimiter, while the input is zero. Each sample
    spans ``2 * L + 1`` steps.

    Parameters
    ----------
    n_samples : int
        Number of sequences.
    seq_len : int or (int, int), default=(1, 20)
        Length ``L`` of each sequence, drawn uniformly from the inclusive
        range; an int fixes it.
    n_bits : int, default=8
        Bits per vector.
    random_state : int, RandomState instance or None, default=None
        Seed for the bits and lengths.

    Returns
    -------
    X : ndarray of shape (n_samples, T, n_bits + 1), float32
        Channels ``0 .. n_bits - 1`` the bits, channel ``n_bits`` the
        delimiter; ``T = 2 * max(L) + 1``, zero-padded at the end.
    y : ndarray of shape (n_samples, T, n_bits), float32
        The bits at steps ``L + 1 .. 2 * L``; NaN at every other step.

    References
    ----------
    Graves, Wayne and Danihelka (2014), "Neural Turing Machines", section 4.1.

    Examples
    --------
    >>> X, y = make_copy(2, seq_len=3, n_bits=4, random_state=0)
    >>> X.shape, y.shape
    ((2, 7, 5), (2, 7, 4))
    >>> bool(np.array_equal(y[0, 4:], X[0, :3, :4]))
    True
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    lo, hi = _check_range("seq_len", seq_len, 1)
    n_bits = _check_int("n_bits", n_bits, 1)
    rng = check_random_state(random_state)

    lengths = rng.randint(lo, hi + 1, size=n_samples)
    X, y = _allocate(2 * lengths + 1, n_bits + 1, n_bits)
    for i, L in enumerate(lengths):
        bits = rng.randint(0, 2, size=(L, n_bits))
        X[i, :L, :n_bits] = bits
        X[i, L, n_bits] = 1.0  # delimiter
        y[i, L + 1:2 * L + 1] = bits
    return X, y


def make_repeat_copy(n_samples, *, seq_len=(1, 10), n_repeats=(1, 10), n_bits=8,
                     repeat_scale=10.0, random_state=None):
    """Repeat copy task: reproduce a sequence a given number of times, then stop.

    The input shows ``L`` random vectors of ``n_bits`` bits, then one step
    carrying a delimiter flag and, on a separate channel, the number of
    repeats ``R`` scaled to ``R / repeat_scale``. The answer is the sequence
    ``R`` times in a row followed by one step raising an end marker on an
    extra output channel. Each sample spans ``L + 1 + L * R + 1`` steps.

    Parameters
    ----------
    n_samples : int
        Number of sequences.
    seq_len : int or (int, int), default=(1, 10)
        Length ``L``, drawn uniformly from the inclusive range; an int fixes it.
    n_repeats : int or (int, int), default=(1, 10)
        Number of repeats ``R``, drawn uniformly; an int fixes it.
    n_bits : int, default=8
        Bits per vector.
    repeat_scale : float, default=10.0
        The repeat count enters as ``R / repeat_scale`` (the paper's largest
        training count maps to 1). Keep it the same for training and test
        data so that a count means the same thing in both.
    random_state : int, RandomState instance or None, default=None
        Seed for the bits, lengths and counts.

    Returns
    -------
    X : ndarray of shape (n_samples, T, n_bits + 2), float32
        Channels ``0 .. n_bits - 1`` the bits, channel ``n_bits`` the
        delimiter, channel ``n_bits + 1`` the scaled repeat count.
    y : ndarray of shape (n_samples, T, n_bits + 1), float32
        Steps ``L + 1 .. L + L * R`` hold the repeated bits with the end
        channel 0; step ``L + L * R + 1`` holds zero bits and end channel 1;
        NaN at every other step.

    References
    ----------
    Graves, Wayne and Danihelka (2014), "Neural Turing Machines", section 4.2.

    Examples
    --------
    >>> X, y = make_repeat_copy(1, seq_len=2, n_repeats=3, n_bits=4, random_state=0)
    >>> X.shape, y.shape
    ((1, 10, 6), (1, 10, 5))
    >>> round(float(X[0, 2, 5]), 3), float(y[0, 9, 4])
    (0.3, 1.0)
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    len_lo, len_hi = _check_range("seq_len", seq_len, 1)
    rep_lo, rep_hi = _check_range("n_repeats", n_repeats, 1)
    n_bits = _check_int("n_bits", n_bits, 1)
    if isinstance(repeat_scale, bool) or not isinstance(repeat_scale, numbers.Real) \
            or not repeat_scale > 0:
        raise ValueError(f"repeat_scale must be a number > 0, got {repeat_scale!r}")
    rng = check_random_state(random_state)

    lengths = rng.randint(len_lo, len_hi + 1, size=n_samples)
    repeats = rng.randint(rep_lo, rep_hi + 1, size=n_samples)
    X, y = _allocate(lengths + 1 + lengths * repeats + 1, n_bits + 2, n_bits + 1)
    for i, (L, R) in enumerate(zip(lengths, repeats)):
        bits = rng.randint(0, 2, size=(L, n_bits))
        X[i, :L, :n_bits] = bits
        X[i, L, n_bits] = 1.0  # delimiter
        X[i, L, n_bits + 1] = R / repeat_scale  # how many copies
        end = L + 1 + L * R  # the end-marker step
        y[i, L + 1:end + 1] = 0.0
        y[i, L + 1:end, :n_bits] = np.tile(bits, (R, 1))
        y[i, end, n_bits] = 1.0
    return X, y


def make_associative_recall(n_samples, *, n_items=(2, 6), item_len=3, n_bits=6,
                            random_state=None):
    """Associative recall: given one item of a list, produce the item after it.

    An item is ``item_len`` random vectors of ``n_bits`` bits. The input
    shows ``K`` distinct items, each preceded by an item-delimiter step, then
    a query (a copy of one of the first ``K - 1`` items, chosen uniformly)
    between two query-delimiter steps. The answer is the item that followed
    the query in the list, on the ``item_len`` steps after the second query
    delimiter. Each sample spans ``(K + 1) * (item_len + 1) + 1 + item_len``
    steps.

    Parameters
    ----------
    n_samples : int
        Number of sequences.
    n_items : int or (int, int), default=(2, 6)
        Number of items ``K``, drawn uniformly; an int fixes it. At least 2.
    item_len : int, default=3
        Vectors per item.
    n_bits : int, default=6
        Bits per vector.
    random_state : int, RandomState instance or None, default=None
        Seed for the items, counts and queries.

    Returns
    -------
    X : ndarray of shape (n_samples, T, n_bits + 2), float32
        Channels ``0 .. n_bits - 1`` the bits, channel ``n_bits`` the item
        delimiter, channel ``n_bits + 1`` the query delimiter.
    y : ndarray of shape (n_samples, T, n_bits), float32
        The answer item on its ``item_len`` steps; NaN at every other step.

    References
    ----------
    Graves, Wayne and Danihelka (2014), "Neural Turing Machines", section 4.3.

    Examples
    --------
    >>> X, y = make_associative_recall(1, n_items=3, random_state=0)
    >>> X.shape, y.shape
    ((1, 20, 8), (1, 20, 6))
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    lo, hi = _check_range("n_items", n_items, 2)
    item_len = _check_int("item_len", item_len, 1)
    n_bits = _check_int("n_bits", n_bits, 1)
    if 2 ** (item_len * n_bits) < hi:
        raise ValueError(f"{hi} distinct items need more than item_len * n_bits = "
                         f"{item_len * n_bits} bits")
    rng = check_random_state(random_state)

    counts = rng.randint(lo, hi + 1, size=n_samples)
    step = item_len + 1  # a delimiter, then the item
    X, y = _allocate((counts + 1) * step + 1 + item_len, n_bits + 2, n_bits)
    for i, K in enumerate(counts):
        items = rng.randint(0, 2, size=(K, item_len, n_bits))
        while len(np.unique(items.reshape(K, -1), axis=0)) < K:  # distinct, so the answer is unique
            items = rng.randint(0, 2, size=(K, item_len, n_bits))
        query = rng.randint(K - 1)
        for k in range(K):
            X[i, k * step, n_bits] = 1.0  # item delimiter
            X[i, k * step + 1:(k + 1) * step, :n_bits] = items[k]
        start = K * step  # query delimiter, query, query delimiter
        X[i, start, n_bits + 1] = 1.0
        X[i, start + 1:start + step, :n_bits] = items[query]
        X[i, start + step, n_bits + 1] = 1.0
        y[i, start + step + 1:start + step + 1 + item_len] = items[query + 1]
    return X, y
