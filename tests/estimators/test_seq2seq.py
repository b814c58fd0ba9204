"""Seq2SeqTranslator and the encoder-decoder modules: teacher forcing against
step-by-step decoding, beam search against brute force, batched decoding,
attention, the sklearn contract on string input, bad input."""

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skmem import Seq2SeqTranslator
from skmem.datasets import make_dates
from skmem.estimators._seq2seq import _bleu, _exact_match
from skmem.modules.seq2seq import GRUSeq2Seq, TransformerSeq2Seq, beam_search

WORDS = {"one": "un", "two": "deux", "three": "trois", "four": "quatre"}
ARCHITECTURES = [
    dict(architecture="gru-attention", attention="additive"),
    dict(architecture="gru-attention", attention="dot"),
    dict(architecture="transformer", num_heads=2),
]


def _words():
    """Every three-word sentence of WORDS and its word-by-word translation."""
    X = [" ".join(s) for s in itertools.product(WORDS, repeat=3)]
    return X, [" ".join(WORDS[w] for w in s.split()) for s in X]


def _small(**params):
    base = dict(hidden_size=16, num_layers=1, max_epochs=2, random_state=0)
    return Seq2SeqTranslator(**{**base, **params})


@pytest.fixture(scope="module")
def dates():
    return make_dates(80, random_state=0)


@pytest.fixture(scope="module", params=ARCHITECTURES, ids=lambda p: "-".join(map(str, p.values())))
def fitted_words(request):
    """A translator trained on the word task until it is perfect."""
    X, y = _words()
    model = Seq2SeqTranslator(
        hidden_size=32, num_layers=1, max_epochs=40, lr=0.01, batch_size=16, dropout=0.0,
        metric="exact_match", random_state=0, **request.param,
    ).fit(X, y)
    return model, X, y


# ---------------------------------------------------------------- modules


def _modules():
    torch.manual_seed(0)
    return [
        GRUSeq2Seq(12, 9, hidden_size=8, attention="additive"),
        GRUSeq2Seq(12, 9, hidden_size=8, num_layers=2, attention="dot", embedding_dim=6),
        TransformerSeq2Seq(12, 9, d_model=8, num_heads=2, num_layers=2, dropout=0.0),
    ]


def _batch():
    g = torch.Generator().manual_seed(0)
    source = torch.randint(2, 12, (4, 7), generator=g)
    source[1, 3:] = 0
    source[2, 1:] = 0
    target = torch.randint(2, 7, (4, 6), generator=g)
    target[:, 0] = 7  # start token
    target[3, 4:] = 0
    return source, target


@pytest.mark.parametrize("module", _modules(), ids=lambda m: type(m).__name__)
def test_step_by_step_decoding_matches_teacher_forcing(module):
    module.eval()
    source, target = _batch()
    logits = module(source, target)  # (B, T - 1, V)
    assert logits.shape == (4, 5, 9)
    state = module.encode(source)
    steps = []
    for t in range(target.shape[1] - 1):
        step_logits, weights, state = module.step(state, target[:, t], t)
        steps.append(step_logits)
        torch.testing.assert_close(weights.sum(-1), torch.ones(4))
        assert (weights[2, 1:] == 0).all()  # padding of a one-token source gets nothing
    torch.testing.assert_close(torch.stack(steps, 1), logits, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("module", _modules(), ids=lambda m: type(m).__name__)
def test_padding_changes_nothing_and_gradients_flow(module):
    module.eval()
    source, target = _batch()
    padded = torch.cat([source, torch.zeros(4, 3, dtype=torch.long)], dim=1)
    torch.testing.assert_close(module(padded, target), module(source, target))
    module.train()
    module(source, target).sum().backward()
    assert all(p.grad is not None for n, p in module.named_parameters() if "embed" not in n)


def _sequence_logprobs(module, source, sequences, bos):
    """Log-probability of each sequence (tokens after the start token), by
    teacher forcing with the start token and padding banned, as beam_search does."""
    L = max(map(len, sequences))
    target = torch.zeros(len(sequences), L + 1, dtype=torch.long)
    target[:, 0] = bos
    for i, seq in enumerate(sequences):
        target[i, 1 : len(seq) + 1] = torch.tensor(seq)
    with torch.no_grad():
        logits = module(source.expand(len(sequences), -1), target)  # (N, L, V)
    logits[:, :, [0, bos]] = float("-inf")
    logp = torch.log_softmax(logits, -1).gather(2, target[:, 1:, None].clamp(min=1))[..., 0]
    return logp.masked_fill(target[:, 1:] == 0, 0.0).sum(1)


@pytest.mark.parametrize("module", _modules(), ids=lambda m: type(m).__name__)
def test_wide_beam_finds_the_most_probable_sequence(module):
    """With more beams than sequences, beam search is exhaustive."""
    module.eval()
    bos, eos, max_len, V = 7, 8, 3, 9
    source = _batch()[0][:1]
    words = [t for t in range(1, V) if t != bos]  # every token but padding and start
    candidates = [
        seq for n in range(1, max_len + 1) for seq in itertools.product(words, repeat=n)
        if eos not in seq[:-1] and (seq[-1] == eos or n == max_len)
    ]
    best = candidates[int(_sequence_logprobs(module, source, candidates, bos).argmax())]
    tokens, attention = beam_search(module, source, bos=bos, eos=eos, max_len=max_len,
                                    beam_size=len(candidates), length_penalty=0.0,
                                    banned=(0, bos))
    found = [t for t in tokens[0].tolist() if t != 0]
    assert tuple(found) == best
    assert attention.shape[:2] == tokens.shape


@pytest.mark.parametrize("module", _modules(), ids=lambda m: type(m).__name__)
def test_beam_of_one_is_greedy_and_batching_changes_nothing(module):
    module.eval()
    source = _batch()[0]
    tokens, _ = beam_search(module, source, bos=7, eos=8, max_len=5, beam_size=1, banned=(0, 7))
    state, step_tokens, greedy = module.encode(source), torch.full((4,), 7), []
    for t in range(5):
        logits, _, state = module.step(state, step_tokens, t)
        logits[:, [0, 7]] = float("-inf")
        step_tokens = logits.argmax(-1)
        greedy.append(step_tokens)
    greedy = torch.stack(greedy, 1)
    ended = (greedy == 8).cumsum(1) - (greedy == 8).long() > 0  # after the first end token
    greedy = greedy.masked_fill(ended, 0)
    width = tokens.shape[1]  # beam search stops once every row has ended
    np.testing.assert_array_equal(tokens, greedy[:, :width])
    assert not greedy[:, width:].any()
    for beam in (1, 3):
        together, _ = beam_search(module, source, bos=7, eos=8, max_len=5, beam_size=beam,
                                  banned=(0, 7))
        for i in range(4):
            alone, _ = beam_search(module, source[i : i + 1], bos=7, eos=8, max_len=5,
                                   beam_size=beam, banned=(0, 7))
            width = alone.shape[1]
            assert together[i, :width].tolist() == alone[0].tolist()
            assert not together[i, width:].any()


def test_module_arguments_are_checked():
    with pytest.raises(ValueError, match="attention must be one of"):
        GRUSeq2Seq(5, 5, attention="concat")
    with pytest.raises(ValueError, match="divisible"):
        TransformerSeq2Seq(5, 5, d_model=10, num_heads=4)
    with pytest.raises(ValueError, match="dropout"):
        GRUSeq2Seq(5, 5, dropout=1.0)


# ---------------------------------------------------------------- estimator


def test_learns_word_translation_and_generalizes(fitted_words):
    model, X, y = fitted_words
    assert model.score(X, y) == 1.0
    predictions = model.predict(pd.Series(X[:5], index=range(10, 15)))
    assert isinstance(predictions, np.ndarray) and predictions.dtype == object
    assert predictions.tolist() == y[:5]
    greedy = model.predict(X)
    try:  # decoding parameters apply to a fitted model
        assert model.set_params(beam_size=3).predict(X).tolist() == greedy.tolist()
    finally:
        model.set_params(beam_size=1)


def test_translate_with_attention(fitted_words):
    model, X, _ = fitted_words
    alignments = model.translate_with_attention(X[:4] + ["one   two, five"])
    assert len(alignments) == 5
    for source, target, weights in alignments:
        assert weights.shape == (len(target), len(source))
        np.testing.assert_allclose(weights.sum(1), 1.0, rtol=1e-5)
    source, target, weights = alignments[0]
    assert source == X[0].split() and target == [*model.predict(X[:1])[0].split(), "<eos>"]
    assert alignments[4].source == ["one", "two", ","]  # as read: cut to 3 tokens, "," unknown
    if model.attention == "additive" and model.architecture == "gru-attention":
        # a word-by-word translation: each output word reads its source word most
        np.testing.assert_array_equal(weights[:3].argmax(1), [0, 1, 2])


def test_char_level_dates_batched_prediction_and_beam(dates):
    X, y = dates
    model = _small(analyzer="char", max_epochs=3, lr=0.01).fit(X, y)
    assert model.target_tokens_[-2:] == ["<bos>", "<eos>"]
    assert set(model.target_tokens_[2:-2]) == set("0123456789-")
    assert model.max_target_len_ == 10
    predictions = model.predict(X)
    assert [model.predict([x])[0] for x in X[:6]] == predictions[:6].tolist()
    assert all(len(p) <= 20 for p in predictions)  # max_output_len: twice the longest target
    short = model.set_params(max_output_len=4, beam_size=3).predict(X)
    assert all(len(p) <= 4 for p in short)
    assert model.set_params(max_output_len=None).predict([""]).shape == (1,)


def test_fit_accepts_series_and_keeps_inputs(dates):
    X, y = dates
    X_series, y_series = pd.Series(X), pd.Series(y)
    model = _small(analyzer="char", target_analyzer="char", lowercase=True)
    model.fit(X_series, y_series)
    pd.testing.assert_series_equal(X_series, pd.Series(X))
    assert model.source_vectorizer_.lowercase and not model.target_vectorizer_.lowercase
    assert "M" not in model.source_vectorizer_.vocabulary_


def test_same_seed_same_model_and_pickle(dates):
    X, y = dates
    first = _small(analyzer="char").fit(X, y)
    second = _small(analyzer="char").fit(X, y)
    assert first.history_[-1, "train_loss"] == second.history_[-1, "train_loss"]
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(restored.predict(X), first.predict(X))
    other = _small(analyzer="char", random_state=1).fit(X, y)
    assert other.history_[-1, "train_loss"] != first.history_[-1, "train_loss"]


def test_grid_search_compares_architectures_in_a_pipeline(dates):
    X, y = dates
    pipe = make_pipeline(FunctionTransformer(), _small(analyzer="char", num_heads=2, max_epochs=1))
    search = GridSearchCV(
        pipe, {"seq2seqtranslator__architecture": ["gru-attention", "transformer"]}, cv=2
    ).fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(X[:3]).shape == (3,)


def test_partial_fit_warm_start_and_validation(dates):
    X, y = dates
    model = _small(analyzer="char", validation_fraction=0.25)
    model.partial_fit(X, y)
    net = model.net_
    model.partial_fit(X, y)
    assert model.net_ is net and len(model.history_) == 2
    assert "valid_loss" in model.history_[-1]
    warm = _small(analyzer="char", warm_start=True, max_epochs=1).fit(X, y)
    net = warm.net_
    warm.fit(X, y)
    assert warm.net_ is net and len(warm.history_) == 2


def test_metrics():
    assert _exact_match(["a b", "c"], ["a  b", "d"], "word") == 0.5
    assert _exact_match(["ab"], ["a b"], "char") == 0.0
    assert _bleu(["2021-03-03"], ["2021-03-03"], "char") == pytest.approx(1.0)
    assert 0 < _bleu(["2021-03-04"], ["2021-03-03"], "char") < 1
    sentence = "the cat sat on the mat ."
    assert _bleu([sentence], [sentence.replace(" .", ".")], "word") == pytest.approx(1.0)


def test_score_follows_metric(fitted_words):
    model, X, y = fitted_words
    assert model.score(X, y) == 1.0  # exact match
    assert model.score(X, ["un"] * len(X)) == 0.0
    references = [f"{t} ." for t in y]
    try:
        bleu = model.set_params(metric="bleu").score(X, references)
    finally:
        model.set_params(metric="exact_match")
    assert bleu == pytest.approx(_bleu(model.predict(X), references, "word"))


def test_word_level_output_spacing():
    X = ["hello world", "good night", "hello night"]
    y = ["Bonjour, monde !", "Bonne nuit.", "(Bonjour) nuit?"]
    model = Seq2SeqTranslator(hidden_size=32, num_layers=1, max_epochs=60, lr=0.01,
                              dropout=0.0, random_state=0).fit(X, y)
    assert model.predict(X).tolist() == ["Bonjour, monde!", "Bonne nuit.", "(Bonjour) nuit?"]
    assert model.set_params(metric="exact_match").score(X, y) == 1.0  # token by token


def test_tags_say_one_d_strings():
    tags = Seq2SeqTranslator().__sklearn_tags__()
    assert tags.input_tags.string and tags.input_tags.one_d_array
    assert not tags.input_tags.two_d_array and tags.target_tags.required


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(architecture="lstm"), "architecture must be one of"),
        (dict(attention="concat"), "attention must be one of"),
        (dict(analyzer="bpe"), "analyzer must be one of"),
        (dict(target_analyzer="bpe"), "target_analyzer must be None"),
        (dict(metric="accuracy"), "metric must be one of"),
        (dict(beam_size=0), "beam_size must be a positive integer"),
        (dict(max_output_len=2.5), "max_output_len must be a positive integer"),
        (dict(length_penalty=-1), "length_penalty must be a non-negative"),
        (dict(lr=0), "lr must be a positive number"),
    ],
)
def test_bad_parameters(params, message, dates):
    X, y = dates
    with pytest.raises(ValueError, match=message):
        _small(**params).fit(X, y)


def test_bad_input(dates):
    X, y = dates
    model = _small(analyzer="char")
    with pytest.raises(ValueError, match="single string"):
        model.fit("3 March 2021", y)
    with pytest.raises(ValueError, match="entry 1"):
        model.fit([X[0], None], y[:2])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="y is None"):
        model.fit(X, None)
    with pytest.raises(ValueError, match="empty"):
        model.fit([], [])
    model.fit(X, y)
    with pytest.raises(ValueError, match="shape"):
        model.predict(np.array([X[:2], X[2:4]]))
    with pytest.raises(ValueError, match="inconsistent"):
        model.score(X, y[:-1])


def test_plot_alignment(fitted_words):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skmem.plotting import plot_alignment

    model, X, _ = fitted_words
    ax = plot_alignment(make_pipeline(FunctionTransformer(), model), X[1])
    assert [t.get_text() for t in ax.get_xticklabels()] == X[1].split()
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "<eos>"
    assert "->" in ax.get_title()
    with pytest.raises(ValueError, match="one sentence"):
        plot_alignment(model, X[:2])
    with pytest.raises(TypeError, match="translate_with_attention"):
        plot_alignment(FunctionTransformer(), X[0])
    matplotlib.pyplot.close("all")
