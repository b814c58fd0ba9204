"""scikit-learn estimators wrapping the torch modules of :mod:`skmem.modules`."""

from skmem.estimators._dmn import DMNClassifier
from skmem.estimators._entnet import EntNetClassifier
from skmem.estimators._memnet import MemN2NClassifier, MemNNClassifier
from skmem.estimators._ntm import NTMClassifier, NTMRegressor
from skmem.estimators._rnn import RNNClassifier, RNNRegressor
from skmem.estimators._seq2seq import Seq2SeqTranslator
from skmem.estimators._transformer import TransformerClassifier, TransformerRegressor

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
]
