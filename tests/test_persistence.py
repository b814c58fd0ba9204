import json

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.torch import save_file
from sklearn.pipeline import make_pipeline
from skorch.callbacks import EpochTimer

import skmem
from skmem import MemN2NClassifier, MemNNClassifier, RNNClassifier, RNNRegressor
from skmem.datasets import make_babi
from skmem.preprocessing import StoryVectorizer


@pytest.fixture(scope="module")
def tokens():
    rng = np.random.RandomState(0)
    X = rng.randint(2, 7, size=(60, 6))
    return X, np.where(X[:, 0] > 3, "big", "small")


@pytest.fixture(scope="module")
def stories():
    return make_babi(1, 60, random_state=0)


def roundtrip(model, tmp_path):
    path = tmp_path / "model.safetensors"
    skmem.save(model, path)
    return skmem.load(path)


def test_classifier_round_trips_to_identical_predictions(tokens, tmp_path):
    X, y = tokens
    clf = RNNClassifier(cell="gru", hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    loaded = roundtrip(clf, tmp_path)
    assert type(loaded) is RNNClassifier and loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.history_[:, "train_loss"] == clf.history_[:, "train_loss"]


def test_regressor_with_float_windows(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5, 2).astype(np.float32), rng.randn(40, 3)
    reg = RNNRegressor(hidden_size=6, max_epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(roundtrip(reg, tmp_path).predict(X), reg.predict(X))


@pytest.mark.parametrize("estimator", [MemN2NClassifier(max_epochs=2, random_state=0),
                                       MemNNClassifier(max_epochs=2, random_state=0)])
def test_story_pipeline_keeps_vocabulary_and_tied_weights(estimator, stories, tmp_path):
    X, y = stories
    pipe = make_pipeline(StoryVectorizer(), estimator)
    fit_params = {}
    if isinstance(estimator, MemN2NClassifier):  # tie the answer matrix to the embeddings
        pipe[0].fit(X, y)
        fit_params["memn2nclassifier__vocabulary"] = pipe[0].vocabulary_
    pipe.fit(X, y, **fit_params)
    loaded = roundtrip(pipe, tmp_path)
    assert loaded[0].vocabulary_ == pipe[0].vocabulary_
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(loaded[-1].attention(loaded[0].transform(X)),
                                  pipe[-1].attention(pipe[0].transform(X)))


def test_unfitted_estimator_keeps_its_parameters(tmp_path):
    clf = RNNClassifier(hidden_size=5, lr=0.1)
    loaded = roundtrip(clf, tmp_path)
    assert loaded.get_params() == clf.get_params() and not hasattr(loaded, "net_")


def test_corrupted_file_is_a_clear_error(tokens, tmp_path):
    X, y = tokens
    path = tmp_path / "m.safetensors"
    skmem.save(RNNClassifier(hidden_size=4, max_epochs=1).fit(X, y), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        skmem.load(path)
    path.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        skmem.load(path)


def rewrite(path, edit):
    """Rewrite the model description of a saved file."""
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
        tensors = {k: handle.get_tensor(k) for k in handle.keys()}
    description = json.loads(metadata["model"])
    edit(description)
    metadata["model"] = json.dumps(description)
    save_file(tensors, str(path), metadata=metadata)


def test_mismatched_weights_and_foreign_classes_are_refused(tokens, tmp_path):
    X, y = tokens
    path = tmp_path / "m.safetensors"
    skmem.save(RNNClassifier(hidden_size=4, max_epochs=1).fit(X, y), path)
    rewrite(path, lambda d: d["__estimator__"]["params"].update(hidden_size=9))
    with pytest.raises(ValueError, match="weights do not fit"):
        skmem.load(path)
    rewrite(path, lambda d: d["__estimator__"].update({"class": "os:system"}))
    with pytest.raises(ValueError, match="Refusing to load class 'os:system'"):
        skmem.load(path)


def test_plain_safetensors_file_is_not_a_model(tmp_path):
    import torch

    path = tmp_path / "weights.safetensors"
    save_file({"w": torch.zeros(2)}, str(path))
    with pytest.raises(ValueError, match="not one written by skmem.save"):
        skmem.load(path)


def test_what_needs_pickle_is_refused_up_front(tokens, tmp_path):
    X, y = tokens
    clf = RNNClassifier(hidden_size=4, max_epochs=1, callbacks=[EpochTimer()]).fit(X, y)
    with pytest.raises(TypeError, match="callbacks cannot be saved"):
        skmem.save(clf, tmp_path / "m.safetensors")
