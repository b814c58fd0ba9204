"""skmem: neural working-memory models as scikit-learn estimators."""

from skmem.estimators import (
    DMNClassifier,
    EntNetClassifier,
    MemN2NClassifier,
    MemNNClassifier,
    NTMClassifier,
    NTMRegressor,
    RNNClassifier,
    RNNRegressor,
    Seq2SeqTranslator,
    TransformerClassifier,
    TransformerRegressor,
)

from skmem._persistence import load, save

__version__ = "0.1.0.dev0"

__all__ = [
    "DMNClassifier",
    "EntNetClassifier",
    "MemN2NClassifier",
    "MemNNClassifier",
    "NTMClassifier",
    "NTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "Seq2SeqTranslator",
    "TransformerClassifier",
    "TransformerRegressor",
    "load",
    "save",
]
