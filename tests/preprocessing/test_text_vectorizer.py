"""Tests for ``tokenize`` and ``TextVectorizer``."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags

from skmem.preprocessing import PAD_ID, UNK_ID, TextVectorizer, tokenize

DOCS = ["Where is Mary?", "Mary is in the garden.", "John is here!"]


# -- tokenize ---------------------------------------------------------------


def test_tokenize_splits_punctuation_and_lowercases():
    assert tokenize("Where is Mary?") == ["where", "is", "mary", "?"]
    assert tokenize("Hello, World!!", lowercase=False) == ["Hello", ",", "World", "!", "!"]
    assert tokenize("don't stop") == ["don't", "stop"]
    assert tokenize("") == []
    assert tokenize("  spaced   out ") == ["spaced", "out"]


def test_tokenize_char():
    assert tokenize("Ab c", analyzer="char") == ["a", "b", " ", "c"]


@pytest.mark.parametrize("bad", [None, 3, ["a"]])
def test_tokenize_rejects_non_strings(bad):
    with pytest.raises(ValueError, match="expects a str"):
        tokenize(bad)


def test_tokenize_rejects_unknown_analyzer():
    with pytest.raises(ValueError, match="analyzer"):
        tokenize("a", analyzer="bpe")


# -- vocabulary ---------------------------------------------------------------


def test_vocabulary_frequency_order_with_alphabetical_ties():
    vec = TextVectorizer().fit(["b a b", "c a b", "d"])
    # b: 3, a: 2, then c and d once each in alphabetical order
    assert vec.tokens_ == ["<pad>", "<unk>", "b", "a", "c", "d"]
    assert vec.vocabulary_ == {tok: i for i, tok in enumerate(vec.tokens_)}
    assert vec.vocabulary_["<pad>"] == PAD_ID == 0
    assert vec.vocabulary_["<unk>"] == UNK_ID == 1


def test_vocabulary_does_not_depend_on_document_order():
    a = TextVectorizer().fit(DOCS)
    b = TextVectorizer().fit(DOCS[::-1])
    assert a.vocabulary_ == b.vocabulary_


def test_min_freq_drops_rare_tokens():
    vec = TextVectorizer(min_freq=2).fit(DOCS)
    assert vec.tokens_ == ["<pad>", "<unk>", "is", "mary"]
    ids = vec.transform(["John is Mary"])
    np.testing.assert_array_equal(ids, [[UNK_ID, 2, 3, 0, 0, 0]])


def test_max_features_keeps_most_frequent_deterministically():
    vec = TextVectorizer(max_features=3).fit(DOCS)
    # is (3), mary (2), then ties at 1 broken alphabetically: "!" < "." < "?"
    assert vec.tokens_ == ["<pad>", "<unk>", "is", "mary", "!"]
    assert len(vec.vocabulary_) == 5


def test_lowercase_false_keeps_case():
    vec = TextVectorizer(lowercase=False).fit(["Mary mary"])
    assert set(vec.vocabulary_) == {"<pad>", "<unk>", "Mary", "mary"}


def test_char_analyzer():
    vec = TextVectorizer(analyzer="char").fit(["abca"])
    assert vec.tokens_ == ["<pad>", "<unk>", "a", "b", "c"]
    np.testing.assert_array_equal(vec.transform(["cab", "z"]), [[4, 2, 3, 0], [1, 0, 0, 0]])


# -- transform ----------------------------------------------------------------


def test_transform_shape_dtype_padding_and_unknown():
    vec = TextVectorizer().fit(DOCS)
    assert vec.max_len_ == 6  # "Mary is in the garden ."
    ids = vec.transform(["Where is Sandra?", "is"])
    assert ids.dtype == np.int64
    assert ids.shape == (2, 6)
    v = vec.vocabulary_
    np.testing.assert_array_equal(ids[0], [v["where"], v["is"], UNK_ID, v["?"], 0, 0])
    np.testing.assert_array_equal(ids[1], [v["is"], 0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    "truncation, expected", [("post", ["a", "b", "c"]), ("pre", ["c", "d", "e"])]
)
def test_truncation_sides(truncation, expected):
    vec = TextVectorizer(max_len=3, truncation=truncation).fit(["a b c d e"])
    ids = vec.transform(["a b c d e", "a"])
    assert ids.shape == (2, 3)
    assert vec.inverse_transform(ids) == [expected, ["a"]]
    np.testing.assert_array_equal(ids[1], [vec.vocabulary_["a"], 0, 0])


def test_longer_than_fit_is_truncated_to_max_len_():
    vec = TextVectorizer().fit(["a b"])
    assert vec.transform(["a b a b a"]).shape == (1, 2)


def test_empty_strings_give_all_padding():
    vec = TextVectorizer().fit(["", ""])
    assert vec.max_len_ == 1
    np.testing.assert_array_equal(vec.transform(["", "x"]), [[0], [1]])


def test_inverse_transform_round_trip():
    vec = TextVectorizer().fit(DOCS)
    assert vec.inverse_transform(vec.transform(DOCS)) == [tokenize(d) for d in DOCS]
    assert vec.inverse_transform(vec.transform(["Where is Bob"])) == [["where", "is", "<unk>"]]


def test_inverse_transform_rejects_bad_ids():
    vec = TextVectorizer().fit(DOCS)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vec.inverse_transform([[len(vec.tokens_)]])
    with pytest.raises(ValueError, match="2-D array of integer"):
        vec.inverse_transform([1.5, 2.0])


@pytest.mark.parametrize(
    "make_input",
    [
        list,
        tuple,
        np.array,
        lambda d: pd.Series(d, index=[10, 20, 30]),
        lambda d: np.array(d, dtype=object).reshape(-1, 1),
        lambda d: pd.DataFrame({"text": d}),
    ],
    ids=["list", "tuple", "ndarray", "series", "column", "dataframe"],
)
def test_input_types_give_same_result(make_input):
    expected = TextVectorizer().fit_transform(DOCS)
    np.testing.assert_array_equal(TextVectorizer().fit_transform(make_input(DOCS)), expected)


def test_input_not_modified():
    docs = list(DOCS)
    series = pd.Series(DOCS)
    TextVectorizer().fit(docs).transform(docs)
    TextVectorizer().fit(series).transform(series)
    assert docs == DOCS
    pd.testing.assert_series_equal(series, pd.Series(DOCS))


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, np.nan, 3])
def test_non_string_entries_raise(bad):
    with pytest.raises(ValueError, match="entry 1 is"):
        TextVectorizer().fit(["ok", bad])
    vec = TextVectorizer().fit(["ok"])
    with pytest.raises(ValueError, match="only strings"):
        vec.transform(["ok", bad])


@pytest.mark.parametrize("empty", [[], np.array([], dtype=object), pd.Series([], dtype=object)])
def test_empty_input_raises(empty):
    with pytest.raises(ValueError, match="empty"):
        TextVectorizer().fit(empty)


def test_single_string_and_bad_shapes_raise():
    with pytest.raises(ValueError, match="single string"):
        TextVectorizer().fit("Where is Mary?")
    with pytest.raises(ValueError, match="one text column"):
        TextVectorizer().fit(pd.DataFrame({"a": ["x"], "b": ["y"]}))
    with pytest.raises(ValueError, match="shape"):
        TextVectorizer().fit(np.array([["a", "b"]]))


@pytest.mark.parametrize(
    "params",
    [
        {"min_freq": 0},
        {"max_features": 0},
        {"max_len": 0},
        {"max_len": 2.5},
        {"analyzer": "bpe"},
        {"truncation": "middle"},
    ],
)
def test_bad_params_raise_in_fit(params):
    vec = TextVectorizer(**params)  # __init__ stores without checking
    with pytest.raises((ValueError, TypeError)):
        vec.fit(DOCS)


def test_transform_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TextVectorizer().transform(DOCS)


# -- sklearn integration --------------------------------------------------------------


def test_clone_and_pickle():
    vec = TextVectorizer(min_freq=1, max_len=4, truncation="pre").fit(DOCS)
    assert clone(vec).get_params() == vec.get_params()
    restored = pickle.loads(pickle.dumps(vec))
    np.testing.assert_array_equal(restored.transform(DOCS), vec.transform(DOCS))
    assert restored.vocabulary_ == vec.vocabulary_


def test_tags_are_truthful():
    tags = get_tags(TextVectorizer())
    assert tags.input_tags.string
    assert not tags.input_tags.two_d_array
    assert not tags.target_tags.required


def test_pipeline_and_grid_search():
    # The label is the first word; filler words follow. Only truncation="post"
    # keeps the first word when max_len=1, so the search must find it.
    rng = np.random.RandomState(0)
    fillers = ["cat", "dog", "cow", "red", "blue", "green"]
    y = rng.randint(2, size=60)
    words = [[("bad", "good")[label], *rng.choice(fillers, rng.randint(2, 5))] for label in y]
    docs = pd.Series([" ".join(w) for w in words])
    search = GridSearchCV(
        make_pipeline(TextVectorizer(max_len=1), DecisionTreeClassifier(random_state=0)),
        {"textvectorizer__truncation": ["pre", "post"]},
        cv=3,
    )
    search.fit(docs, y)
    assert search.best_params_ == {"textvectorizer__truncation": "post"}
    assert search.best_score_ == 1.0
    assert search.cv_results_["mean_test_score"][0] < 0.8  # last filler word only
    np.testing.assert_array_equal(search.predict(["good day", "bad day"]), [1, 0])
