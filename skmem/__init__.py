"""skmem: neural working-memory models as scikit-learn estimators."""

from skmem.estimators import (
    MemN2NClassifier,
    MemNNClassifier,
    RNNClassifier,
    RNNRegressor,
    TransformerClassifier,
    TransformerRegressor,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "MemN2NClassifier",
    "MemNNClassifier",
    "RNNClassifier",
    "RNNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
]
