"""Training through Hugging Face Accelerate (``accelerator=``). In one CPU
process: the net is skorch's AccelerateMixin over each estimator's own net,
models learn, and fitted estimators clone, pickle and save like any other.
In two CPU processes (torch.distributed over gloo): each trains on its share
of the batches, and all end with the same model, losses and predictions."""

import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback
from skorch.hf import AccelerateMixin

import skmem
from skmem import MemN2NClassifier, NTMRegressor, RNNClassifier
from skmem.datasets import make_babi, make_copy
from skmem.preprocessing import StoryVectorizer

accelerate = pytest.importorskip("accelerate")


@pytest.fixture(scope="module")
def accelerator():
    return accelerate.Accelerator(cpu=True)


def _tokens(n=80):
    rng = np.random.RandomState(0)
    X = rng.randint(2, 8, size=(n, 6))
    return X, np.where((X == 7).any(axis=1), "seven", "none")


@pytest.fixture(scope="module")
def rnn(accelerator):
    X, y = _tokens()
    params = dict(cell="gru", hidden_size=16, max_epochs=25, lr=0.02, random_state=0)
    return RNNClassifier(**params, accelerator=accelerator).fit(X, y), params


def test_rnn_learns_through_the_accelerator(rnn, accelerator):
    clf, params = rnn
    X, y = _tokens()
    assert isinstance(clf.net_, AccelerateMixin)
    assert clf.net_.accelerator is accelerator
    assert clf.net_.device is None  # placement is the accelerator's
    assert not clf.net_._wrapped_with_accelerator  # unwrapped after training
    assert clf.score(X, y) > 0.9
    assert clf.predict_proba(X).shape == (len(X), 2)
    # the same random_state gives the same model
    again = RNNClassifier(**params, accelerator=accelerator).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_clone_get_params_and_pickle(rnn, accelerator):
    clf, _ = rnn
    X, _ = _tokens()
    assert clf.get_params()["accelerator"] is accelerator
    assert clone(clf).get_params()["accelerator"] is accelerator  # deep copy keeps it
    assert "accelerator=" in repr(clf)

    restored = pickle.loads(pickle.dumps(clf))
    assert isinstance(restored.net_, AccelerateMixin)
    assert type(restored.net_) is type(clf.net_)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_save_load_drops_the_accelerator(rnn, tmp_path):
    clf, _ = rnn
    X, _ = _tokens()
    path = tmp_path / "rnn.safetensors"
    skmem.save(clf, path)
    loaded = skmem.load(path)
    assert loaded.accelerator is None  # a choice of hardware, not part of the model
    assert not isinstance(loaded.net_, AccelerateMixin)
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), rtol=1e-6)


class _RecordPrepared(Callback):
    def on_epoch_begin(self, net, **kwargs):
        net.history.record("prepared", net._wrapped_with_accelerator)


def test_memn2n_with_validation_and_warm_start(accelerator):
    X, y = make_babi(1, n_samples=120, random_state=0)
    Xt = StoryVectorizer(memory_size=8).fit(X, y).transform(X)
    y = np.asarray(y)
    clf = MemN2NClassifier(
        embedding_dim=16, num_hops=2, max_epochs=30, lr=0.02, linear_start=0,
        validation_fraction=0.2, callbacks=[_RecordPrepared()], random_state=0,
        accelerator=accelerator,
    ).fit(Xt, y)
    assert isinstance(clf.net_, AccelerateMixin)
    assert type(clf.net_).__name__ == "AcceleratedMemoryNet"
    assert np.isfinite(clf.history_[:, "valid_loss"]).all()
    # clearly above the most frequent answer (one of six locations)
    assert clf.score(Xt, y) > 2 * np.unique(y, return_counts=True)[1].max() / len(y)
    assert clf.attention(Xt[:3]).shape == (3, 2, Xt["story"].shape[1])

    clf.partial_fit(Xt, y)  # continued training prepares the modules again
    assert len(clf.history_) == 31
    assert clf.history_[-1, "prepared"]
    assert not clf.net_._wrapped_with_accelerator


def test_ntm_regressor_with_trimmed_batches(accelerator):
    X, y = make_copy(40, seq_len=(1, 4), n_bits=3, random_state=0)
    ntm = NTMRegressor(
        loss="bce", hidden_size=16, memory_slots=8, memory_dim=6, optimizer="adam",
        lr=0.01, max_epochs=3, random_state=0, accelerator=accelerator,
    ).fit(X, y)
    assert isinstance(ntm.net_, AccelerateMixin)
    losses = ntm.history_[:, "train_loss"]
    assert losses[-1] < losses[0]
    pred = ntm.predict(X)
    assert pred.shape == y.shape and np.isfinite(pred).all()
    read, write = ntm.weightings(X[:2])
    np.testing.assert_allclose(read.sum(-1), 1.0, rtol=1e-5)
    restored = pickle.loads(pickle.dumps(ntm))
    np.testing.assert_array_equal(restored.predict(X), pred)


def test_device_is_left_to_the_accelerator(accelerator):
    X, y = _tokens(20)
    clf = RNNClassifier(hidden_size=4, max_epochs=1, device="cuda", accelerator=accelerator)
    with pytest.raises(ValueError, match="leave device at its default"):
        clf.fit(X, y)


def test_accelerator_must_be_an_accelerator():
    X, y = _tokens(20)
    with pytest.raises(ValueError, match="accelerate.Accelerator or None, got str"):
        RNNClassifier(hidden_size=4, max_epochs=1, accelerator="fp16").fit(X, y)


def test_missing_accelerate_says_how_to_install(monkeypatch, accelerator):
    monkeypatch.setitem(sys.modules, "accelerate", None)  # import accelerate fails
    X, y = _tokens(20)
    with pytest.raises(ImportError, match=r'pip install "skmem\[accelerate\]"'):
        RNNClassifier(hidden_size=4, max_epochs=1, accelerator=accelerator).fit(X, y)


_DATA_PARALLEL = textwrap.dedent("""
    import json, os, sys
    import numpy as np
    import torch
    torch.set_num_threads(1)
    from accelerate import Accelerator
    from skmem import DMNClassifier, RNNClassifier
    from skmem.datasets import make_babi
    from skmem.preprocessing import StoryVectorizer

    accelerator = Accelerator(cpu=True)
    rng = np.random.RandomState(0)
    X = rng.randint(2, 8, size=(90, 6))
    y = np.where((X == 7).any(axis=1), "seven", "none")
    rnn = RNNClassifier(cell="gru", hidden_size=16, max_epochs=15, lr=0.02, batch_size=16,
                        validation_fraction=0.2, random_state=0, accelerator=accelerator)
    rnn.fit(X, y)
    stories, answers = make_babi(1, n_samples=60, random_state=0)
    stories = StoryVectorizer(memory_size=8).fit(stories, answers).transform(stories)
    dmn = DMNClassifier(hidden_size=8, max_epochs=3, n_iter_no_change=1, random_state=0,
                        accelerator=accelerator).fit(stories, np.asarray(answers))
    train_batches = [b for b in rnn.history_[-1, "batches"] if "train_batch_size" in b]
    result = {
        "processes": accelerator.num_processes,
        "train_batches": len(train_batches),
        "weights": [float(p.detach().double().sum()) for p in rnn.net_.module_.parameters()],
        "valid_loss": rnn.history_[:, "valid_loss"],
        "score": rnn.score(X, y),
        "proba": rnn.predict_proba(X).shape,
        "dmn_valid_acc": dmn.history_[:, "valid_acc"],
        "dmn_proba": dmn.predict_proba(stories).shape,
    }
    with open(f"{sys.argv[1]}/rank{accelerator.process_index}.json", "w") as f:
        json.dump(result, f)
    accelerator.end_training()
    # the gloo process group now and then aborts the interpreter's teardown
    # ("terminate called without an active exception"), after the work is done
    os._exit(0)
""")


@pytest.mark.skipif(not torch.distributed.is_available(), reason="no torch.distributed")
def test_data_parallel_over_two_processes(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(_DATA_PARALLEL)
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         str(script), str(tmp_path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{i}.json").read_text()) for i in range(2)]
    assert ranks[0]["processes"] == 2
    # 72 training samples in batches of 16: 5 batches, shared out as 3 each
    assert ranks[0]["train_batches"] == ranks[1]["train_batches"] == 3
    for key in ("weights", "valid_loss", "score", "dmn_valid_acc"):
        assert ranks[0][key] == ranks[1][key], key  # one model, the same records
    assert ranks[0]["score"] > 0.9
    assert ranks[0]["proba"] == [90, 2]  # predictions gathered, padding dropped
    assert ranks[0]["dmn_proba"][0] == 60


_BF16 = textwrap.dedent("""
    import numpy as np
    import torch
    torch.set_num_threads(1)
    from accelerate import Accelerator
    from skmem import DMNClassifier, NTMRegressor
    from skmem.datasets import make_babi, make_copy
    from skmem.preprocessing import StoryVectorizer

    accelerator = Accelerator(cpu=True, mixed_precision="bf16")
    X, y = make_copy(64, seq_len=(1, 5), random_state=0)
    ntm = NTMRegressor(loss="bce", hidden_size=16, memory_slots=8, memory_dim=6, max_epochs=2,
                       accelerator=accelerator, random_state=0).fit(X, y)
    assert np.isfinite(ntm.predict(X)).all()
    stories, answers = make_babi(1, n_samples=60, random_state=0)
    stories = StoryVectorizer(memory_size=8).fit(stories, answers).transform(stories)
    dmn = DMNClassifier(hidden_size=8, max_epochs=2, accelerator=accelerator,
                        random_state=0).fit(stories, np.asarray(answers))
    assert np.isfinite(dmn.predict_proba(stories)).all()
""")


def test_mixed_precision_bf16(tmp_path):
    # its own process: the accelerator's state (mixed precision) is per process
    script = tmp_path / "bf16.py"
    script.write_text(_BF16)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert run.returncode == 0, run.stderr[-3000:]
