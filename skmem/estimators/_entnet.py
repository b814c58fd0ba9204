"""Recurrent Entity Network estimator for question answering over stories.

``EntNetClassifier`` (Henaff et al. 2017) eats the output of
:class:`skmem.preprocessing.StoryVectorizer`, like the memory networks of
:mod:`skmem.estimators._memnet`, whose input checks, answer tying and
learning-rate schedule it shares. What is its own: the global gradient-norm
clipping and (fused) Adam of the authors' code, early stopping on a
validation split (restoring the best epoch), restarts picked by validation
loss, and training batches of stories of similar length: the module reads a
batch up to its longest story, so a batch costs about its stories' length
rather than the longest story of the data set.
"""

import inspect
from collections.abc import Mapping

import numpy as np
import torch
from skorch.callbacks import GradientNormClipping
from sklearn.utils.validation import check_is_fitted

from skmem.estimators._base import NeuralClassifier, TensorDataset, _EarlyStopping, _silent, fill_doc
from skmem.estimators._memnet import _TRAINING_NOTE, _MemoryNetworkMixin
from skmem.estimators._ntm import _LengthBucketIterator
from skmem.modules._blocks import last_valid
from skmem.modules.entnet import EntNet


class _StoryDataset(TensorDataset):
    """Stories with the number of sentences each needs, ``lengths`` (up to
    its last non-empty one), by which training batches are bucketed."""

    def __init__(self, X, y=None):
        super().__init__(X, y)
        story = X["story"] if isinstance(X, Mapping) else None
        self.lengths = None if story is None else last_valid(story.ne(0).any(-1))  # (n,)


@fill_doc(max_epochs=200, lr=0.01, optimizer="adam", clip_grad_norm=40.0,
          validation_fraction=0.1)
class EntNetClassifier(_MemoryNetworkMixin, NeuralClassifier):
    __doc__ = f"""Recurrent Entity Network for question answering over stories.

    The story is read sentence by sentence into ``num_slots`` memory slots,
    each with a learned key; every slot decides through a gate how much of
    each sentence to write, and its content is kept on the unit sphere. The
    question then reads the slots with softmax attention, ``num_hops``
    times. The defaults are the paper's bAbI recipe (embedding 100, 20
    slots, learned position masks, PReLU, Adam at 0.01 halved every 25
    epochs, batches of 32, the loss summed over the batch and the gradient
    norm clipped to 40, the best of several runs by validation error) with
    what 1,000 training stories per task need against overfitting: 10% of
    them held out, training stopped once their loss has not fallen for
    ``n_iter_no_change`` epochs (keeping the best epoch), dropout on the
    word embeddings, a second read of the slots, and weights started
    three times wider than the authors' (``init_std``).

    Parameters
    ----------
    num_slots : int, default=20
        Number of memory slots (entities the model can track), each with a
        learned key.
    key_words : sequence of str or None, default=None
        Tie the keys to these words' embeddings, one slot per word (the
        paper's keys tied to entities, e.g. the names, places and objects
        of the stories); ``num_slots`` is then unused. Needs ``vocabulary``
        in :meth:`fit`.
    embedding_dim : int, default=100
        Size of the word embeddings, keys and slot contents.
    num_hops : int, default=2
        Reads of the slots by the output module, each refining the query
        with what the previous one read (the paper reads once; a second
        read lets the question follow one fact to the next, as the
        deductions of bAbI task 15 need).
    dropout : float, default=0.3
        Dropout on the word embeddings while training.
    init_std : float, default=0.3
        Standard deviation of the normal weight initialization (word
        embeddings, keys, gate biases and linear maps). The authors' code
        starts from 0.1; on 1,000 training questions the wider start finds
        the rule of a deduction (bAbI task 15) more often: single runs end
        within 11% test error from 8 seeds of 10, against 4 of 10 from
        0.1, whose other runs learn the training questions by heart.
    story_mask_init : {{"ones", "normal"}}, default="ones"
        Initial position masks of the story's sentences: ones, a bag of
        words (the question's masks always start so), or normal with
        ``init_std`` like the other weights, as in the authors' code, so
        that "the kitchen is north of the hallway" and "the hallway is north
        of the kitchen" differ from the start. Ones suit small training
        sets (bAbI 1k); with 10,000 questions, the authors' normal start
        learns chains of facts that ones do not (bAbI task 2: 0.2% test
        error against 1.8%, with ``dropout=0.0, num_hops=1, init_std=0.1``).
    n_iter_no_change : int or None, default=20
        Stop training once the validation loss has not improved for this
        many epochs and restore the weights of its best epoch; ``None``
        trains all ``max_epochs``. Needs ``validation_fraction``. A run
        can sit on a plateau for tens of epochs before it learns the rule:
        on 10,000 stories of bAbI task 16, a third of the seeds leave it
        and learn the task (the two timed, after 38 and 46 epochs); the
        others memorize their stories. ``n_init`` compares its restarts
        after 30 epochs, when a run that will learn may still sit there,
        so for such a task try seeds as separate fits with ``n_init=1``.
    n_init : int, default=3
        Number of models trained from different seeds; the one with the
        lowest validation loss (the lowest final training loss without a
        validation split) is kept. On 1,000 stories the error of a single
        run varies by several points from seed to seed; the authors keep
        the best of 10 runs by validation error. With a validation split
        the seeds are compared after 30 epochs and only the best trains on,
        so ``fit`` costs about ``30 (n_init - 1)`` epochs more than one
        seed; without one, each seed trains to the end.
    {_TRAINING_NOTE.format(halving=25, after="")}
    {{training_parameters}}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Answer labels.
    vocab_size_ : int
        Number of word ids.
    answer_ids_ : ndarray of shape (n_classes,) or None
        Word id of each class when the output matrix is tied to the word
        embeddings (``fit`` got ``vocabulary``), else ``None``.
    key_ids_ : ndarray of shape (len(key_words),) or None
        Word id of each key with ``key_words``, else ``None``.
    input_shapes_ : dict
        Per-sample shape of each input seen in fit.
    {{fitted_attributes}}

    See Also
    --------
    MemN2NClassifier : End-To-End Memory Network, which attends over the
        sentences instead of reading them into slots.
    skmem.preprocessing.StoryVectorizer : Stories and questions to token ids.

    Notes
    -----
    The answer loss is the cross-entropy **summed** over the batch, as in
    the authors' code; ``history_``'s ``train_loss`` is per batch and
    ``valid_loss`` per validation batch. There is no limit on the number of
    sentences; reading costs time in proportion to them, and the stories of
    a training batch are of similar length.

    Three views explain a prediction: :meth:`gates`, how strongly each
    sentence was written into each slot; :meth:`attention`, the same gates
    per slot, laid out like the per-hop attention of the memory networks
    (so ``skmem.plotting.plot_story_attention`` draws them, one column per
    slot); and :meth:`read_attention`, which slots the question read.

    Passing ``vocabulary`` to :meth:`fit` ties the output matrix to the
    word embeddings of the answers, as with ``MemN2NClassifier``.

    References
    ----------
    .. [1] Henaff, Weston, Szlam, Bordes & LeCun, "Tracking the World State
       with Recurrent Entity Networks", ICLR 2017.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skmem import EntNetClassifier
    >>> from skmem.datasets import make_babi
    >>> from skmem.preprocessing import StoryVectorizer
    >>> X, y = make_babi(1, n_samples=200, random_state=0)
    >>> qa = make_pipeline(StoryVectorizer(), EntNetClassifier(
    ...     embedding_dim=20, max_epochs=3, n_init=1, random_state=0))
    >>> qa.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> Xt = qa[:-1].transform(X[:2])
    >>> qa[-1].gates(Xt).shape == (2, Xt["story"].shape[1], 20)
    True
    """

    _module = EntNet
    _attention_step_name = "slot"  # attention's rows, for plot_story_attention

    def __init__(
        self,
        *,
        num_slots=20,
        key_words=None,
        embedding_dim=100,
        num_hops=2,
        dropout=0.3,
        init_std=0.3,
        story_mask_init="ones",
        n_iter_no_change=20,
        n_init=3,
        lr_halving_epochs=25,
        max_epochs=200,
        batch_size=32,
        lr=0.01,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=40.0,
        validation_fraction=0.1,
        callbacks=None,
        warm_start=False,
        device="cpu",
        accelerator=None,
        verbose=0,
        random_state=None,
    ):
        self.num_slots = num_slots
        self.key_words = key_words
        self.embedding_dim = embedding_dim
        self.num_hops = num_hops
        self.dropout = dropout
        self.init_std = init_std
        self.story_mask_init = story_mask_init
        self.n_iter_no_change = n_iter_no_change
        self.n_init = n_init
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

    _screening_after = 30  # the pick at the end of training, for a third less time (bAbI 1k)

    def _restart_loss(self, net):
        if self.validation_fraction is None:
            return super()._restart_loss(net)
        losses = net.history[:, "valid_loss"]
        return losses[-1] if self.n_iter_no_change is None else min(losses)  # the epoch kept

    def _validate_input(self, X, *, reset):
        out = super()._validate_input(X, reset=reset)
        if not reset:
            for key, axis in (("story", 2), ("question", 1)):
                fitted = self.input_shapes_[key][axis - 1]
                if out[key].size(axis) > fitted:
                    raise ValueError(
                        f"{key!r} has {out[key].size(axis)} words per sentence but "
                        f"{type(self).__name__} was fitted on at most {fitted}; vectorize "
                        f"with the StoryVectorizer used in fit."
                    )
        return out

    def _validate_target(self, y, *, reset, classes=None):
        y = super()._validate_target(y, reset=reset, classes=classes)
        if reset:
            self.key_ids_ = self._key_ids(getattr(self, "_fit_vocabulary", None))
            if self.key_ids_ is not None:
                self.vocab_size_ = max(self.vocab_size_, int(self.key_ids_.max()) + 1)
        return y

    def _key_ids(self, vocabulary):
        if self.key_words is None:
            return None
        if isinstance(self.key_words, str) or len(self.key_words) == 0:
            raise ValueError(f"key_words must be a non-empty sequence of words, got {self.key_words!r}.")
        if vocabulary is None:
            raise ValueError(
                "key_words ties the keys to word embeddings: pass the vectorizer's "
                "vocabulary to fit (fit(X, y, vocabulary=StoryVectorizer.vocabulary_))."
            )
        ids = [vocabulary.get(str(w), vocabulary.get(str(w).lower())) for w in self.key_words]
        missing = [w for w, i in zip(self.key_words, ids) if i is None]
        if missing:
            raise ValueError(f"key_words {missing[:5]} are not in the vocabulary.")
        return np.asarray(ids, dtype=np.int64)

    # ------------------------------------------------------------ training
    def _module_params(self):
        return dict(
            vocab_size=self.vocab_size_,
            n_answers=self.n_classes_,
            sentence_len=int(self.input_shapes_["story"][1]),
            question_len=int(self.input_shapes_["question"][0]),
            embedding_dim=self.embedding_dim,
            num_slots=self.num_slots,
            key_ids=None if self.key_ids_ is None else self.key_ids_.tolist(),
            num_hops=self.num_hops,
            answer_ids=None if self.answer_ids_ is None else self.answer_ids_.tolist(),
            dropout=self.dropout,
            init_std=self.init_std,
            story_mask_init=self.story_mask_init,
        )

    def _net_params(self):
        params = dict(super()._net_params(), dataset=_StoryDataset,
                      iterator_train=_LengthBucketIterator)
        # torch's fused optimizers take a quarter of the time of the per-tensor
        # loop, which shows at this model's small per-batch cost
        if "fused" in inspect.signature(self._optimizer()).parameters:
            params["optimizer__fused"] = True
        return params

    def _clipping_callback(self):
        return GradientNormClipping(gradient_clip_value=self.clip_grad_norm)

    def _default_callbacks(self):
        callbacks = super()._default_callbacks()
        if self.n_iter_no_change is not None:
            callbacks.append((
                "early_stopping",
                _EarlyStopping(monitor="valid_loss", patience=self.n_iter_no_change,
                               threshold=0.0, load_best=True,
                               sink=print if self.verbose else _silent),
            ))
        return callbacks

    # ------------------------------------------------------------ explanations
    def _explain(self, X, index):
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self.net_.forward(X, training=False, device="cpu")[index].double().numpy()

    def gates(self, X):
        """Gate activations: how strongly each sentence was written into each slot.

        In a pipeline ending with this estimator, pass the story through
        the preceding steps: ``pipe[-1].gates(pipe[:-1].transform(X))``.

        Parameters
        ----------
        X : dict or SliceDict
            As in :meth:`fit`.

        Returns
        -------
        gates : ndarray of shape (n_samples, n_sentences, num_slots)
            ``g_tj`` in [0, 1] for sentence ``t`` (``X["story"]``'s second
            axis, oldest first) and slot ``j``; zero at empty sentences.
        """
        return self.attention(X).transpose(0, 2, 1)

    def attention(self, X):
        """The gates per slot, laid out like the memory networks' attention.

        Parameters
        ----------
        X : dict or SliceDict
            As in :meth:`fit`.

        Returns
        -------
        attention : ndarray of shape (n_samples, num_slots, n_sentences)
            Row ``j`` holds how strongly slot ``j`` took in each sentence:
            :meth:`gates` with its last two axes swapped, the layout of
            ``MemN2NClassifier.attention`` (one row per hop there, per slot
            here) that ``skmem.plotting.plot_story_attention`` draws.
        """
        return self._explain(X, 1)

    def read_attention(self, X):
        """The output module's attention over the slots when answering.

        Parameters
        ----------
        X : dict or SliceDict
            As in :meth:`fit`.

        Returns
        -------
        read : ndarray of shape (n_samples, num_hops, num_slots)
            Softmax weights over the slots at each hop; they sum to one.
        """
        return self._explain(X, 2)
