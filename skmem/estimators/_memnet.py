"""Memory network estimators for question answering over stories.

``MemN2NClassifier`` (Sukhbaatar et al. 2015) and ``MemNNClassifier``
(Weston et al. 2014; Miller et al. 2016) eat the output of
:class:`skmem.preprocessing.StoryVectorizer`: a dict (``SliceDict``) with
``story`` int64 ``(n, M, L)`` and ``question`` int64 ``(n, L)``, plus an
optional ``supporting_facts`` int64 ``(n, S)`` (memory slot of each
supporting fact, ``-1`` for none) that drives strong supervision.

The papers' training tricks are skorch callbacks and net hooks, not loops:
``_LinearStartSchedule`` (linear start, step learning rate),
``_PerParameterClipping`` (clip each weight matrix's gradient on its own) and
``_MemoryNet.get_loss`` (answer cross-entropy summed over the batch, plus the
supporting-fact term).
"""

import numbers
import warnings
from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.utils import to_device
from sklearn.utils.validation import check_is_fitted
from torch import nn

from skmem.estimators._base import NeuralClassifier, fill_doc
from skmem.modules.memn2n import MemN2N
from skmem.modules.memnn import MemNN, supporting_fact_loss

SUPPORTS_KEY = "supporting_facts"
_EPOCHS_AFTER_SWITCH = 5  # MemN2N's restarts are compared this many epochs after linear start


class _PerParameterClipping(Callback):
    """Clip the gradient of every parameter to norm ``max_norm`` separately,
    as the MemN2N reference code does (not the global norm)."""

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [param.grad for _, param in named_parameters if param.grad is not None]
        if not grads:
            return
        # clip_grad_norm_ per parameter costs ~0.1 ms of Python each; one
        # stack of the norms and one multiply per gradient cost a few us.
        norms = torch.stack([torch.linalg.vector_norm(grad) for grad in grads])
        scales = (self.max_norm / (norms + 1e-6)).clamp_(max=1.0)
        for grad, scale in zip(grads, scales):
            grad.mul_(scale)


class _LinearStartSchedule(Callback):
    """Linear start and a step learning-rate schedule, set at each epoch.

    While linear start lasts the module's softmax is off (``use_softmax =
    False``) and the learning rate is ``lr``. It ends after ``linear_epochs``
    epochs (an int) or, with ``"auto"``, once ``valid_loss`` has not fallen
    for ``patience`` epochs. Afterwards the rate is ``lr`` halved every
    ``halving_epochs`` epochs counted from the switch. Records
    ``linear_start`` (bool) and ``lr`` in the history of every epoch.
    """

    def __init__(self, lr, linear_epochs=0, halving_epochs=None, patience=3):
        self.lr = lr
        self.linear_epochs = linear_epochs
        self.halving_epochs = halving_epochs
        self.patience = patience

    def on_epoch_begin(self, net, **kwargs):
        module, history = net.module_, net.history
        epoch = len(history)  # 1-based; the row of this epoch exists already
        linear_done = sum(bool(row.get("linear_start")) for row in list(history)[:-1])
        if self.linear_epochs:
            if epoch == 1:
                module.use_softmax = False
            elif self.linear_epochs != "auto" and linear_done >= self.linear_epochs:
                module.use_softmax = True
        linear = bool(self.linear_epochs) and not module.use_softmax
        lr = self.lr
        if not linear and self.halving_epochs:
            lr *= 0.5 ** ((epoch - 1 - linear_done) // self.halving_epochs)
        for group in net.optimizer_.param_groups:
            group["lr"] = lr
        history.record("linear_start", linear)
        history.record("lr", lr)

    def on_epoch_end(self, net, **kwargs):
        history = net.history
        if self.linear_epochs != "auto" or not history[-1, "linear_start"]:
            return
        losses = [row["valid_loss"] for row in history if row.get("linear_start")]
        best = int(np.argmin(losses))
        if len(losses) - 1 - best >= self.patience:
            net.module_.use_softmax = True


class _MemoryNet(NeuralNet):
    """skorch net of the memory networks.

    The module is always asked for ``(logits, attention)``; ``get_loss`` adds
    ``supervision_weight`` times the supporting-fact cross-entropy (scaled to
    the batch like the summed answer loss) when the batch holds
    ``supporting_facts``, which never reach the module.
    """

    def __init__(self, *args, supervision_weight=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervision_weight = supervision_weight

    def infer(self, x, **fit_params):
        x = {key: value for key, value in x.items() if key != SUPPORTS_KEY}
        x = to_device(x, self.device)
        return self.module_(**x, return_attention=True, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        logits, attention = y_pred[:2]  # a module may return more explanations after these
        loss = super().get_loss(logits, y_true, X=X, training=training)
        supports = X.get(SUPPORTS_KEY) if isinstance(X, Mapping) else None
        if supports is not None and self.supervision_weight:
            supports = to_device(supports, attention.device)
            term = supporting_fact_loss(attention, supports)  # mean over supervised hops
            loss = loss + self.supervision_weight * len(logits) * term
        return loss


class _MemoryNetworkMixin:
    """Shared plumbing: story input, supporting facts, schedule, attention."""

    _named_inputs = True
    _linear_start = False  # whether the module has a softmax to switch

    # ------------------------------------------------------------ input
    def _validate_input(self, X, *, reset):
        name = type(self).__name__
        if not isinstance(X, Mapping):
            raise ValueError(
                f"{name} takes a dict (or SliceDict) with 'story' (n, M, L) and "
                f"'question' (n, L) token ids, as StoryVectorizer returns; got "
                f"{type(X).__name__}."
            )
        supports = X.get(SUPPORTS_KEY)
        inputs = {key: value for key, value in X.items() if key != SUPPORTS_KEY}
        missing = {"story", "question"} - set(inputs)
        if missing or len(inputs) != 2:
            raise ValueError(
                f"{name} needs exactly the inputs 'story' and 'question' (and "
                f"optionally {SUPPORTS_KEY!r}), got {sorted(X)}."
            )
        out = super()._validate_input(inputs, reset=reset)
        story, question = out["story"], out["question"]
        if story.dim() != 3 or question.dim() != 2:
            raise ValueError(
                f"'story' must be (n_samples, n_slots, sentence_len) and 'question' "
                f"(n_samples, sentence_len); got shapes {tuple(story.shape)} and "
                f"{tuple(question.shape)}."
            )
        memory_size = getattr(self, "memory_size", None)  # None: a recurrent reader, no limit
        if memory_size is not None and story.size(1) > memory_size:
            raise ValueError(
                f"'story' has {story.size(1)} memory slots but memory_size={self.memory_size}; "
                f"raise memory_size or keep fewer sentences (StoryVectorizer(memory_size=...))."
            )
        if supports is not None:
            out[SUPPORTS_KEY] = self._validate_supports(supports, story)
        return out

    @staticmethod
    def _validate_supports(supports, story):
        supports = np.asarray(supports)
        if supports.ndim == 1:
            supports = supports[:, None]
        if supports.dtype.kind not in "iu" or supports.ndim != 2 or len(supports) != len(story):
            raise ValueError(
                f"{SUPPORTS_KEY!r} must be an integer array (n_samples, n_facts) of "
                f"memory slots (-1 for none), got dtype {supports.dtype} and shape "
                f"{supports.shape} for {len(story)} samples."
            )
        n_slots = story.size(1)
        if supports.size and (supports.min() < -1 or supports.max() >= n_slots):
            raise ValueError(
                f"{SUPPORTS_KEY!r} must hold memory slots in [0, {n_slots}) or -1, got "
                f"values from {supports.min()} to {supports.max()}."
            )
        return torch.tensor(supports, dtype=torch.int64)

    # ------------------------------------------------------------ tying
    def _validate_target(self, y, *, reset, classes=None):
        y = super()._validate_target(y, reset=reset, classes=classes)
        if reset:
            self.answer_ids_ = self._answer_ids(getattr(self, "_fit_vocabulary", None))
            if self.answer_ids_ is not None:
                self.vocab_size_ = max(self.vocab_size_, int(self.answer_ids_.max()) + 1)
        return y

    def _answer_ids(self, vocabulary):
        if vocabulary is None:
            return None
        ids = [vocabulary.get(str(c), vocabulary.get(str(c).lower())) for c in self.classes_]
        missing = [c for c, i in zip(self.classes_, ids) if i is None]
        if missing:
            warnings.warn(
                f"Classes {missing[:5]} are not vocabulary words; the answer matrix "
                f"is not tied to the embeddings.",
                UserWarning,
            )
            return None
        return np.asarray(ids, dtype=np.int64)

    def _fit(self, X, y, *, partial, vocabulary=None, **kwargs):
        self._fit_vocabulary = vocabulary
        try:
            return super()._fit(X, y, partial=partial, **kwargs)
        finally:
            del self._fit_vocabulary

    # ------------------------------------------------------------ training
    def _criterion(self):
        return nn.CrossEntropyLoss(reduction="sum")

    def _net_class(self):
        return _MemoryNet

    def _net_params(self):
        return {"supervision_weight": getattr(self, "supervision_weight", 0.0)}

    def _clipping_callback(self):
        return _PerParameterClipping(self.clip_grad_norm)

    def _default_callbacks(self):
        linear = self.linear_start if self._linear_start else 0
        return [(
            "schedule",
            _LinearStartSchedule(self.lr, linear_epochs=linear, halving_epochs=self.lr_halving_epochs),
        )]

    def _check_params(self):
        super()._check_params()
        for name in ("temporal", "time_features", "null_memory", "question_match", "null_fact"):
            value = getattr(self, name, False)
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {value!r}.")
        halving = self.lr_halving_epochs
        if halving is not None and (not isinstance(halving, numbers.Integral) or halving < 1):
            raise ValueError(f"lr_halving_epochs must be None or a positive integer, got {halving!r}.")
        if not self._linear_start:
            return
        ls = self.linear_start
        if ls == "auto":
            if self.validation_fraction is None:
                raise ValueError(
                    'linear_start="auto" ends on the validation loss; set validation_fraction.'
                )
        elif isinstance(ls, bool) or not isinstance(ls, numbers.Integral) or ls < 0:
            raise ValueError(f'linear_start must be a non-negative int or "auto", got {ls!r}.')

    # ------------------------------------------------------------ public
    def fit(self, X, y, vocabulary=None, **fit_params):
        """Train the model.

        Parameters
        ----------
        X : dict or SliceDict
            ``story`` int64 (n_samples, n_slots, sentence_len), ``question``
            int64 (n_samples, sentence_len), as ``StoryVectorizer``
            returns, and optionally ``supporting_facts`` int64
            (n_samples, n_facts), the memory slot of each supporting fact in
            reading order, ``-1`` for none.
        y : array-like of shape (n_samples,)
            Answers.
        vocabulary : mapping of str to int, default=None
            Token ids of the words (``StoryVectorizer.vocabulary_``). When
            every class is a vocabulary word, the answer matrix is tied to
            the word embeddings (MemN2N with adjacent tying: ``W^T = C^K``).
        **fit_params : dict
            Passed to the skorch net's ``fit``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, partial=False, vocabulary=vocabulary, **fit_params)

    def attention(self, X):
        """Attention weights over the memory slots, per hop.

        In a pipeline ending with this estimator, pass the story through
        the preceding steps: ``pipe[-1].attention(pipe[:-1].transform(X))``.

        Parameters
        ----------
        X : dict or SliceDict
            As in :meth:`fit`.

        Returns
        -------
        attention : ndarray of shape (n_samples, num_hops, n_slots)
            The weights each hop read the memory slots with; ``n_slots`` is
            ``X["story"].shape[1]`` (``StoryVectorizer.memory_size_``). Zero on
            empty slots; each row sums to one over the real slots (with
            softmax, i.e. once linear start is over).
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        attention = self.net_.forward(X, training=False, device="cpu")[1]
        return attention.double().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = False
        return tags


_TRAINING_NOTE = """\
lr_halving_epochs : int or None, default={halving}
        Halve the learning rate every this many epochs{after}; ``None``
        keeps it constant."""

_FIT_NOTES = """\
The answer loss is the cross-entropy **summed** over the batch, as in the
    papers' code, so ``lr`` is per sample and ``history_``'s ``train_loss`` is
    per batch. ``clip_grad_norm`` clips the gradient of each weight matrix on
    its own."""


@fill_doc(max_epochs=120, lr=0.005, optimizer="sgd", clip_grad_norm=40.0)
class MemN2NClassifier(_MemoryNetworkMixin, NeuralClassifier):
    __doc__ = f"""End-To-End Memory Network for question answering over stories.

    Each of ``num_hops`` hops addresses the story's sentences with a softmax
    over their match with the controller state and adds what it reads. The
    defaults are the paper's bAbI recipe: position and temporal encoding,
    10% random noise, adjacent weight tying, linear start for 20 epochs then
    100 epochs with the learning rate halved every 25, SGD on batches of 32
    with the loss summed over the batch and each gradient clipped to norm 40,
    the best of 3 seeds by training loss 5 epochs after linear start.

    Parameters
    ----------
    num_hops : int, default=3
        Number of memory hops ``K``.
    embedding_dim : int, default=20
        Size of the word and memory embeddings.
    memory_size : int, default=50
        Most memory slots a story may have (size of the temporal tables); at
        least ``StoryVectorizer.memory_size``.
    encoding : {{"position", "bow"}}, default="position"
        Sentence representation: position encoding or bag of words.
    temporal : bool, default=True
        Add temporal (recency) embeddings to the memories.
    weight_tying : {{"adjacent", "layerwise"}}, default="adjacent"
        Adjacent (``A^{{k+1}} = C^k``) or layer-wise (shared ``A``, ``C``,
        plus a linear map ``H``) weight tying.
    time_features : bool, default=False
        Add write-time scores to each hop's match, weighted by the
        controller state: recency, and order and distance relative to the
        previous hop's read (as :class:`MemNNClassifier`). On bAbI 1k they
        help the chains of facts (tasks 2 and 3) and hurt compound
        coreference (task 13), hence off by default.
    null_memory : bool, default=True
        Let each hop's softmax also weigh an empty memory of match score 0,
        so that a hop can read nothing when no sentence matches, as the
        empty slots of the reference code's fixed-size memory allow. On
        bAbI 1k the yes/no tasks 6, 9 and 10 need it (their errors more
        than halve). The attention weights then sum to at most one.
    linear_start : int or "auto", default=20
        Epochs trained with the softmax of the attention removed; ``0``
        disables linear start; ``"auto"`` ends it once the validation loss
        has not fallen for 3 epochs (needs ``validation_fraction``).
        ``max_epochs`` counts these epochs too.
    random_noise : float, default=0.1
        Fraction of empty memories virtually inserted while training
        (regularizes the temporal embeddings).
    init_std : float, default=0.1
        Standard deviation of the normal weight initialization.
    n_init : int, default=3
        Number of models trained from different seeds, keeping the one of
        lowest training loss. With an integer ``linear_start`` they are
        compared 5 epochs after it ends and only the best trains on, so
        each extra seed costs ``linear_start + 5`` epochs; otherwise each
        trains to the end. The paper keeps the best of 10 by training error:
        some tasks fail from some initializations and show it early (bAbI
        task 16: training loss near 36 against 16-20 at the end of linear
        start; task 8: the run that fits best linearly can fail once the
        softmax is on).
    {_TRAINING_NOTE.format(halving=25, after=" after linear start")}
    {{training_parameters}}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Answer labels.
    vocab_size_ : int
        Number of word ids.
    answer_ids_ : ndarray of shape (n_classes,) or None
        Word id of each class when the answer matrix is tied (``fit`` got
        ``vocabulary``), else ``None``.
    input_shapes_ : dict
        Per-sample shape of each input seen in fit.
    {{fitted_attributes}}

    See Also
    --------
    MemNNClassifier : Key-value Memory Network, strongly supervisable.
    skmem.preprocessing.StoryVectorizer : Stories and questions to token ids.

    Notes
    -----
    {_FIT_NOTES}

    Tying the answer matrix to the last output embedding needs the words
    behind the classes; pass ``vocabulary`` to :meth:`fit` (in a pipeline,
    ``pipe.fit(X, y, memn2nclassifier__vocabulary=vec.vocabulary_)`` with
    ``vec`` a ``StoryVectorizer`` fitted on the same ``X, y``, which learns
    the same vocabulary). Without it ``W`` is a separate matrix.

    The history records ``linear_start`` and ``lr`` for each epoch.

    References
    ----------
    .. [1] Sukhbaatar, Szlam, Weston & Fergus, "End-To-End Memory Networks",
       NIPS 2015.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skmem import MemN2NClassifier
    >>> from skmem.datasets import make_babi
    >>> from skmem.preprocessing import StoryVectorizer
    >>> X, y = make_babi(1, n_samples=200, random_state=0)
    >>> qa = make_pipeline(StoryVectorizer(),
    ...                    MemN2NClassifier(max_epochs=5, linear_start=2, random_state=0))
    >>> qa.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> qa[-1].attention(qa[:-1].transform(X[:2])).shape[:2]
    (2, 3)
    """

    _module = MemN2N
    _linear_start = True

    def __init__(
        self,
        *,
        num_hops=3,
        embedding_dim=20,
        memory_size=50,
        encoding="position",
        temporal=True,
        weight_tying="adjacent",
        time_features=False,
        null_memory=True,
        linear_start=20,
        random_noise=0.1,
        init_std=0.1,
        lr_halving_epochs=25,
        n_init=3,
        max_epochs=120,
        batch_size=32,
        lr=0.005,
        optimizer="sgd",
        weight_decay=0.0,
        clip_grad_norm=40.0,
        validation_fraction=None,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.num_hops = num_hops
        self.embedding_dim = embedding_dim
        self.memory_size = memory_size
        self.encoding = encoding
        self.temporal = temporal
        self.weight_tying = weight_tying
        self.time_features = time_features
        self.null_memory = null_memory
        self.linear_start = linear_start
        self.random_noise = random_noise
        self.init_std = init_std
        self.lr_halving_epochs = lr_halving_epochs
        self.n_init = n_init
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

    def _screening_epochs(self, epochs):
        # a few epochs past the switch to softmax: some runs fit well linearly
        # and then fail with the softmax (bAbI task 8)
        linear = self.linear_start
        if isinstance(linear, numbers.Integral) and not isinstance(linear, bool) and linear > 0:
            screen = int(linear) + _EPOCHS_AFTER_SWITCH
            return screen if screen < epochs else None
        return None

    def _module_params(self):
        return dict(
            vocab_size=self.vocab_size_,
            n_answers=self.n_classes_,
            embedding_dim=self.embedding_dim,
            num_hops=self.num_hops,
            memory_size=self.memory_size,
            encoding=self.encoding,
            temporal=self.temporal,
            weight_tying=self.weight_tying,
            time_features=self.time_features,
            null_memory=self.null_memory,
            random_noise=self.random_noise,
            answer_ids=None if self.answer_ids_ is None else self.answer_ids_.tolist(),
            init_std=self.init_std,
        )


@fill_doc(max_epochs=60, lr=0.01, optimizer="sgd", clip_grad_norm=40.0)
class MemNNClassifier(_MemoryNetworkMixin, NeuralClassifier):
    __doc__ = f"""Memory Network (key-value memory) for question answering.

    The story is written into memory as key and value embeddings; each of
    ``num_hops`` lookups reads the values with a softmax over the keys'
    match with the query and over their write times (recency, and order
    relative to the memory read before) and updates the query; a small non-linear
    response module scores the answers from what the hops read. Trained weakly (answers only) by default; when
    ``X`` holds ``supporting_facts`` the lookups are strongly supervised:
    hop ``j`` is trained to find the ``j``-th supporting fact.

    Parameters
    ----------
    num_hops : int, default=5
        Number of memory lookups. With strong supervision hop ``j`` looks for
        the ``j``-th supporting fact; bAbI's counting and list questions
        (tasks 7 and 8) rest on up to 8 facts, and 5 hops answer them better
        than 3 (12 and 4% error against 19 and 9%).
    embedding_dim : int, default=20
        Size of the word and memory embeddings.
    memory_size : int, default=50
        Most memory slots a story may have.
    encoding : {{"position", "bow"}}, default="position"
        Sentence representation: position encoding or bag of words.
    temporal : bool, default=False
        Add temporal embeddings (one learned vector per position, as in
        MemN2N) to keys and values.
    response_hidden : int or None, default=64
        Width of the hidden ReLU layer of the response module, which reads
        the question and what every hop read; ``None`` scores the answers
        linearly from the last query.
    time_features : bool, default=True
        Score each memory by features of its write time, weighted by what
        the query asks for: its recency, and from the second hop on whether
        it was written before or after the memory the previous hop read and
        how far from it (the original model's time features; they hold for
        stories of any length).
    question_match : bool, default=True
        Mark, in what each hop reads, the words of the fact that also occur
        in the question (a learned vector at each, weighted like the words):
        the response then sees whether the entity asked about is a fact's
        subject or object. On bAbI 1k positional reasoning (task 17) drops
        from about 43% to 26% error with it.
    supervision_weight : float, default=1.0
        Weight of the supporting-fact loss (cross-entropy of each hop's
        attention against its fact, summed over the batch like the answer
        loss); used only when ``X`` has ``supporting_facts``.
    init_std : float, default=0.1
        Standard deviation of the normal weight initialization.
    {_TRAINING_NOTE.format(halving=15, after="")}
    {{training_parameters}}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Answer labels.
    vocab_size_ : int
        Number of word ids.
    answer_ids_ : ndarray of shape (n_classes,) or None
        Word id of each class when ``fit`` got ``vocabulary``, else
        ``None`` (this model keeps its own answer matrix either way).
    input_shapes_ : dict
        Per-sample shape of each input seen in fit.
    {{fitted_attributes}}

    See Also
    --------
    MemN2NClassifier : End-To-End Memory Network, trained from answers only.

    Notes
    -----
    {_FIT_NOTES}

    ``supporting_facts`` is int64 (n_samples, n_facts): the memory slot (in
    ``X["story"]``, after the story was cut to its most recent sentences) of
    each supporting fact in the order the hops should read them, ``-1``
    where there is none. Only ``fit`` reads it; ``predict`` ignores it.

    References
    ----------
    .. [1] Weston, Chopra & Bordes, "Memory Networks", ICLR 2015.
    .. [2] Miller et al., "Key-Value Memory Networks for Directly Reading
       Documents", EMNLP 2016.
    .. [3] Weston et al., "Towards AI-Complete Question Answering: A Set of
       Prerequisite Toy Tasks", 2015 (strong supervision on bAbI).

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skmem import MemNNClassifier
    >>> from skmem.datasets import make_babi
    >>> from skmem.preprocessing import StoryVectorizer
    >>> X, y = make_babi(1, n_samples=200, random_state=0)
    >>> sorted(StoryVectorizer().fit(X, y).transform(X[:2]))  # supporting facts included
    ['question', 'story', 'supporting_facts']
    >>> qa = make_pipeline(StoryVectorizer(), MemNNClassifier(max_epochs=5, random_state=0))
    >>> qa.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> qa[-1].attention(qa[:-1].transform(X[:2])).shape[:2]
    (2, 5)
    """

    _module = MemNN

    def __init__(
        self,
        *,
        num_hops=5,
        embedding_dim=20,
        memory_size=50,
        encoding="position",
        temporal=False,
        response_hidden=64,
        time_features=True,
        question_match=True,
        supervision_weight=1.0,
        init_std=0.1,
        lr_halving_epochs=15,
        max_epochs=60,
        batch_size=32,
        lr=0.01,
        optimizer="sgd",
        weight_decay=0.0,
        clip_grad_norm=40.0,
        validation_fraction=None,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.num_hops = num_hops
        self.embedding_dim = embedding_dim
        self.memory_size = memory_size
        self.encoding = encoding
        self.temporal = temporal
        self.response_hidden = response_hidden
        self.time_features = time_features
        self.question_match = question_match
        self.supervision_weight = supervision_weight
        self.init_std = init_std
        self.lr_halving_epochs = lr_halving_epochs
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

    def _check_params(self):
        super()._check_params()
        weight = self.supervision_weight
        if not isinstance(weight, numbers.Real) or weight < 0:
            raise ValueError(f"supervision_weight must be a non-negative number, got {weight!r}.")

    def _module_params(self):
        return dict(
            vocab_size=self.vocab_size_,
            n_answers=self.n_classes_,
            embedding_dim=self.embedding_dim,
            num_hops=self.num_hops,
            memory_size=self.memory_size,
            encoding=self.encoding,
            temporal=self.temporal,
            response_hidden=self.response_hidden,
            time_features=self.time_features,
            question_match=self.question_match,
            init_std=self.init_std,
        )
