"""skmem: neural working-memory models as scikit-learn estimators."""

from skmem.estimators import (
    RNNClassifier,
    RNNRegressor,
    TransformerClassifier,
    TransformerRegressor,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "RNNClassifier",
    "RNNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
]
