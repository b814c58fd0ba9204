import numpy as np
import pytest

from skmem.datasets import make_associative_recall, make_copy, make_repeat_copy

GENERATORS = [make_copy, make_repeat_copy, make_associative_recall]


def _target_steps(y):
    """Steps of each sample that carry a target (rows fully non-NaN)."""
    mask = ~np.isnan(y)
    assert (mask.all(-1) == mask.any(-1)).all()  # a step is all target or all NaN
    return mask.all(-1)


@pytest.mark.parametrize("make", GENERATORS)
def test_dtypes_determinism_and_binary_values(make):
    X, y = make(20, random_state=0)
    X2, y2 = make(20, random_state=0)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert X.shape[:2] == y.shape[:2]
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(20, random_state=1)[0])
    assert set(np.unique(y[_target_steps(y)])) <= {0.0, 1.0}
    assert make(5, random_state=np.random.RandomState(3))[0].shape[0] == 5


@pytest.mark.parametrize("make", GENERATORS)
def test_global_rng_untouched(make):
    state = np.random.get_state()[1].copy()
    make(3, random_state=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_copy_target_is_input_after_delimiter():
    X, y = make_copy(50, seq_len=(1, 20), n_bits=8, random_state=0)
    assert X.shape[2] == 9 and y.shape[2] == 8
    target = _target_steps(y)
    lengths = X[:, :, 8].argmax(1)  # the delimiter step is L
    assert X.shape[1] == 2 * lengths.max() + 1
    assert len(set(lengths)) > 5  # lengths vary
    for i, L in enumerate(lengths):
        assert X[i, :, 8].sum() == 1
        np.testing.assert_array_equal(y[i, L + 1:2 * L + 1], X[i, :L, :8])
        assert target[i].sum() == L and target[i, L + 1:2 * L + 1].all()
        assert not X[i, L + 1:].any()  # nothing but zeros after the delimiter


def test_copy_fixed_length():
    X, y = make_copy(4, seq_len=5, n_bits=3, random_state=0)
    assert X.shape == (4, 11, 4) and y.shape == (4, 11, 3)
    assert (X[:, 5, 3] == 1).all()


def test_repeat_copy_repeats_and_ends():
    X, y = make_repeat_copy(40, seq_len=(1, 5), n_repeats=(1, 6), n_bits=4, random_state=0)
    assert X.shape[2] == 6 and y.shape[2] == 5
    target = _target_steps(y)
    for i in range(len(X)):
        L = int(X[i, :, 4].argmax())
        R = int(round(X[i, L, 5] * 10))
        assert 1 <= L <= 5 and 1 <= R <= 6
        seq = X[i, :L, :4]
        end = L + 1 + L * R
        np.testing.assert_array_equal(y[i, L + 1:end, :4], np.tile(seq, (R, 1)))
        assert not y[i, L + 1:end, 4].any()
        np.testing.assert_array_equal(y[i, end], [0, 0, 0, 0, 1])
        assert target[i].sum() == L * R + 1


def test_repeat_copy_scale():
    X, _ = make_repeat_copy(2, seq_len=2, n_repeats=4, repeat_scale=8, random_state=0)
    np.testing.assert_allclose(X[:, 2, -1], 0.5)


def test_associative_recall_answers_the_next_item():
    item_len, n_bits = 3, 6
    X, y = make_associative_recall(40, n_items=(2, 6), item_len=item_len, n_bits=n_bits,
                                   random_state=0)
    assert X.shape[2] == n_bits + 2 and y.shape[2] == n_bits
    target = _target_steps(y)
    step = item_len + 1
    for i in range(len(X)):
        starts = np.flatnonzero(X[i, :, n_bits])  # item delimiters
        queries = np.flatnonzero(X[i, :, n_bits + 1])  # two query delimiters
        K = len(starts)
        assert 2 <= K <= 6 and len(queries) == 2
        np.testing.assert_array_equal(starts, np.arange(K) * step)
        items = np.stack([X[i, s + 1:s + step, :n_bits] for s in starts])
        assert len(np.unique(items.reshape(K, -1), axis=0)) == K  # distinct items
        query = X[i, queries[0] + 1:queries[1], :n_bits]
        k = [j for j in range(K) if np.array_equal(items[j], query)]
        assert len(k) == 1 and k[0] < K - 1
        answer = slice(queries[1] + 1, queries[1] + 1 + item_len)
        np.testing.assert_array_equal(y[i, answer], items[k[0] + 1])
        assert target[i].sum() == item_len and target[i, answer].all()


def test_associative_recall_fixed_count_shape():
    X, y = make_associative_recall(3, n_items=4, item_len=2, n_bits=3, random_state=0)
    assert X.shape == (3, 5 * 3 + 1 + 2, 5) and y.shape == (3, 18, 3)


@pytest.mark.parametrize("make, kwargs", [
    (make_copy, dict(n_samples=0)),
    (make_copy, dict(n_samples=2.5)),
    (make_copy, dict(seq_len=0)),
    (make_copy, dict(seq_len=(5, 2))),
    (make_copy, dict(seq_len=(1, 2, 3))),
    (make_copy, dict(seq_len=True)),
    (make_copy, dict(n_bits=0)),
    (make_repeat_copy, dict(n_repeats=(0, 3))),
    (make_repeat_copy, dict(repeat_scale=0)),
    (make_repeat_copy, dict(seq_len="10")),
    (make_associative_recall, dict(n_items=1)),
    (make_associative_recall, dict(item_len=0)),
    (make_associative_recall, dict(n_items=5, item_len=1, n_bits=2)),  # only 4 distinct items
])
def test_bad_arguments(make, kwargs):
    kwargs.setdefault("n_samples", 3)
    with pytest.raises(ValueError):
        make(kwargs.pop("n_samples"), **kwargs)
