"""Transformer encoder estimators with full, causal or local attention."""

from skmem.estimators._base import NeuralClassifier, NeuralRegressor, fill_doc
from skmem.modules.transformer import Transformer


class _TransformerMixin:
    _module = Transformer

    def __init__(
        self,
        *,
        d_model=64,
        num_heads=4,
        num_layers=2,
        dim_feedforward=None,
        dropout=0.1,
        attention="full",
        window=None,
        positional_encoding="sinusoidal",
        pooling="mean",
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
        self.d_model = d_model
        self.num_heads = num_heads
        self.num_layers = num_layers
        self.dim_feedforward = dim_feedforward
        self.dropout = dropout
        self.attention = attention
        self.window = window
        self.positional_encoding = positional_encoding
        self.pooling = pooling
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
            max_len=self.n_features_in_,
            d_model=self.d_model,
            num_heads=self.num_heads,
            num_layers=self.num_layers,
            dim_feedforward=self.dim_feedforward,
            dropout=self.dropout,
            attention=self.attention,
            window=self.window,
            positional_encoding=self.positional_encoding,
            pooling=self.pooling,
        )


_PARAMETERS = """\
d_model : int, default=64
        Width of the token vectors.
    num_heads : int, default=4
        Attention heads; must divide ``d_model``.
    num_layers : int, default=2
        Encoder blocks.
    dim_feedforward : int or None, default=None
        Hidden width of the feed-forward layers (``None``: ``4 * d_model``).
    dropout : float, default=0.1
        Dropout on attention weights, residual branches and inputs.
    attention : {"full", "causal", "local"}, default="full"
        Which positions attend which: all, only earlier ones, or only those
        within ``window`` steps (sparse, banded attention).
    window : int or None, default=None
        Band width for ``attention="local"``.
    positional_encoding : {"sinusoidal", "learned", "none"}, default="sinusoidal"
        How positions are told apart.
    pooling : {"mean", "last"}, default="mean"
        Read the output from the mean over real positions or from the last
        real position."""


@fill_doc()
class TransformerClassifier(_TransformerMixin, NeuralClassifier):
    __doc__ = f"""Sequence classifier built on a Transformer encoder.

    Multi-head scaled dot-product attention (``torch.nn.functional.
    scaled_dot_product_attention``) over token ids (integers; 0 is padding,
    masked out of attention and pooling) of shape (n_samples, n_steps), or
    float series of shape (n_samples, n_steps) or
    (n_samples, n_steps, n_features).

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
    TransformerRegressor : The same network for regression.
    RNNClassifier : Recurrence instead of attention.

    References
    ----------
    .. [1] Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
    .. [2] Child et al., "Generating Long Sequences with Sparse
       Transformers", 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem import TransformerClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(2, 6, size=(200, 8))   # token ids 2..5
    >>> y = (X == 5).any(axis=1)               # does token 5 occur?
    >>> clf = TransformerClassifier(d_model=16, num_layers=1, max_epochs=30,
    ...                             lr=0.01, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """


@fill_doc()
class TransformerRegressor(_TransformerMixin, NeuralRegressor):
    __doc__ = f"""Sequence regressor built on a Transformer encoder.

    Predicts one value, or several (a multi-step forecast), from float
    series of shape (n_samples, n_steps) or (n_samples, n_steps, n_features),
    or from token ids (integers, 0 = padding).

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
    TransformerClassifier : The same network for classification.
    RNNRegressor : Recurrence instead of attention.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem import TransformerRegressor
    >>> t = np.arange(400, dtype=np.float32)
    >>> series = np.sin(0.3 * t)
    >>> X = np.stack([series[i:i + 10] for i in range(380)])
    >>> y = series[10:390]
    >>> reg = TransformerRegressor(d_model=16, num_layers=1, pooling="last",
    ...                            max_epochs=40, lr=0.01, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.9
    True
    """
