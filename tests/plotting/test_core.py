import matplotlib
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skmem import MemN2NClassifier, RNNClassifier
from skmem.datasets import make_babi
from skmem.plotting import plot_attention, plot_history, plot_story_attention
from skmem.preprocessing import StoryVectorizer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def story_pipeline():
    X, y = make_babi(1, 60, random_state=0)
    pipe = make_pipeline(StoryVectorizer(memory_size=4), MemN2NClassifier(max_epochs=2, random_state=0))
    return pipe.fit(X, y), X, y


def test_plot_attention_draws_the_weights_with_labels():
    weights = np.array([[0.7, 0.3, 0.0], [0.1, 0.1, 0.8]])
    ax = plot_attention(weights, x_labels=["a", "b", "c"], y_labels=["r1", "r2"], title="t")
    np.testing.assert_allclose(ax.images[0].get_array(), weights)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["r1", "r2"]
    assert ax.get_title() == "t"


@pytest.mark.parametrize("kwargs, match", [
    ({"x_labels": ["a"]}, "x_labels has 1 labels"),
    ({"y_labels": ["a", "b", "c"]}, "y_labels has 3 labels"),
])
def test_plot_attention_rejects_labels_of_the_wrong_length(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_attention(np.ones((2, 2)), **kwargs)


def test_plot_attention_rejects_non_matrices():
    with pytest.raises(ValueError, match="2-D"):
        plot_attention(np.ones(3))


def test_story_attention_rows_are_the_kept_sentences(story_pipeline):
    pipe, X, y = story_pipeline
    index = int(np.argmax([len(s) for s in X["story"]]))  # longer than memory_size=4
    ax = plot_story_attention(pipe, X, index=index, y=y)
    kept = list(X["story"].iloc[index])[-4:]
    assert [t.get_text() for t in ax.get_yticklabels()] == kept
    assert [t.get_text() for t in ax.get_xticklabels()] == ["hop 1", "hop 2", "hop 3"]
    expected = pipe[-1].attention(pipe[:-1].transform(X.iloc[[index]]))[0].T
    np.testing.assert_allclose(ax.images[0].get_array(), expected, rtol=1e-6)
    assert X["question"].iloc[index] in ax.get_title()
    assert f"(true: {y[index]})" in ax.get_title()


def test_story_attention_of_a_bare_estimator_labels_slots(story_pipeline):
    pipe, X, _ = story_pipeline
    Xt = pipe[:-1].transform(X.iloc[:5])
    ax = plot_story_attention(pipe[-1], Xt, index=2)
    n_filled = int(np.asarray(Xt["story"][2]).any(axis=-1).sum())
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"slot {i}" for i in range(n_filled)]


def test_story_attention_needs_an_attention_model():
    X, y = np.random.RandomState(0).randint(2, 5, (20, 4)), np.arange(20) % 2
    clf = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="no attention method"):
        plot_story_attention(clf, X)


def test_plot_history_of_estimator_pipeline_and_list(story_pipeline):
    pipe, _, _ = story_pipeline
    ax = plot_history(pipe)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), pipe[-1].history_[:, "train_loss"])
    ax = plot_history([{"epoch": 1, "a": 1.0}, {"epoch": 2, "a": 0.5}], keys=["a"])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.0, 0.5])


def test_plot_history_names_missing_keys(story_pipeline):
    pipe, _, _ = story_pipeline
    with pytest.raises(ValueError, match="recorded keys"):
        plot_history(pipe, keys=["valid_loss"])
    with pytest.raises(ValueError, match="fitted skmem estimator"):
        plot_history(42)
