"""Sequence-to-sequence translation: strings in, strings out.

``Seq2SeqTranslator`` tokenizes source and target with two
:class:`~skmem.preprocessing.TextVectorizer` vocabularies, trains an
encoder-decoder of :mod:`skmem.modules.seq2seq` with teacher forcing
(``_Seq2SeqNet`` hands the target to the module beside the source and
scores every target position), and translates with batched greedy or beam
search decoding.
"""

import numbers
import re
from collections import namedtuple
from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from skorch import NeuralNet
from skorch.utils import to_tensor
from sklearn.utils.validation import check_is_fitted
from torch import nn

from skmem.estimators._base import BatchIterator, NeuralEstimator, fill_doc
from skmem.modules.seq2seq import ATTENTION, GRUSeq2Seq, TransformerSeq2Seq, beam_search
from skmem.preprocessing import PAD_ID, TextVectorizer, tokenize
from skmem.preprocessing._text import _as_string_list

ARCHITECTURES = {"gru-attention": GRUSeq2Seq, "transformer": TransformerSeq2Seq}
METRICS = ("bleu", "exact_match")
ANALYZERS = ("word", "char")
BOS_TOKEN, EOS_TOKEN = "<bos>", "<eos>"
_PREDICT_BATCH = 512  # sources decoded together (times beam_size rows)

Alignment = namedtuple("Alignment", ["source", "target", "weights"])
Alignment.__doc__ = """The attention of a translation over its source.

source : list of str
    Source tokens as the model read them (after truncation to the longest
    source seen in fit).
target : list of str
    Predicted tokens, ending with ``"<eos>"`` where the model ended.
weights : ndarray of shape (len(target), len(source))
    Row ``i``: the attention over the source when token ``i`` was predicted;
    each row sums to one."""


class _LengthBatches(BatchIterator):
    """Training batches of sources of similar length, so that little of a
    batch is padding: the shuffled data is sorted by source length within
    windows of 50 batches, cut into batches, and the batches shuffled."""

    window = 50

    def __iter__(self):
        if not self.shuffle:
            yield from super().__iter__()
            return
        dataset, idx = self._base_and_indices()
        idx = idx[torch.randperm(len(idx))]
        lengths = (dataset.X["source"][idx] != PAD_ID).sum(1)
        size = self.batch_size * self.window
        idx = torch.cat([
            idx[start : start + size][lengths[start : start + size].argsort(stable=True)]
            for start in range(0, len(idx), size)
        ])
        batches = list(idx.split(self.batch_size))
        if self.drop_last and len(batches[-1]) < self.batch_size:
            batches.pop()
        for b in torch.randperm(len(batches)).tolist():
            yield dataset.take(batches[b])


class _Seq2SeqNet(NeuralNet):
    """skorch net for teacher forcing.

    ``partial_fit`` feeds the module ``source`` and ``target`` together; the
    loss is the cross-entropy of every target position after the start
    token, padding ignored (the criterion's ``ignore_index``). Training
    batches group sources of similar length (``_LengthBatches``).
    """

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        if y is not None and not isinstance(X, Mapping):
            X = {"source": X, "target": y}
        return super().partial_fit(X, y, classes, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # y_pred (B, T' - 1, V) predicts y_true[:, 1:T'], T' the batch's longest target
        y_true = to_tensor(y_true, device=self.device)[:, 1 : y_pred.shape[1] + 1]
        return self.criterion_(y_pred.reshape(-1, y_pred.shape[-1]), y_true.reshape(-1))


def _exact_match(predictions, references, analyzer):
    """Share of predictions whose tokens equal the reference's."""
    def tokens(text):
        return tokenize(text, analyzer=analyzer, lowercase=False)

    return float(np.mean([tokens(p) == tokens(r) for p, r in zip(predictions, references)]))


def _bleu(predictions, references, analyzer):
    """Corpus BLEU on a 0-1 scale (sacrebleu's score / 100)."""
    import sacrebleu

    tokenizer = "char" if analyzer == "char" else "13a"
    bleu = sacrebleu.corpus_bleu(list(predictions), [list(references)], tokenize=tokenizer)
    return bleu.score / 100


_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}])")
_SPACE_AFTER = re.compile(r"([(\[{¿¡]) ")


@fill_doc(max_epochs=30, batch_size=64, lr=0.002, clip_grad_norm=1.0)
class Seq2SeqTranslator(NeuralEstimator):
    """Encoder-decoder translator with attention: strings in, strings out.

    ``fit(X, y)`` takes source and target sentences (lists, arrays or pandas
    Series of str); ``predict(X)`` returns translations. Both sides are
    tokenized inside, with a vocabulary each
    (:class:`~skmem.preprocessing.TextVectorizer`, word or character
    level); the decoder learns with teacher forcing and translates with
    greedy or beam-search decoding, batched over sentences and beams.

    Parameters
    ----------
    architecture : {"gru-attention", "transformer"}, default="gru-attention"
        ``"gru-attention"``: a bidirectional GRU encoder and a GRU decoder
        whose state queries the encoder states at every step (Bahdanau et
        al.; Luong et al.). ``"transformer"``: the encoder-decoder
        Transformer (Vaswani et al.), pre-norm, sinusoidal positions.
    attention : {"additive", "dot"}, default="additive"
        Score of the GRU decoder's attention: additive
        ``v . tanh(W_q q + W_k k)`` or scaled dot product ``q . W_k k / sqrt(H)``.
        Unused by the transformer (scaled dot-product, multi-head).
    analyzer : {"word", "char"}, default="word"
        Token unit of the source.
    target_analyzer : {"word", "char"} or None, default=None
        Token unit of the target; ``None`` follows ``analyzer``. Word-level
        translations are joined with spaces (none before closing punctuation).
    lowercase : bool, default=False
        Lowercase the source before tokenizing. The target keeps its case.
    min_freq : int, default=1
        Tokens seen fewer times in fit become unknown (``"<unk>"``), in both
        vocabularies.
    hidden_size : int, default=128
        GRU state size (of each encoder direction and of the decoder), or
        the transformer's ``d_model``.
    embedding_dim : int or None, default=None
        Token embedding size of the GRU model (``None``: ``hidden_size``);
        the transformer embeds to ``hidden_size``.
    num_layers : int, default=2
        Stacked layers (GRU) or blocks (transformer), in the encoder and in
        the decoder alike.
    num_heads : int, default=4
        Attention heads of the transformer; must divide ``hidden_size``.
    dim_feedforward : int or None, default=None
        Feed-forward width of the transformer (``None``: ``4 * hidden_size``).
    dropout : float, default=0.1
        Dropout on embeddings, between layers, on attention and residual
        branches.
    beam_size : int, default=1
        Beams kept while decoding; ``1`` is greedy decoding.
    max_output_len : int or None, default=None
        Most tokens of a translation; ``None`` allows twice the longest
        target seen in fit.
    length_penalty : float, default=0.6
        Exponent ``alpha`` of the beam-search length normalisation
        ``((5 + length) / 6) ** alpha`` (Wu et al. 2016); ``0`` compares raw
        log-probabilities, which favours short translations.
    metric : {"bleu", "exact_match"}, default="bleu"
        What :meth:`score` returns: corpus BLEU (sacrebleu, on a 0-1 scale)
        or the share of translations equal to the reference token by token.
    {training_parameters}

    Attributes
    ----------
    source_vectorizer_ : TextVectorizer
        Source vocabulary and length (``max_len_``: longer sources are cut).
    target_vectorizer_ : TextVectorizer
        Target vocabulary.
    target_tokens_ : list of str
        Id to target token: the target vocabulary, then ``"<bos>"`` and
        ``"<eos>"``.
    max_target_len_ : int
        Tokens of the longest target seen in fit.
    {fitted_attributes}

    See Also
    --------
    skmem.datasets.make_dates : Human-written dates paired with ISO dates.
    skmem.datasets.load_sentence_pairs : Tab-separated sentence pairs.
    skmem.plotting.plot_alignment : The attention of a translation, drawn.

    Notes
    -----
    The loss is the mean cross-entropy over the target tokens of a batch;
    ``history_``'s ``train_loss`` is per token. Training batches hold
    sources of similar length (shuffled, then sorted by length within
    windows of 50 batches), so that little of a batch is padding.

    BLEU is sacrebleu's corpus BLEU with its ``13a`` tokenizer for
    word-level targets and its ``char`` tokenizer for character-level ones;
    like any corpus BLEU it is 0 when no translation has four tokens.

    Beam search decodes every sentence and beam of a batch as one tensor;
    the Python loop runs over output positions only, and the transformer
    caches its decoder keys and values.

    References
    ----------
    .. [1] Bahdanau, Cho & Bengio, "Neural Machine Translation by Jointly
       Learning to Align and Translate", ICLR 2015.
    .. [2] Luong, Pham & Manning, "Effective Approaches to Attention-based
       Neural Machine Translation", EMNLP 2015.
    .. [3] Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
    .. [4] Wu et al., "Google's Neural Machine Translation System", 2016.

    Examples
    --------
    >>> from itertools import product
    >>> from skmem import Seq2SeqTranslator
    >>> words = {"one": "un", "two": "deux", "three": "trois", "four": "quatre"}
    >>> X = [" ".join(s) for s in product(words, repeat=3)]   # "one one one", ...
    >>> y = [" ".join(words[w] for w in s.split()) for s in X]
    >>> model = Seq2SeqTranslator(hidden_size=32, num_layers=1, max_epochs=30, lr=0.01,
    ...                           batch_size=16, metric="exact_match", random_state=0)
    >>> model.fit(X[8:], y[8:]).predict(X[:2])
    array(['un un un', 'un un deux'], dtype=object)
    >>> model.score(X[:8], y[:8])
    1.0
    """

    def __init__(
        self,
        *,
        architecture="gru-attention",
        attention="additive",
        analyzer="word",
        target_analyzer=None,
        lowercase=False,
        min_freq=1,
        hidden_size=128,
        embedding_dim=None,
        num_layers=2,
        num_heads=4,
        dim_feedforward=None,
        dropout=0.1,
        beam_size=1,
        max_output_len=None,
        length_penalty=0.6,
        metric="bleu",
        max_epochs=30,
        batch_size=64,
        lr=0.002,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        validation_fraction=None,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.architecture = architecture
        self.attention = attention
        self.analyzer = analyzer
        self.target_analyzer = target_analyzer
        self.lowercase = lowercase
        self.min_freq = min_freq
        self.hidden_size = hidden_size
        self.embedding_dim = embedding_dim
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.dim_feedforward = dim_feedforward
        self.dropout = dropout
        self.beam_size = beam_size
        self.max_output_len = max_output_len
        self.length_penalty = length_penalty
        self.metric = metric
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

    # ------------------------------------------------------------ hooks
    @property
    def _module(self):
        return ARCHITECTURES[self.architecture]

    def _module_params(self):
        sizes = dict(
            n_source=len(self.source_vectorizer_.tokens_), n_target=len(self.target_tokens_)
        )
        if self.architecture == "transformer":
            return dict(
                sizes, d_model=self.hidden_size, num_heads=self.num_heads,
                num_layers=self.num_layers, dim_feedforward=self.dim_feedforward,
                dropout=self.dropout,
            )
        return dict(
            sizes, embedding_dim=self.embedding_dim, hidden_size=self.hidden_size,
            num_layers=self.num_layers, attention=self.attention, dropout=self.dropout,
        )

    def _criterion(self):
        return nn.CrossEntropyLoss(ignore_index=PAD_ID)

    def _net_class(self):
        return _Seq2SeqNet

    def _net_params(self):
        return {"iterator_train": _LengthBatches}

    def _check_params(self):
        super()._check_params()
        choices = (
            ("architecture", tuple(ARCHITECTURES)), ("attention", ATTENTION),
            ("analyzer", ANALYZERS), ("metric", METRICS),
        )
        for name, allowed in choices:
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}.")
        if self.target_analyzer not in (None, *ANALYZERS):
            raise ValueError(
                f"target_analyzer must be None or one of {ANALYZERS}, got {self.target_analyzer!r}."
            )
        self._check_decoding()

    def _check_decoding(self):
        for name, optional in (("beam_size", False), ("max_output_len", True)):
            value = getattr(self, name)
            if optional and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        penalty = self.length_penalty
        if isinstance(penalty, bool) or not isinstance(penalty, numbers.Real) or penalty < 0:
            raise ValueError(f"length_penalty must be a non-negative number, got {penalty!r}.")

    # ------------------------------------------------------------ input
    @property
    def _target_analyzer(self):
        return self.target_analyzer or self.analyzer

    def _validate_input(self, X, *, reset):
        docs = _as_string_list(X, name="X")
        if reset:
            self.source_vectorizer_ = TextVectorizer(
                analyzer=self.analyzer, lowercase=self.lowercase, min_freq=self.min_freq
            ).fit(docs)
        return torch.as_tensor(self.source_vectorizer_.transform(docs))

    def _validate_target(self, y, *, reset):
        docs = _as_string_list(y, name="y")
        if reset:
            vectorizer = TextVectorizer(
                analyzer=self._target_analyzer, lowercase=False, min_freq=self.min_freq
            ).fit(docs)
            self.target_vectorizer_ = vectorizer
            self.target_tokens_ = [*vectorizer.tokens_, BOS_TOKEN, EOS_TOKEN]
            self.max_target_len_ = vectorizer.max_len_
        ids = self.target_vectorizer_.transform(docs)  # (n, L), padded with 0
        n, L = ids.shape
        lengths = (ids != PAD_ID).sum(axis=1)
        target = np.zeros((n, L + 2), dtype=np.int64)  # <bos> tokens <eos> padding
        target[:, 0] = self._bos
        target[:, 1 : L + 1] = ids
        target[np.arange(n), lengths + 1] = self._eos
        return torch.as_tensor(target)

    @property
    def _bos(self):
        return len(self.target_tokens_) - 2

    @property
    def _eos(self):
        return len(self.target_tokens_) - 1

    # ------------------------------------------------------------ public
    def fit(self, X, y, **fit_params):
        """Train the translator.

        Parameters
        ----------
        X : sequence of str of shape (n_samples,)
            Source sentences (list, 1-D array, pandas Series).
        y : sequence of str of shape (n_samples,)
            Their translations.
        **fit_params : dict
            Passed to the skorch net's ``fit``.

        Returns
        -------
        self : Seq2SeqTranslator
            The fitted translator.
        """
        return self._fit(X, y, partial=False, **fit_params)

    def partial_fit(self, X, y, **fit_params):
        """Train for one epoch, building the vocabularies on the first call.

        Parameters
        ----------
        X : sequence of str of shape (n_samples,)
            Source sentences.
        y : sequence of str of shape (n_samples,)
            Their translations; tokens unseen in the first call are unknown.
        **fit_params : dict
            Passed to the skorch net.

        Returns
        -------
        self : Seq2SeqTranslator
            The translator.
        """
        return self._fit(X, y, partial=True, **fit_params)

    def _decode(self, X, attention=False):
        """Token ids (n, L) of the translations and, with ``attention``, a list
        of each sample's attention (L, S') over its first S' source positions."""
        check_is_fitted(self)
        self._check_decoding()
        source = self._validate_input(X, reset=False)  # (n, S)
        module = self.net_.module_
        training = module.training
        module.eval()
        max_len = self.max_output_len or 2 * self.max_target_len_
        order = torch.argsort((source != PAD_ID).sum(1), stable=True)  # similar lengths together
        chunks, weights = [], []
        try:
            for start in range(0, len(source), _PREDICT_BATCH):
                rows = source[order[start : start + _PREDICT_BATCH]].to(self._net_device())
                ids, w = beam_search(
                    module, rows, bos=self._bos, eos=self._eos, max_len=max_len,
                    beam_size=self.beam_size, length_penalty=self.length_penalty,
                    banned=(PAD_ID, self._bos),
                )
                chunks.append(ids.cpu())
                if attention:
                    weights.extend(w.cpu().numpy())
        finally:
            module.train(training)
        width = max(chunk.shape[1] for chunk in chunks)
        ids = torch.zeros(len(source), width, dtype=torch.long)
        ids[order] = torch.cat([F.pad(chunk, (0, width - chunk.shape[1])) for chunk in chunks])
        if not attention:
            return ids.numpy(), None
        rank = torch.empty_like(order)
        rank[order] = torch.arange(len(order))  # where each sample was decoded
        return ids.numpy(), [weights[i] for i in rank.tolist()]

    def _token_lists(self, ids):
        """Per row, the generated tokens before ``<eos>`` and whether it ended."""
        before_end = np.cumsum(ids == self._eos, axis=1) == 0
        keep = before_end & (ids != PAD_ID)
        vocab = np.asarray(self.target_tokens_, dtype=object)
        return [vocab[row[k]].tolist() for row, k in zip(ids, keep)], ~before_end[:, -1]

    def _join(self, tokens):
        if self._target_analyzer == "char":
            return "".join(tokens)
        text = " ".join(tokens)
        return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))

    def predict(self, X):
        """Translate.

        Parameters
        ----------
        X : sequence of str of shape (n_samples,)
            Source sentences.

        Returns
        -------
        y : ndarray of str (object dtype) of shape (n_samples,)
            The translations, decoded with ``beam_size`` beams.
        """
        ids, _ = self._decode(X)
        tokens, _ = self._token_lists(ids)
        return np.asarray([self._join(row) for row in tokens], dtype=object)

    def translate_with_attention(self, X):
        """Translate, and return where the decoder looked for each token.

        For ``"gru-attention"`` the weights are those of the decoder's
        attention; for the transformer, the last decoder layer's
        cross-attention averaged over heads.

        Parameters
        ----------
        X : sequence of str of shape (n_samples,)
            Source sentences.

        Returns
        -------
        alignments : list of Alignment
            One ``(source, target, weights)`` named tuple per sentence:
            the source tokens, the predicted target tokens (with
            ``"<eos>"`` last when the model ended the translation) and the
            weights, ndarray of shape (len(target), len(source)).

        Examples
        --------
        >>> from skmem import Seq2SeqTranslator
        >>> X, y = ["a b", "b a", "a a", "b b"], ["A B", "B A", "A A", "B B"]
        >>> model = Seq2SeqTranslator(hidden_size=16, num_layers=1, max_epochs=5,
        ...                           random_state=0).fit(X, y)
        >>> source, target, weights = model.translate_with_attention(["a b"])[0]
        >>> source, weights.shape == (len(target), 2)
        (['a', 'b'], True)
        """
        docs = _as_string_list(X, name="X")
        ids, weights = self._decode(docs, attention=True)
        tokens, ended = self._token_lists(ids)
        vec = self.source_vectorizer_
        alignments = []
        for doc, target, done, w in zip(docs, tokens, ended, weights):
            source = tokenize(doc, analyzer=vec.analyzer, lowercase=vec.lowercase)[: vec.max_len_]
            target = target + [EOS_TOKEN] if done else target
            w = w[: len(target), : len(source)] if source else w[: len(target), :0]
            alignments.append(Alignment(source, target, np.asarray(w, dtype=np.float64)))
        return alignments

    def score(self, X, y):
        """Corpus BLEU (0 to 1) or exact-match accuracy, after ``metric``.

        Parameters
        ----------
        X : sequence of str of shape (n_samples,)
            Source sentences.
        y : sequence of str of shape (n_samples,)
            Reference translations.

        Returns
        -------
        score : float
            Between 0 and 1, higher is better.
        """
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}.")
        references = _as_string_list(y, name="y")
        predictions = self.predict(X)
        if len(predictions) != len(references):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(predictions)} and "
                f"{len(references)}."
            )
        score = _bleu if self.metric == "bleu" else _exact_match
        return score(predictions, references, self._target_analyzer)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = False
        tags.input_tags.string = True
        tags.input_tags.dict = False
        tags.target_tags.required = True
        return tags
