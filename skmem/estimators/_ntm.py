"""Neural Turing Machine estimators.

``NTMClassifier`` and ``NTMRegressor`` take the input of the recurrent
estimators (token ids, or float series ``(n, T)`` / ``(n, T, F)``) and
answer once per sequence, read at its last step. ``NTMRegressor`` also
learns **sequence targets**: ``y`` of shape ``(n, T, n_outputs)`` with an
answer at every step of ``X`` and NaN where none is due, the form of the
algorithmic tasks in :mod:`skmem.datasets` (copy, repeat copy, associative
recall). The loss is then averaged over the due entries only.

Training never computes steps a batch does not need: each batch is cut to
the last step where one of its sequences still has a target (sequence
targets) or a token (token ids), and the training batches are drawn from
sequences of similar length (``bucket_by_length``).
"""

from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array, check_is_fitted
from torch import nn

from skmem.estimators._base import (
    OPTIMIZERS,
    BatchIterator,
    NeuralClassifier,
    NeuralRegressor,
    TensorDataset,
    fill_doc,
)
from skmem.modules._blocks import last_valid
from skmem.modules.ntm import NTM

LOSSES = ("mse", "bce")
# Optimizer arguments used when optimizer_params is None.
OPTIMIZER_DEFAULTS = {
    "rmsprop": {"momentum": 0.9, "alpha": 0.95},  # Graves et al. (2014)
}


# --------------------------------------------------------------------------
# Data path: batches cut to the steps they need, of similar lengths.
# --------------------------------------------------------------------------


class _TrimmedDataset(TensorDataset):
    """A :class:`TensorDataset` whose batches stop at their last needed step.

    A sample needs its steps up to its last due target (``per_step``
    targets with NaN elsewhere; the model is causal, so later steps change
    nothing) or, answering once per sequence, up to its last token (token
    ids, 0 being trailing padding). ``lengths`` holds these per sample, or
    is ``None`` when every step is needed (float series answered once, or
    sequence outputs asked for without targets, at prediction).
    """

    def __init__(self, X, y=None, per_step=False):
        super().__init__(X, y)
        self.per_step = per_step
        self.lengths = None
        if per_step and y is not None:
            self.lengths = last_valid(~torch.isnan(y).all(dim=2))  # (n,)
        elif not per_step and not X.is_floating_point():
            self.lengths = last_valid(X != 0)  # (n,)

    def take(self, idx):
        if self.lengths is None:
            return super().take(idx)
        width = int(self.lengths[idx].max())
        X = self.X[idx, :width]
        if self.y is None:
            return X, torch.zeros(len(idx))
        return X, self.y[idx, :width] if self.per_step else self.y[idx]


class _LengthBucketIterator(BatchIterator):
    """Shuffled batches of samples of similar length.

    The shuffled samples are taken in pools of ``pool`` batches; each pool
    is sorted by length and cut into batches, and the batches of all pools
    are visited in random order. With lengths spread uniformly, a batch then
    costs about the mean length instead of the longest.
    """

    pool = 32

    def __iter__(self):
        dataset, idx = self._base_and_indices()
        lengths = getattr(dataset, "lengths", None)
        if lengths is None or not self.shuffle:
            yield from super().__iter__()
            return
        idx = idx[torch.randperm(len(idx))]
        size = self.batch_size * self.pool
        batches = []
        for start in range(0, len(idx), size):
            chunk = idx[start : start + size]
            chunk = chunk[torch.argsort(lengths[chunk], stable=True)]
            batches.extend(chunk.split(self.batch_size))
        if self.drop_last and batches and len(batches[-1]) < self.batch_size:
            batches = [b for b in batches if len(b) == self.batch_size]
        for i in torch.randperm(len(batches)).tolist():
            yield dataset.take(batches[i])


class MaskedLoss(nn.Module):
    """Mean loss over the target entries that are not NaN.

    ``loss="mse"``: squared error; ``loss="bce"``: binary cross-entropy of
    logits against targets in [0, 1]. A batch without any due entry gives a
    zero loss (and zero gradients).
    """

    def __init__(self, loss="mse"):
        super().__init__()
        self.loss = loss

    def forward(self, y_pred, y_true):
        due = ~torch.isnan(y_true)
        target = torch.where(due, y_true, torch.zeros_like(y_true))
        if self.loss == "bce":
            errors = F.binary_cross_entropy_with_logits(y_pred, target, reduction="none")
        else:
            errors = (y_pred - target).square()
        return (errors * due).sum() / due.sum().clamp(min=1)


# --------------------------------------------------------------------------
# Estimators.
# --------------------------------------------------------------------------


class _NTMMixin:
    _module = NTM

    def __init__(
        self,
        *,
        controller="lstm",
        hidden_size=100,
        memory_slots=128,
        memory_dim=20,
        num_read_heads=1,
        num_write_heads=1,
        shift_range=1,
        clip_value=20.0,
        embedding_dim=None,
        bucket_by_length=True,
        max_epochs=20,
        batch_size=16,
        lr=3e-4,
        optimizer="rmsprop",
        optimizer_params=None,
        weight_decay=0.0,
        clip_grad_norm=10.0,
        validation_fraction=None,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.controller = controller
        self.hidden_size = hidden_size
        self.memory_slots = memory_slots
        self.memory_dim = memory_dim
        self.num_read_heads = num_read_heads
        self.num_write_heads = num_write_heads
        self.shift_range = shift_range
        self.clip_value = clip_value
        self.embedding_dim = embedding_dim
        self.bucket_by_length = bucket_by_length
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.device = device
        self.accelerator = accelerator
        self.verbose = verbose
        self.random_state = random_state

    def _per_step(self):
        return False

    def _module_params(self):
        inputs = self._input_params()
        return dict(
            input_size=inputs["n_inputs"],
            output_size=inputs["n_outputs"],
            tokens=inputs["tokens"],
            embedding_dim=self.embedding_dim,
            readout="steps" if self._per_step() else "last",
            controller=self.controller,
            hidden_size=self.hidden_size,
            memory_slots=self.memory_slots,
            memory_dim=self.memory_dim,
            num_read_heads=self.num_read_heads,
            num_write_heads=self.num_write_heads,
            shift_range=self.shift_range,
            clip_value=self.clip_value,
        )

    def _optimizer_params(self):
        params = self.optimizer_params
        if params is None:
            optimizer = self._optimizer()
            return next((dict(v) for k, v in OPTIMIZER_DEFAULTS.items()
                         if OPTIMIZERS[k] is optimizer), {})
        if not isinstance(params, Mapping):
            raise ValueError(
                f"optimizer_params must be a dict of keyword arguments of the "
                f"optimizer or None, got {params!r}."
            )
        return dict(params)

    def _net_params(self):
        iterator = _LengthBucketIterator if self.bucket_by_length else BatchIterator
        optimizer_params = {f"optimizer__{k}": v for k, v in self._optimizer_params().items()}
        return dict(dataset=_TrimmedDataset, dataset__per_step=self._per_step(),
                    iterator_train=iterator, **optimizer_params)

    def weightings(self, X):
        """Read and write weightings over memory at every step.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.

        Returns
        -------
        read : ndarray of shape (n_samples, n_steps, num_read_heads, memory_slots)
        write : ndarray of shape (n_samples, n_steps, num_write_heads, memory_slots)
            Each row sums to one: where each head focused at each step.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        module = self.net_.module_
        module.eval()
        read, write = [], []
        with torch.no_grad():
            for start in range(0, len(X), 256):
                batch = X[start : start + 256].to(self._net_device())
                _, r, w = module(batch, return_weights=True)
                read.append(r.cpu())
                write.append(w.cpu())
        return torch.cat(read).double().numpy(), torch.cat(write).double().numpy()


_PARAMETERS = """\
controller : {"lstm", "feedforward"}, default="lstm"
        The controller network, which sees the input and the last read vectors.
    hidden_size : int, default=100
        Width of the controller.
    memory_slots : int, default=128
        Number of memory locations ``N``.
    memory_dim : int, default=20
        Width ``M`` of each memory location.
    num_read_heads : int, default=1
        Number of read heads.
    num_write_heads : int, default=1
        Number of write heads.
    shift_range : int, default=1
        Heads may move their focus by ``-shift_range .. +shift_range``
        slots per step.
    clip_value : float, default=20.0
        Head parameters and output logits are clipped to
        ``[-clip_value, clip_value]``.
    embedding_dim : int or None, default=None
        Token embedding size (``None``: ``hidden_size``); unused for series.
    bucket_by_length : bool, default=True
        Draw each training batch from sequences of similar length, so that
        a batch costs about its mean length rather than its longest (only
        where lengths differ: sequence targets, or token ids with padding).
    optimizer_params : dict or None, default=None
        Keyword arguments of the optimizer besides ``lr`` and
        ``weight_decay``, e.g. ``{"momentum": 0.9}``. ``None`` gives
        "rmsprop" the paper's momentum 0.9 and smoothing constant
        ``alpha=0.95``, and the other optimizers nothing."""

_TRAINING_NOTES = """\
The defaults are the copy-task recipe of the paper (RMSprop with momentum
    0.9, the gradient clipped) on batches of 16, with the learning rate
    raised from the paper's 1e-4, which was for one sequence at a time, to
    3e-4: on copy sequences of lengths 1 to 20 that learns within about
    20,000 sequences, where 1e-4 needs 50,000 or more and may not start
    at all. That learning rate suits long streams of training sequences;
    on a small data set raise it (e.g. ``lr=1e-3`` with
    ``optimizer="adam"``) or ``max_epochs``."""


@fill_doc(max_epochs=20, batch_size=16, lr=3e-4, optimizer="rmsprop", clip_grad_norm=10.0)
class NTMClassifier(_NTMMixin, NeuralClassifier):
    __doc__ = f"""Sequence classifier built on a Neural Turing Machine.

    A controller reads and writes an external memory through addressing
    heads (content and location addressing, erase and add); the class is
    read from the controller state and read vectors at the last step of
    each sequence. ``X`` is as for :class:`RNNClassifier`: token ids
    (integers, 0 = trailing padding, which never changes a prediction) of
    shape (n_samples, n_steps), or float series of shape
    (n_samples, n_steps) or (n_samples, n_steps, n_features).

    Parameters
    ----------
    {_PARAMETERS}
    {{training_parameters}}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of steps of the sequences seen in fit.
    {{fitted_attributes}}

    See Also
    --------
    NTMRegressor : The same machine for regression and sequence targets.
    RNNClassifier : Recurrent networks without external memory.

    Notes
    -----
    {_TRAINING_NOTES}

    References
    ----------
    .. [1] Graves, Wayne & Danihelka, "Neural Turing Machines", 2014,
       https://arxiv.org/abs/1410.5401.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem import NTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(2, 6, size=(200, 6))   # token ids 2..5
    >>> y = X[:, 0] == X[:, -1]                # first token repeated last?
    >>> clf = NTMClassifier(hidden_size=16, memory_slots=8, memory_dim=8,
    ...                     optimizer="adam", lr=0.01, max_epochs=10,
    ...                     random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.85
    True
    """


@fill_doc(max_epochs=20, batch_size=16, lr=3e-4, optimizer="rmsprop", clip_grad_norm=10.0)
class NTMRegressor(_NTMMixin, NeuralRegressor):
    __doc__ = f"""Regressor built on a Neural Turing Machine, for values or sequences.

    With ``y`` of shape (n_samples,) or (n_samples, n_outputs) it predicts
    one value (or several) per sequence, read at its last step, from ``X``
    as for :class:`RNNRegressor`. With **sequence targets**, ``y`` of shape
    (n_samples, n_steps, n_outputs), it predicts at every step: ``y[i, t]``
    is the answer due after step ``t`` of ``X[i]``, NaN where none is due.
    The loss is averaged over the due entries only, so the machine is free
    while it reads its input. This is the form of the algorithmic tasks of
    :mod:`skmem.datasets` (``make_copy``, ``make_repeat_copy``,
    ``make_associative_recall``).

    Parameters
    ----------
    loss : {{"mse", "bce"}}, default="mse"
        ``"mse"``: squared error, :meth:`predict` returns values.
        ``"bce"``: binary cross-entropy of a sigmoid output against targets
        in [0, 1] (bits), :meth:`predict` returns probabilities.
    {_PARAMETERS}
    {{training_parameters}}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets per sequence (or per step).
    target_ndim_ : int
        Dimensions of the ``y`` seen in fit; 3 for sequence targets.
    n_features_in_ : int
        Number of steps of the sequences seen in fit. Not set with sequence
        targets: the machine then reads sequences of any length.
    {{fitted_attributes}}

    See Also
    --------
    NTMClassifier : The same machine for classification.
    skmem.datasets.make_copy : The copy task as ``X, y`` arrays.

    Notes
    -----
    {_TRAINING_NOTES}

    With sequence targets, ``y`` has as many steps as ``X``; a step may
    hold a target on some outputs and NaN on others. NaN is accepted in
    ``y`` only there, and at least one entry must be due. Sequences of any
    length may be passed to :meth:`predict`, which returns an answer at
    every step of ``X`` (those where none was due included); :meth:`score`
    is the :math:`R^2` over the due entries, pooled. Each training batch is
    cut to the last step where one of its sequences has a target.

    References
    ----------
    .. [1] Graves, Wayne & Danihelka, "Neural Turing Machines", 2014,
       https://arxiv.org/abs/1410.5401.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem import NTMRegressor
    >>> from skmem.datasets import make_copy
    >>> X, y = make_copy(64, seq_len=(1, 3), n_bits=4, random_state=0)
    >>> X.shape, y.shape                        # NaN where no bit is due
    ((64, 7, 5), (64, 7, 4))
    >>> ntm = NTMRegressor(loss="bce", hidden_size=16, memory_slots=8,
    ...                    memory_dim=8, optimizer="adam", lr=0.01,
    ...                    max_epochs=2, random_state=0).fit(X, y)
    >>> proba = ntm.predict(X)                  # a bit probability per step
    >>> proba.shape
    (64, 7, 4)
    >>> read, write = ntm.weightings(X[:1])     # where the heads looked
    >>> write.shape
    (1, 7, 1, 8)
    """

    def __init__(
        self,
        *,
        loss="mse",
        controller="lstm",
        hidden_size=100,
        memory_slots=128,
        memory_dim=20,
        num_read_heads=1,
        num_write_heads=1,
        shift_range=1,
        clip_value=20.0,
        embedding_dim=None,
        bucket_by_length=True,
        max_epochs=20,
        batch_size=16,
        lr=3e-4,
        optimizer="rmsprop",
        optimizer_params=None,
        weight_decay=0.0,
        clip_grad_norm=10.0,
        validation_fraction=None,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.loss = loss
        super().__init__(
            controller=controller, hidden_size=hidden_size, memory_slots=memory_slots,
            memory_dim=memory_dim, num_read_heads=num_read_heads,
            num_write_heads=num_write_heads, shift_range=shift_range, clip_value=clip_value,
            embedding_dim=embedding_dim, bucket_by_length=bucket_by_length,
            max_epochs=max_epochs, batch_size=batch_size, lr=lr, optimizer=optimizer,
            optimizer_params=optimizer_params, weight_decay=weight_decay, clip_grad_norm=clip_grad_norm,
            validation_fraction=validation_fraction, callbacks=callbacks,
            warm_start=warm_start, device=device, accelerator=accelerator, verbose=verbose,
            random_state=random_state,
        )

    def _per_step(self):
        return self.target_ndim_ == 3

    def _criterion(self):
        return MaskedLoss(self.loss)

    def _check_params(self):
        super()._check_params()
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}.")

    def _fit(self, X, y, *, partial, target_params=None, **fit_params):
        try:  # compared with y's steps once both are validated
            shape = np.asarray(X).shape
        except (TypeError, ValueError):  # validation will say what is wrong
            shape = ()
        steps = shape[1] if len(shape) > 1 else None
        target_params = dict(target_params or {}, n_steps=steps)
        return super()._fit(X, y, partial=partial, target_params=target_params, **fit_params)

    def _validate_target(self, y, *, reset, n_steps=None):
        name = type(self).__name__
        try:
            shape = np.asarray(y).shape
        except (TypeError, ValueError):  # ragged: check_array will say so
            shape = ()
        if len(shape) != 3:
            if not reset and self.target_ndim_ == 3:
                raise ValueError(
                    f"{name} was fitted on sequence targets (n_samples, n_steps, "
                    f"n_outputs), got y of shape {shape}."
                )
            y = super()._validate_target(y, reset=reset)
        else:
            y = self._validate_sequence_target(y, reset=reset, n_steps=n_steps)
        if self.loss == "bce":
            values = y[~torch.isnan(y)]
            if values.numel() and (values.min() < 0 or values.max() > 1):
                raise ValueError(
                    f'loss="bce" needs targets in [0, 1], got values from '
                    f'{float(values.min()):g} to {float(values.max()):g}; use loss="mse".'
                )
        return y

    def _validate_sequence_target(self, y, *, reset, n_steps):
        name = type(self).__name__
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype="numeric",
                        ensure_all_finite="allow-nan", input_name="y")
        if np.isinf(y).any():
            raise ValueError("Input y contains infinity.")
        if np.isnan(y).all():
            raise ValueError(
                "Every entry of y is NaN: sequence targets need at least one due "
                "entry (NaN marks the steps where no target is due)."
            )
        if n_steps is not None and y.shape[1] != n_steps:
            raise ValueError(
                f"y has {y.shape[1]} steps but X has {n_steps}: sequence targets "
                f"need one row per input step, y[i, t] answering X[i, :t + 1], NaN "
                f"where no target is due."
            )
        n_outputs = y.shape[2]
        if reset:
            self.n_outputs_ = n_outputs
            self.target_ndim_ = 3
            # Sequence outputs are read at every step: any length will do.
            del self.n_features_in_
        elif self.target_ndim_ != 3:
            raise ValueError(
                f"{name} was fitted on one target per sequence, got sequence "
                f"targets of shape {y.shape}."
            )
        elif n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} outputs per step, but {name} was fitted with "
                f"{self.n_outputs_}."
            )
        return torch.tensor(y, dtype=torch.float32)

    def predict(self, X):
        """Predicted values, or bit probabilities with ``loss="bce"``.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`; with sequence targets, of any number of steps.

        Returns
        -------
        y : ndarray of shape (n_samples,), (n_samples, n_outputs) or (n_samples, n_steps, n_outputs)
            Follows the shape of the ``y`` seen in fit; with sequence
            targets, an answer at every step of ``X``.
        """
        out = self._forward(X)
        if self.loss == "bce":
            out = torch.sigmoid(out)
        out = out.double().numpy()
        return out.ravel() if self.target_ndim_ == 1 else out

    def score(self, X, y, sample_weight=None):
        """:math:`R^2` of the predictions; over the due entries for sequence targets.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.
        y : array-like
            True targets, shaped as in :meth:`fit` (NaN where none is due).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence (and of each of its due entries).

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        if self.target_ndim_ != 3:
            return super().score(X, y, sample_weight=sample_weight)
        y = self._validate_sequence_target(y, reset=False, n_steps=None).numpy()
        pred = self.predict(X)
        if pred.shape != y.shape:
            raise ValueError(f"y has shape {y.shape}, the predictions {pred.shape}.")
        due = ~np.isnan(y)
        weight = None
        if sample_weight is not None:
            weight = np.broadcast_to(np.asarray(sample_weight, dtype=float)[:, None, None],
                                     y.shape)[due]
        return r2_score(y[due], pred[due], sample_weight=weight)
