import matplotlib
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skmem import NTMClassifier, NTMRegressor, RNNClassifier
from skmem.datasets import make_copy
from skmem.plotting import plot_memory_use
from skmem.plotting._ntm import _used_slots

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TINY = dict(hidden_size=8, memory_slots=10, memory_dim=4, max_epochs=1, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_panels_show_the_sequence_and_the_weightings():
    X, y = make_copy(8, seq_len=3, n_bits=4, random_state=0)
    ntm = NTMRegressor(loss="bce", **TINY).fit(X, y)
    axes = plot_memory_use(ntm, X, index=2, y=y, slots=range(10))
    assert [ax.get_title() for ax in axes] == [
        "inputs", "targets", "outputs", "write weightings", "read weightings"]
    np.testing.assert_array_equal(axes[0].images[0].get_array(), X[2].T)
    read, write = ntm.weightings(X[2:3])
    np.testing.assert_allclose(axes[3].images[0].get_array(), write[0, :, 0].T)
    np.testing.assert_allclose(axes[4].images[0].get_array(), read[0, :, 0].T)


def test_one_answer_per_sequence_has_no_output_panel_and_pipelines_work():
    X = np.random.RandomState(0).randint(1, 5, size=(12, 4))
    pipe = make_pipeline(FunctionTransformer(), NTMClassifier(**TINY)).fit(X, X[:, 0] > 2)
    axes = plot_memory_use(pipe, X)
    assert [ax.get_title() for ax in axes] == ["inputs", "write weightings", "read weightings"]


def test_used_slots_wrap_around_the_circular_memory():
    weights = np.zeros((10, 4))
    weights[[8, 9, 0, 1], 0] = 1.0
    np.testing.assert_array_equal(_used_slots(weights), [8, 9, 0, 1])
    weights[5, 1] = 1.0  # the longest unused run is now 2..4
    np.testing.assert_array_equal(_used_slots(weights), [5, 6, 7, 8, 9, 0, 1])


def test_needs_an_ntm():
    X = np.random.RandomState(0).randint(1, 5, size=(12, 4))
    clf = RNNClassifier(hidden_size=4, max_epochs=1).fit(X, X[:, 0] > 2)
    with pytest.raises(ValueError, match="needs a fitted NTM"):
        plot_memory_use(clf, X)
