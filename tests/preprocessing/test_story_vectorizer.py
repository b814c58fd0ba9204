"""Tests for ``StoryVectorizer``."""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags
from skorch.helper import SliceDict

from skmem.preprocessing import UNK_ID, StoryVectorizer, tokenize


def _frame():
    return pd.DataFrame(
        {
            "story": [
                ["Mary moved to the bathroom.", "John went to the hallway."],
                [
                    "Daniel went back to the hallway.",
                    "Sandra moved to the garden.",
                    "Mary went home.",
                ],
                ["John moved to the office."],
            ],
            "question": ["Where is Mary?", "Where is Sandra?", "Where is John?"],
            "supporting_facts": [[0], [1], [0]],
        },
        index=["a", "b", "c"],
    )


ANSWERS = ["bathroom", "garden", "office"]


def _make_qa(n, random_state):
    """Tiny one-supporting-fact task: the answer is where the asked person went last."""
    rng = np.random.RandomState(random_state)
    people, places = ["mary", "john", "sandra"], ["kitchen", "garden", "office"]
    stories, questions, answers = [], [], []
    for _ in range(n):
        at = {}
        story = []
        for _ in range(rng.randint(1, 5)):
            who, where = rng.choice(people), rng.choice(places)
            at[who] = where
            story.append(f"{who} went to the {where}.")
        who = rng.choice(sorted(at))
        stories.append(story)
        questions.append(f"Where is {who}?")
        answers.append(at[who])
    return pd.DataFrame({"story": stories, "question": questions}), np.array(answers)


def test_shapes_dtypes_and_attributes():
    X = _frame()
    vec = StoryVectorizer().fit(X, ANSWERS)
    Xt = vec.transform(X)
    assert isinstance(Xt, SliceDict)
    assert vec.memory_size_ == 3  # longest story, below memory_size=50
    assert vec.sentence_len_ == 7  # "daniel went back to the hallway ."
    assert Xt["story"].shape == (3, 3, 7)
    assert Xt["question"].shape == (3, 7)
    assert Xt["story"].dtype == Xt["question"].dtype == np.int64
    assert vec.tokens_[:2] == ["<pad>", "<unk>"]
    assert vec.vocabulary_ == {tok: i for i, tok in enumerate(vec.tokens_)}


def test_values_and_padding():
    X = _frame()
    vec = StoryVectorizer().fit(X)
    v = vec.vocabulary_
    Xt = vec.transform(X)
    ids = lambda text: [v[t] for t in tokenize(text)]  # noqa: E731
    # row "a": two sentences, then an all-zero slot; each sentence padded at the end
    np.testing.assert_array_equal(Xt["story"][0, 0], ids("Mary moved to the bathroom.") + [0])
    np.testing.assert_array_equal(Xt["story"][0, 1], ids("John went to the hallway.") + [0])
    np.testing.assert_array_equal(Xt["story"][0, 2], np.zeros(7))
    np.testing.assert_array_equal(Xt["question"][1], ids("Where is Sandra?") + [0, 0, 0])
    # row "c": one sentence then empty slots
    assert (Xt["story"][2, 1:] == 0).all() and (Xt["story"][2, 0] != 0).any()


def test_answers_extend_vocabulary():
    X = _frame()
    without = StoryVectorizer().fit(X)
    with_y = StoryVectorizer().fit(X, pd.Series(["apple,football", "garden", "office"]))
    assert "apple" not in without.vocabulary_
    assert {"apple", "football"} <= set(with_y.vocabulary_)
    assert "," not in with_y.vocabulary_


def test_unknown_tokens_map_to_one():
    vec = StoryVectorizer().fit(_frame())
    X_new = pd.DataFrame({"story": [["Bob flew to Paris."]], "question": ["Where is Bob?"]})
    Xt = vec.transform(X_new)
    v = vec.vocabulary_
    np.testing.assert_array_equal(Xt["story"][0, 0, :5], [UNK_ID, UNK_ID, v["to"], UNK_ID, v["."]])
    np.testing.assert_array_equal(Xt["question"][0, :4], [v["where"], v["is"], UNK_ID, v["?"]])


def test_memory_size_keeps_most_recent_sentences():
    X = pd.DataFrame({"story": [[f"fact {w}." for w in "abcdef"]], "question": ["q?"]})
    vec = StoryVectorizer(memory_size=2).fit(X)
    assert vec.memory_size_ == 2
    Xt = vec.transform(X)
    assert Xt["story"].shape == (1, 2, 3)
    assert vec.inverse_transform(Xt).loc[0, "story"] == ["fact e.", "fact f."]
    # a longer story at transform time is cut to the most recent too
    vec = StoryVectorizer(memory_size=None).fit(_frame())
    assert vec.memory_size_ == 3
    longer = pd.DataFrame(
        {
            "story": [
                [
                    "John moved to the office.",
                    "Mary went home.",
                    "Sandra moved to the garden.",
                    "Mary moved to the bathroom.",
                ]
            ],
            "question": ["Where is Mary?"],
        }
    )
    assert vec.inverse_transform(vec.transform(longer)).loc[0, "story"] == [
        "mary went home.",
        "sandra moved to the garden.",
        "mary moved to the bathroom.",
    ]


def test_sentence_len_truncates_sentences_and_question():
    vec = StoryVectorizer(sentence_len=3).fit(_frame())
    Xt = vec.transform(_frame())
    assert Xt["story"].shape[2] == Xt["question"].shape[1] == 3
    out = vec.inverse_transform(Xt)
    assert out.loc[0, "story"] == ["mary moved to", "john went to"]
    assert out.loc[0, "question"] == "where is mary"


def test_lowercase_false():
    vec = StoryVectorizer(lowercase=False).fit(_frame())
    assert "Mary" in vec.vocabulary_ and "mary" not in vec.vocabulary_


def test_flatten():
    X = _frame()
    vec = StoryVectorizer(flatten=True).fit(X)
    flat = vec.transform(X)
    assert flat.dtype == np.int64
    assert vec.flat_len_ == 7 + 6 + 4 + 4  # row "b": three sentences + question
    assert flat.shape == (3, vec.flat_len_)
    tokens = vec.inverse_transform(flat)
    expected_a = tokenize("Mary moved to the bathroom. John went to the hallway. Where is Mary?")
    assert tokens[0] == expected_a
    assert (flat[0, len(expected_a) :] == 0).all()


def test_flatten_too_long_keeps_question():
    vec = StoryVectorizer(flatten=True).fit(_frame().iloc[[2]])  # flat_len_ = 6 + 4
    X = pd.DataFrame({"story": [["John moved to the office.", "John went to the office."]],
                      "question": ["Where is John?"]})
    tokens = vec.inverse_transform(vec.transform(X))[0]
    assert len(tokens) == 10
    assert tokens[-4:] == ["where", "is", "john", "?"]
    assert tokens[:6] == ["john", "<unk>", "to", "the", "office", "."]


def test_inverse_transform_round_trip():
    X = _frame()
    vec = StoryVectorizer().fit(X)
    out = vec.inverse_transform(vec.transform(X))
    assert list(out.columns) == ["story", "question"]
    assert out.loc[1, "story"] == [
        "daniel went back to the hallway.", "sandra moved to the garden.", "mary went home."
    ]
    assert out["question"].tolist() == ["where is mary?", "where is sandra?", "where is john?"]
    # works on plain dicts and slices too
    sliced = vec.transform(X)[1:]
    assert vec.inverse_transform(dict(sliced)).loc[0, "question"] == "where is sandra?"


def test_input_not_modified():
    X = _frame()
    before = copy.deepcopy(X)
    y = list(ANSWERS)
    StoryVectorizer(memory_size=1, sentence_len=2).fit(X, y).transform(X)
    StoryVectorizer(flatten=True).fit_transform(X, y)
    pd.testing.assert_frame_equal(X, before)
    assert y == ANSWERS


def test_slicedict_slices_like_skorch_needs():
    Xt = StoryVectorizer().fit_transform(_frame())
    part = Xt[np.array([2, 0])]
    assert isinstance(part, SliceDict)
    assert len(part) == 2
    np.testing.assert_array_equal(part["story"][1], Xt["story"][0])


# -- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "story, message",
    [
        ([], "row 1 \\(index 'b'\\): story is empty"),
        (None, "row 1 \\(index 'b'\\): story is missing"),
        (np.nan, "story is missing"),
        ("Mary went home.", "single string"),
        (["ok.", 3], "story sentence 1 is 3"),
        (["ok.", "   "], "story sentence 1 is empty"),
        (5, "must be a list"),
    ],
)
def test_bad_story_rows_raise(story, message):
    X = _frame()
    X["story"] = X["story"].astype(object)
    X.at["b", "story"] = story
    with pytest.raises(ValueError, match=message):
        StoryVectorizer().fit(X)
    fitted = StoryVectorizer().fit(_frame())
    with pytest.raises(ValueError, match=message):
        fitted.transform(X)


@pytest.mark.parametrize("question", [None, "", "  ", 7])
def test_bad_question_raises(question):
    X = _frame()
    X["question"] = X["question"].astype(object)
    X.at["c", "question"] = question
    with pytest.raises(ValueError, match="row 2 \\(index 'c'\\): question must be a non-empty"):
        StoryVectorizer().fit(X)


def test_missing_columns_and_wrong_types_raise():
    with pytest.raises(ValueError, match="missing required column\\(s\\) \\['question'\\]"):
        StoryVectorizer().fit(_frame().drop(columns="question"))
    with pytest.raises(TypeError, match="pandas DataFrame"):
        StoryVectorizer().fit({"story": [["a."]], "question": ["b?"]})
    with pytest.raises(ValueError, match="empty"):
        StoryVectorizer().fit(_frame().iloc[:0])


def test_bad_answers_raise():
    with pytest.raises(ValueError, match="y has 2 answers but X has 3 rows"):
        StoryVectorizer().fit(_frame(), ["a", "b"])
    with pytest.raises(ValueError, match="entry 1 is None"):
        StoryVectorizer().fit(_frame(), ["a", None, "c"])


@pytest.mark.parametrize(
    "params", [{"memory_size": 0}, {"sentence_len": 0}, {"memory_size": 1.5}, {"flatten": "yes"}]
)
def test_bad_params_raise(params):
    with pytest.raises((ValueError, TypeError)):
        StoryVectorizer(**params).fit(_frame())


# -- sklearn integration ------------------------------------------------------------------


def test_clone_pickle_and_tags():
    vec = StoryVectorizer(memory_size=2, sentence_len=4).fit(_frame(), ANSWERS)
    assert clone(vec).get_params() == vec.get_params()
    restored = pickle.loads(pickle.dumps(vec))
    a, b = vec.transform(_frame()), restored.transform(_frame())
    np.testing.assert_array_equal(a["story"], b["story"])
    np.testing.assert_array_equal(a["question"], b["question"])
    tags = get_tags(StoryVectorizer())
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_pipeline_and_grid_search_flatten():
    X, y = _make_qa(90, random_state=0)
    search = GridSearchCV(
        make_pipeline(StoryVectorizer(flatten=True), DecisionTreeClassifier(random_state=0)),
        {"storyvectorizer__memory_size": [1, 4]},
        cv=KFold(3),
    )
    search.fit(X, y)
    assert search.best_estimator_.predict(X.iloc[:4]).shape == (4,)
    assert len(search.cv_results_["mean_test_score"]) == 2


def _concat_story_question(Xt):
    return np.hstack([Xt["story"].reshape(len(Xt["question"]), -1), Xt["question"]])


def test_pipeline_with_slicedict_output():
    X, y = _make_qa(60, random_state=1)
    pipe = make_pipeline(
        StoryVectorizer(memory_size=2),
        FunctionTransformer(_concat_story_question),
        DecisionTreeClassifier(random_state=0),
    )
    search = GridSearchCV(pipe, {"storyvectorizer__sentence_len": [3, None]}, cv=KFold(3))
    search.fit(X, y)
    fitted = search.best_estimator_[0]
    assert fitted.memory_size_ == 2
    assert search.predict(X.iloc[:5]).shape == (5,)


def test_supporting_facts_become_memory_slots():
    X = pd.DataFrame({
        "story": [["a b.", "c d.", "e f."], ["g h."]],
        "question": ["q?", "r?"],
        "supporting_facts": [[0, 2], [0]],
    })
    Xt = StoryVectorizer(memory_size=2).fit(X).transform(X)
    # Row 0 keeps sentences 1 and 2: fact 0 was cut off, fact 2 is slot 1.
    np.testing.assert_array_equal(Xt["supporting_facts"], [[-1, 1], [0, -1]])
    assert Xt["supporting_facts"].dtype == np.int64
    assert "supporting_facts" not in StoryVectorizer().fit(X).transform(X.drop(columns="supporting_facts"))


def test_supporting_fact_outside_the_story_is_an_error():
    X = pd.DataFrame({"story": [["a b."]], "question": ["q?"], "supporting_facts": [[3]]})
    with pytest.raises(ValueError, match="Row 0: supporting fact 3"):
        StoryVectorizer().fit(X).transform(X)
