"""scikit-learn estimators wrapping the torch modules of :mod:`skmem.modules`."""

from skmem.estimators._rnn import RNNClassifier, RNNRegressor
from skmem.estimators._transformer import TransformerClassifier, TransformerRegressor

__all__ = [
    "RNNClassifier",
    "RNNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
]
