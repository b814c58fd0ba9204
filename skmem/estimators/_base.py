"""The plumbing every skmem estimator shares.

An estimator is a plain scikit-learn ``BaseEstimator`` with explicit
hyperparameters. ``fit`` validates the input, encodes the target, seeds
torch from ``random_state`` and trains a skorch ``NeuralNet`` that it keeps
in ``net_``. Training is skorch's: callbacks, history, device handling.
Batches are cut from tensors by index, never collated sample by sample.
"""

import copy
import numbers
from collections.abc import Mapping

import numpy as np
import torch
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, GradientNormClipping, ProgressBar
from skorch.dataset import ValidSplit
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset

from skmem.estimators._accelerate import _accelerated_net_class, _as_batch, _check_accelerator

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


# --------------------------------------------------------------------------
# The fast data path: a dataset of tensors and an iterator that slices them.
# --------------------------------------------------------------------------


def _take(data, idx):
    if isinstance(data, Mapping):
        return {key: value[idx] for key, value in data.items()}
    return data[idx]


class TensorDataset(Dataset):
    """Inputs (a tensor or a dict of tensors) and an optional target tensor.

    ``take(idx)`` returns a whole batch by fancy indexing; ``__getitem__``
    exists for torch's ``DataLoader`` and other generic consumers.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y
        first = next(iter(X.values())) if isinstance(X, Mapping) else X
        self.n = len(first)

    def __len__(self):
        return self.n

    def take(self, idx):
        y = self.y[idx] if self.y is not None else torch.zeros(len(idx))
        return _take(self.X, idx), y

    def __getitem__(self, i):
        return self.take(torch.as_tensor([i]))

    def __getitems__(self, indices):
        return self.take(torch.as_tensor(indices))


class BatchIterator:
    """Yield ``(X, y)`` batches of a :class:`TensorDataset` (or a ``Subset``
    of one) by slicing its tensors with a permutation: no per-sample work."""

    def __init__(self, dataset, batch_size=32, shuffle=False, drop_last=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last

    def _base_and_indices(self):
        dataset, idx = self.dataset, None
        while isinstance(dataset, Subset):
            sub = torch.as_tensor(dataset.indices)
            idx = sub if idx is None else sub[idx]
            dataset = dataset.dataset
        if idx is None:
            idx = torch.arange(len(dataset))
        return dataset, idx

    def __len__(self):
        n, bs = len(self.dataset), self.batch_size
        return n // bs if self.drop_last else -(-n // bs)

    def __iter__(self):
        dataset, idx = self._base_and_indices()
        if self.shuffle:
            idx = idx[torch.randperm(len(idx))]
        stop = len(idx) - len(idx) % self.batch_size if self.drop_last else len(idx)
        for start in range(0, stop, self.batch_size):
            yield dataset.take(idx[start : start + self.batch_size])


# --------------------------------------------------------------------------
# Input validation.
# --------------------------------------------------------------------------


def _length(y):
    return len(y) if hasattr(y, "__len__") else np.asarray(y).shape[0]


def _known_tokens(X, vocab_size, what):
    """Check token ids and map those never seen in fit to the unknown id, 1."""
    if X.size and X.min() < 0:
        raise ValueError(f"{what} must be non-negative (0 is padding).")
    return np.where(X >= vocab_size, 1, X).astype(np.int64)


def _to_tensor(array):
    # Copy, so the user's array is never shared with (or written by) torch.
    return torch.tensor(np.ascontiguousarray(array))


def _silent(*args, **kwargs):
    """A sink for skorch messages that prints nothing (picklable, unlike a lambda)."""


class _EarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` that can keep its best epoch across the
    ``partial_fit`` calls of one net (skorch's starts afresh at each call).

    Restarts are compared after a few epochs and the best one is then
    trained on by a second call (``resume`` set for that call): the weights
    restored at the end must be those of the best epoch of the whole run,
    which may come before the comparison. The second call gets a fresh
    patience. Without ``resume`` (a user's own ``partial_fit`` calls) each
    call starts afresh, as skorch's does.
    """

    resume = False

    def on_train_begin(self, net, **kwargs):
        if not self.resume or getattr(self, "best_model_weights_", None) is None:
            return super().on_train_begin(net, **kwargs)
        self.misses_ = 0


class _ValidSplit(ValidSplit):
    """skorch's ``ValidSplit``, stratified only where it can be: every class
    with two samples or more and fewer classes than samples on either side."""

    def __call__(self, dataset, y=None, groups=None):
        if self.stratified and y is not None:
            counts = np.unique(np.asarray(y), return_counts=True)[1]
            n_valid = int(np.ceil(self.cv * len(y)))
            if counts.min() < 2 or len(counts) > min(n_valid, len(y) - n_valid):
                split = copy.copy(self)
                split.stratified = False
                return split(dataset, y, groups)
        return super().__call__(dataset, y, groups)


class NeuralEstimator(BaseEstimator):
    """Base class of skmem estimators; not for direct use.

    Subclasses define ``__init__`` with their hyperparameters (those of the
    base included), the torch module class ``_module`` and
    ``_module_params()``, which maps hyperparameters and fitted sizes to the
    module's constructor arguments.

    Input kinds: an integer array ``(n, T)`` holds token ids, 0 being padding;
    a float array ``(n, T)`` holds univariate series, ``(n, T, F)``
    multivariate ones; a dict (or skorch ``SliceDict``) of arrays feeds a
    module with named inputs, such as ``story`` and ``question``.
    """

    _module = None
    _task = None  # "classifier" or "regressor"
    _named_inputs = False  # whether X may be a dict of arrays

    # ------------------------------------------------------------ hooks
    def _module_params(self):
        raise NotImplementedError

    def _input_params(self):
        """Data-derived module arguments shared by the sequence models."""
        tokens = self.input_kind_ == "tokens"
        return {
            "n_inputs": self.vocab_size_ if tokens else self.n_channels_,
            "n_outputs": self._module_outputs(),
            "tokens": tokens,
        }

    def _criterion(self):
        raise NotImplementedError

    def _default_callbacks(self):
        """Callbacks an architecture always needs (e.g. its LR schedule)."""
        return []

    def _net_class(self):
        """The skorch net class; ``accelerator`` mixes ``AccelerateMixin`` into it."""
        return NeuralNet

    def _net_params(self):
        """Arguments of the skorch net beyond the shared ones (its dataset,
        iterators, the net class's own parameters); they take precedence."""
        return {}

    def _clipping_callback(self):
        """The callback that applies ``clip_grad_norm`` (global norm here)."""
        return GradientNormClipping(gradient_clip_value=self.clip_grad_norm)

    # ------------------------------------------------------------ input
    def _validate_input(self, X, *, reset):
        """Return X as a tensor, or a dict of tensors for named inputs."""
        if isinstance(X, Mapping) and not issparse(X):  # a DOK matrix is a dict
            if not self._named_inputs:
                raise ValueError(
                    f"{type(self).__name__} takes an array, not a dict of inputs; "
                    f"use StoryVectorizer(flatten=True) for stories."
                )
            return self._validate_dict(X, reset=reset)
        X = validate_data(self, X, dtype="numeric", allow_nd=True, reset=reset)
        if X.ndim > 3:
            raise ValueError(
                f"Expected X of shape (n_samples, n_steps) or "
                f"(n_samples, n_steps, n_features), got {X.ndim} dimensions."
            )
        kind = "tokens" if X.dtype.kind in "iu" else "series"
        if kind == "tokens" and X.ndim == 3:
            raise ValueError("Token ids must be a 2-D array (n_samples, n_steps).")
        n_channels = X.shape[2] if X.ndim == 3 else 1
        if reset:
            self.input_kind_ = kind
            self.n_channels_ = n_channels
        elif kind != self.input_kind_:
            fitted = "token ids" if self.input_kind_ == "tokens" else "float series"
            got = "token ids (integers)" if kind == "tokens" else "floats"
            raise ValueError(f"{type(self).__name__} was fitted on {fitted} but got {got}.")
        elif n_channels != self.n_channels_:
            raise ValueError(
                f"X has {n_channels} features per step, but {type(self).__name__} "
                f"is expecting {self.n_channels_} features per step as input."
            )
        if kind == "tokens":
            X = self._validate_tokens(X, reset=reset)
        else:
            X = X.astype(np.float32)
        return _to_tensor(X)

    def _validate_tokens(self, X, *, reset):
        if reset:
            self.vocab_size_ = max(int(X.max(initial=0)) + 1, 2)
        return _known_tokens(X, self.vocab_size_, "Token ids")

    def _validate_dict(self, X, *, reset):
        name = type(self).__name__
        if len(X) == 0:
            raise ValueError(f"{name} got an empty dict of inputs.")
        arrays = {}
        for key, value in X.items():
            value = np.asarray(value)
            if value.dtype.kind not in "iuf" or value.dtype.kind == "f" and not np.isfinite(value).all():
                raise ValueError(
                    f"Input {key!r} must be a finite numeric array, got dtype {value.dtype}."
                )
            if value.ndim < 1 or len(value) == 0:
                raise ValueError(f"Input {key!r} is empty.")
            arrays[key] = value
        lengths = {key: len(value) for key, value in arrays.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"Inputs have different numbers of samples: {lengths}.")
        shapes = {key: value.shape[1:] for key, value in arrays.items()}
        if reset:
            self.input_shapes_ = shapes
            ids = [v for v in arrays.values() if v.dtype.kind in "iu"]
            self.vocab_size_ = max([int(v.max(initial=0)) + 1 for v in ids] + [2])
        else:
            if set(shapes) != set(self.input_shapes_):
                raise ValueError(
                    f"{name} was fitted on inputs {sorted(self.input_shapes_)}, "
                    f"got {sorted(shapes)}."
                )
            for key, shape in shapes.items():
                if len(shape) != len(self.input_shapes_[key]):
                    raise ValueError(
                        f"Input {key!r} has shape {shape} per sample, "
                        f"{name} is expecting {self.input_shapes_[key]}."
                    )
        out = {}
        for key, value in arrays.items():
            if value.dtype.kind in "iu":
                value = _known_tokens(value, self.vocab_size_, f"Token ids in {key!r}")
            else:
                value = value.astype(np.float32)
            out[key] = _to_tensor(value)
        return out

    def _validate_target(self, y, *, reset, **kwargs):
        """Check ``y`` and return it as a tensor for the criterion."""
        raise NotImplementedError

    # ------------------------------------------------------------ net
    def _seed(self, first):
        # Continued training draws a new, still reproducible, seed.
        offset = 0 if first else len(self.net_.history)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        return (seed + offset) % np.iinfo(np.int32).max

    def _rng_context(self):
        devices = []
        device = self.accelerator.device if self.accelerator is not None else self.device
        if str(device).startswith("cuda") and torch.cuda.is_available():
            device = torch.device(device)
            devices = [device.index if device.index is not None else torch.cuda.current_device()]
        return torch.random.fork_rng(devices=devices)

    def _optimizer(self):
        if isinstance(self.optimizer, str):
            try:
                return OPTIMIZERS[self.optimizer.lower()]
            except KeyError:
                raise ValueError(
                    f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch "
                    f"optimizer class, got {self.optimizer!r}."
                ) from None
        return self.optimizer

    def _callbacks(self):
        callbacks = list(self._default_callbacks())
        if self.clip_grad_norm is not None:
            callbacks.append(("clip_grad_norm", self._clipping_callback()))
        if self.verbose:
            callbacks.append(("progress_bar", ProgressBar()))
        # The user's callbacks are copied: fitting never mutates parameters.
        callbacks.extend(copy.deepcopy(list(self.callbacks or [])))
        return callbacks

    def _train_split(self):
        fraction = self.validation_fraction
        if fraction is None:
            return None
        if not (isinstance(fraction, numbers.Real) and 0.0 < fraction < 1.0):
            raise ValueError(
                f"validation_fraction must be None or in (0, 1), got {fraction!r}."
            )
        return _ValidSplit(
            fraction,
            stratified=self._task == "classifier",
            random_state=check_random_state(self.random_state).randint(np.iinfo(np.int32).max),
        )

    def _check_params(self):
        for name in ("max_epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not isinstance(self.lr, numbers.Real) or not np.isfinite(self.lr) or self.lr <= 0:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}.")
        if self.accelerator is not None:
            _check_accelerator(self.accelerator)
        if hasattr(self, "n_iter_no_change"):
            self._check_early_stopping()

    def _accelerate_params(self):
        """Net arguments that hand training to ``self.accelerator``."""
        params = {
            "accelerator": self.accelerator,
            # accelerate shards (and places) torch DataLoaders across processes
            "iterator_train": DataLoader,
            "iterator_train__collate_fn": _as_batch,
            "iterator_valid": DataLoader,
            "iterator_valid__collate_fn": _as_batch,
            # skorch prints through the accelerator (main process only) even
            # when verbose=0 unless the sink is silent
            "callbacks__print_log__sink": self.accelerator.print if self.verbose else _silent,
        }
        if self.accelerator.device_placement:
            if self.device is not None and str(self.device) != "cpu":
                raise ValueError(
                    f"The accelerator places the model on its device "
                    f"({self.accelerator.device}); leave device at its default, or "
                    f"create the Accelerator with device_placement=False to use "
                    f"device={self.device!r}."
                )
            params["device"] = None
        return params

    def _net_device(self):
        """The device holding the fitted network's weights."""
        return next(self.net_.module_.parameters()).device

    def _build_net(self):
        module_params = {f"module__{k}": v for k, v in self._module_params().items()}
        params = dict(
            module=self._module,
            criterion=self._criterion(),
            optimizer=self._optimizer(),
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            dataset=TensorDataset,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_valid=BatchIterator,
            train_split=self._train_split(),
            callbacks=self._callbacks(),
            predict_nonlinearity=None,
            device=self.device,
            verbose=self.verbose,
            **module_params,
        )
        params.update(self._net_params())
        net_class = self._net_class()
        if self.accelerator is not None:
            net_class = _accelerated_net_class(net_class)
            params.update(self._accelerate_params())
        return net_class(**params)

    def _fit(self, X, y, *, partial, target_params=None, **fit_params):
        self._check_params()
        first = not (partial or self.warm_start) or not hasattr(self, "net_")
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        X = self._validate_input(X, reset=first)
        n_samples = len(next(iter(X.values()))) if isinstance(X, Mapping) else len(X)
        if _length(y) != n_samples:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {n_samples} and "
                f"{_length(y)}."
            )
        y = self._validate_target(y, reset=first, **(target_params or {}))
        epochs = 1 if partial else None
        with self._rng_context():
            if first:
                self.net_ = self._train_restarts(X, y, epochs, fit_params)
            else:
                torch.manual_seed(self._seed(first))
                self.net_.partial_fit(X, y, epochs=epochs, **fit_params)
        self.history_ = self.net_.history
        return self

    def _n_init(self):
        """How many differently seeded models to train, keeping the best: the
        ``n_init`` parameter of the estimators that have one, else 1."""
        n_init = getattr(self, "n_init", 1)
        if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
            raise ValueError(f"n_init must be a positive integer, got {n_init!r}.")
        return n_init

    def _check_early_stopping(self):
        """Check ``n_iter_no_change`` (patience on the validation split) of
        the estimators that have it."""
        patience = self.n_iter_no_change
        if patience is None:
            return
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(
                f"n_iter_no_change must be None or a positive integer, got {patience!r}."
            )
        if self.validation_fraction is None:
            raise ValueError(
                "n_iter_no_change stops on the validation split; set validation_fraction "
                "(e.g. 0.1) or n_iter_no_change=None."
            )

    def _restart_loss(self, net):
        """What picks the best of the ``_n_init()`` restarts (lower is better)."""
        return net.history[-1, "train_loss"]

    _screening_after = None  # epochs after which restarts are compared on the validation split

    def _screening_epochs(self, epochs):
        """Epochs after which the restarts are compared, or ``None`` to train
        each to the end; the best one alone trains the rest. By default
        ``_screening_after`` epochs when there is a validation split and
        training is longer than that."""
        after = self._screening_after
        if after is None or getattr(self, "validation_fraction", None) is None or epochs <= after:
            return None
        return after

    def _train_restarts(self, X, y, epochs, fit_params):
        """Train ``_n_init()`` fresh nets; keep the one of lowest ``_restart_loss``."""
        total = self.max_epochs if epochs is None else epochs
        screen = self._screening_epochs(total) if self._n_init() > 1 else None
        best, best_loss = None, np.inf
        for restart in range(self._n_init()):
            torch.manual_seed(self._seed(True) + restart)
            net = self._build_net()
            net.initialize()
            net.partial_fit(X, y, epochs=total if screen is None else screen, **fit_params)
            loss = self._restart_loss(net)
            if best is None or loss < best_loss:
                best, best_loss = net, loss
        if screen is not None and len(best.history) == screen:  # not stopped early
            stopping = [cb for _, cb in best.callbacks_ if isinstance(cb, _EarlyStopping)]
            for callback in stopping:  # the best epoch may be one before the screen
                callback.resume = True
            try:
                best.partial_fit(X, y, epochs=total - screen, **fit_params)
            finally:
                for callback in stopping:
                    del callback.resume
        return best

    def fit(self, X, y, **fit_params):
        """Train the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features), or dict
            Token ids (integers, 0 = padding) or float series; a dict of
            arrays for models with named inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target.
        **fit_params : dict
            Passed to the skorch net's ``fit``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, partial=False, **fit_params)

    def _forward(self, X):
        """Raw module output for validated ``X``, on the CPU."""
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        out = self.net_.forward(X, training=False, device="cpu")
        # A module returning a tuple (e.g. logits and attention) predicts from the first.
        return out[0] if isinstance(out, tuple) else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.dict = self._named_inputs
        tags.non_deterministic = False
        return tags


class NeuralClassifier(ClassifierMixin, NeuralEstimator):
    """Base of the classifiers: label encoding, probabilities, accuracy."""

    _task = "classifier"

    def _criterion(self):
        return nn.CrossEntropyLoss

    def _validate_target(self, y, *, reset, classes=None):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset:
            self.classes_ = np.unique(y if classes is None else classes)
            self.n_classes_ = len(self.classes_)
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        unseen = self.classes_[codes] != y
        if unseen.any():
            raise ValueError(
                f"y contains labels not seen in the first fit: "
                f"{np.unique(y[unseen]).tolist()}; pass every class to "
                f"partial_fit with `classes`."
            )
        return torch.as_tensor(codes, dtype=torch.int64)

    def _module_outputs(self):
        return self.n_classes_

    def partial_fit(self, X, y, classes=None, **fit_params):
        """Train for one epoch, initialising the model on the first call.

        Parameters
        ----------
        X : array-like or dict
            As in :meth:`fit`.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like, default=None
            Every class; needed on the first call when ``y`` lacks some.
        **fit_params : dict
            Passed to the skorch net.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(
            X, y, partial=True, target_params={"classes": classes}, **fit_params
        )

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or dict
            As in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        logits = self._forward(X)
        return torch.softmax(logits.double(), dim=-1).numpy()

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like or dict
            As in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        codes = self._forward(X).argmax(dim=-1).numpy()
        return self.classes_[codes]


class NeuralRegressor(RegressorMixin, NeuralEstimator):
    """Base of the regressors: single- and multi-output targets, R^2 score."""

    _task = "regressor"

    def _criterion(self):
        return nn.MSELoss

    def _validate_target(self, y, *, reset):
        y = check_array(
            y, ensure_2d=False, dtype="numeric", input_name="y", ensure_min_samples=1
        )
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if reset:
            self.n_outputs_ = n_outputs
            self.target_ndim_ = y.ndim
        elif n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} outputs, but {type(self).__name__} was fitted "
                f"with {self.n_outputs_}."
            )
        return torch.tensor(y.reshape(len(y), -1), dtype=torch.float32)

    def _module_outputs(self):
        return self.n_outputs_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def partial_fit(self, X, y, **fit_params):
        """Train for one epoch, initialising the model on the first call.

        Parameters
        ----------
        X : array-like or dict
            As in :meth:`fit`.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        **fit_params : dict
            Passed to the skorch net.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(X, y, partial=True, **fit_params)

    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : array-like or dict
            As in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Follows the shape of the ``y`` seen in fit.
        """
        out = self._forward(X).double().numpy()
        return out.ravel() if self.target_ndim_ == 1 else out


TRAINING_PARAMETERS = """\
max_epochs : int, default={max_epochs}
        Number of passes over the training data in :meth:`fit`.
    batch_size : int, default={batch_size}
        Samples per gradient step.
    lr : float, default={lr}
        Learning rate.
    optimizer : str or torch.optim.Optimizer class, default="{optimizer}"
        One of "adam", "adamw", "sgd", "rmsprop", "adagrad", or a class.
    weight_decay : float, default={weight_decay}
        L2 penalty passed to the optimizer.
    clip_grad_norm : float or None, default={clip_grad_norm}
        Clip the gradient norm to this value at every step.
    validation_fraction : float or None, default={validation_fraction}
        Fraction of the training data held out to report ``valid_loss`` in
        ``history_`` (stratified for classifiers); ``None`` holds out none.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (early stopping, LR schedules, checkpoints),
        as callback objects or ``(name, callback)`` pairs. They are copied
        at fit time.
    warm_start : bool, default=False
        Whether :meth:`fit` continues training the fitted model instead of
        starting anew.
    device : str, default="cpu"
        Torch device to train on, e.g. "cuda".
    accelerator : accelerate.Accelerator or None, default=None
        Train through Hugging Face Accelerate (skorch's
        ``skorch.hf.AccelerateMixin``): the accelerator places the model
        (leave ``device`` at its default), runs mixed precision and, under
        ``accelerate launch``, trains data-parallel over the processes it
        starts, each on its share of the batches (give ``random_state`` so
        that they split the data alike). Needs the ``accelerate`` extra:
        ``pip install "skmem[accelerate]"``.
    verbose : int, default=0
        If positive, show skorch's progress bar and epoch table.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, shuffling and dropout; the same
        value gives the same model. The global torch RNG is left unchanged."""

FITTED_ATTRIBUTES = """\
net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch and per-batch training records (``history_[:, "train_loss"]``)."""


def fill_doc(**defaults):
    """Fill the shared parameter and attribute sections of a docstring."""
    values = dict(
        max_epochs=20, batch_size=32, lr=0.001, optimizer="adam",
        weight_decay=0.0, clip_grad_norm=None, validation_fraction=None,
    )
    values.update(defaults)

    def decorate(cls):
        cls.__doc__ = cls.__doc__.replace(
            "{training_parameters}", TRAINING_PARAMETERS.format(**values)
        ).replace("{fitted_attributes}", FITTED_ATTRIBUTES)
        return cls

    return decorate
