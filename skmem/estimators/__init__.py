"""scikit-learn estimators wrapping the torch modules of :mod:`skmem.modules`."""

from skmem.estimators._memnet import MemN2NClassifier, MemNNClassifier
from skmem.estimators._rnn import RNNClassifier, RNNRegressor
from skmem.estimators._transformer import TransformerClassifier, TransformerRegressor

__all__ = [
    "MemN2NClassifier",
    "MemNNClassifier",
    "RNNClassifier",
    "RNNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
]
