"""Recurrent network estimators: Elman RNN, LSTM, GRU."""

from skmem.estimators._base import NeuralClassifier, NeuralRegressor, fill_doc
from skmem.modules.rnn import RNN


class _RNNMixin:
    _module = RNN

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        embedding_dim=None,
        max_epochs=20,
        batch_size=32,
        lr=0.001,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=None,
        validation_fraction=None,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.embedding_dim = embedding_dim
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.device = device
        self.accelerator = accelerator
        self.verbose = verbose
        self.random_state = random_state

    def _module_params(self):
        return dict(
            self._input_params(),
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            embedding_dim=self.embedding_dim,
        )


_PARAMETERS = """\
cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell: Elman (tanh), LSTM or GRU.
    hidden_size : int, default=64
        Size of the hidden state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether to read the sequence in both directions.
    dropout : float, default=0.0
        Dropout between layers and before the output layer.
    embedding_dim : int or None, default=None
        Token embedding size (``None``: ``hidden_size``); unused for series."""


@fill_doc()
class RNNClassifier(_RNNMixin, NeuralClassifier):
    __doc__ = f"""Sequence classifier built on an Elman RNN, LSTM or GRU.

    The class is read from the final hidden state. ``X`` holds token ids
    (integers; 0 is padding, which is packed away so that trailing padding
    never changes a prediction) of shape (n_samples, n_steps), or float
    series of shape (n_samples, n_steps) or (n_samples, n_steps, n_features).

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
    RNNRegressor : The same network for regression.
    TransformerClassifier : Attention instead of recurrence.

    References
    ----------
    .. [1] Hochreiter & Schmidhuber, "Long Short-Term Memory", 1997.
    .. [2] Cho et al., "Learning Phrase Representations using RNN
       Encoder-Decoder for Statistical Machine Translation", 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(2, 6, size=(200, 8))   # token ids 2..5
    >>> y = (X == 5).any(axis=1)               # does token 5 occur?
    >>> clf = RNNClassifier(cell="gru", hidden_size=16, max_epochs=30,
    ...                     lr=0.01, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """


@fill_doc()
class RNNRegressor(_RNNMixin, NeuralRegressor):
    __doc__ = f"""Sequence regressor built on an Elman RNN, LSTM or GRU.

    Predicts one value, or several (a multi-step forecast), from the final
    hidden state. ``X`` holds float series of shape (n_samples, n_steps) or
    (n_samples, n_steps, n_features), or token ids (integers, 0 = padding).

    Parameters
    ----------
    {_PARAMETERS}
    {{training_parameters}}

    Attributes
    ----------
    n_outputs_ : int
        Number of regression targets.
    n_features_in_ : int
        Number of steps of the sequences seen in fit.
    {{fitted_attributes}}

    See Also
    --------
    RNNClassifier : The same network for classification.
    skmem.preprocessing.SlidingWindow : Windows over a time series.

    Notes
    -----
    Scale the series and target (e.g. with ``StandardScaler`` and
    ``TransformedTargetRegressor``): recurrent networks train poorly on raw
    values far from unit scale.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem import RNNRegressor
    >>> t = np.arange(400, dtype=np.float32)
    >>> series = np.sin(0.3 * t)
    >>> X = np.stack([series[i:i + 10] for i in range(380)])
    >>> y = series[10:390]
    >>> reg = RNNRegressor(hidden_size=16, max_epochs=40, lr=0.01,
    ...                    random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """
