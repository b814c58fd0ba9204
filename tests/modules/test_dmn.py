import pickle

import pytest
import torch
import torch.nn.functional as F

from skmem.modules.dmn import (AttentionGRU, BiGRU, DMNPlus, _AttentionGRUSteps, _GRUSteps,
                               _reverse_within, _Tanh)

VOCAB, ANSWERS = 12, 5


def make_batch(B=4, M=6, L=5, n_real=(6, 3, 1, 4), seed=0):
    """Stories with n_real[b] non-empty slots first, then all-zero slots."""
    g = torch.Generator().manual_seed(seed)
    story = torch.randint(1, VOCAB, (B, M, L), generator=g)
    story[:, :, -1] = 0  # some word padding
    for b, n in enumerate(n_real):
        story[b, n:] = 0
    question = torch.randint(1, VOCAB, (B, L), generator=g)
    question[:, -2:] = 0
    return story, question


def test_forward_backward_shapes_and_every_parameter_learns():
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8, num_passes=3)
    story, question = make_batch()
    logits, gates = model(story, question, return_attention=True)
    assert logits.shape == (4, ANSWERS) and gates.shape == (4, 3, 6)
    assert model(story, question).shape == (4, ANSWERS)
    F.cross_entropy(logits, torch.tensor([0, 1, 2, 3])).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all(), name
    assert model.embedding.weight.grad[0].abs().sum() == 0  # padding row stays zero
    assert len(model.memory_updates) == 3  # untied memory update per pass


def test_gates_sum_to_one_over_real_facts_and_are_zero_elsewhere():
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8, null_fact=False).eval()
    story, question = make_batch()
    _, gates = model(story, question, return_attention=True)
    empty = story.eq(0).all(-1)  # (B, M)
    assert gates.masked_select(empty.unsqueeze(1)).abs().max() == 0
    torch.testing.assert_close(gates.sum(-1), torch.ones(4, 3))
    model.null_fact = True  # an empty fact of score 0 takes the rest
    _, gates = model(story, question, return_attention=True)
    assert gates.masked_select(empty.unsqueeze(1)).abs().max() == 0
    assert ((gates.sum(-1) > 0) & (gates.sum(-1) < 1)).all()


def test_padding_never_changes_the_answer():
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8).eval()
    story, question = make_batch()
    logits, gates = model(story, question, return_attention=True)
    # more empty slots, longer sentences and questions: all padding
    padded_story = F.pad(story, (0, 3, 0, 4))
    padded_question = F.pad(question, (0, 3))
    logits2, gates2 = model(padded_story, padded_question, return_attention=True)
    torch.testing.assert_close(logits2, logits)
    torch.testing.assert_close(gates2[:, :, :6], gates)
    assert gates2[:, :, 6:].abs().max() == 0
    # each story alone (its own batch, cut to its own length) answers the same
    for b in range(4):
        torch.testing.assert_close(model(story[b : b + 1], question[b : b + 1]), logits[b : b + 1])


def test_facts_see_both_directions():
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8).eval()
    story, question = make_batch(n_real=(6, 6, 6, 6))
    mask = story.ne(0).any(-1)
    facts = model._facts(story, mask)
    changed = story.clone()
    changed[:, -1] = torch.randint(1, VOCAB, changed[:, -1].shape)  # the last sentence only
    facts2 = model._facts(changed, mask)
    assert not torch.allclose(facts2[:, 0], facts[:, 0])  # the first fact hears of it (backward GRU)
    earlier = story.clone()
    earlier[:, 0] = torch.randint(1, VOCAB, earlier[:, 0].shape)
    assert not torch.allclose(model._facts(earlier, mask)[:, -1], facts[:, -1])  # forward GRU


def test_reverse_within_reverses_the_real_steps_only():
    x = torch.arange(10.0).view(2, 5, 1)
    out = _reverse_within(x, torch.tensor([3, 5]))
    assert out[0, :, 0].tolist() == [2, 1, 0, 3, 4]
    assert out[1, :, 0].tolist() == [9, 8, 7, 6, 5]
    torch.testing.assert_close(_reverse_within(out, torch.tensor([3, 5])), x)


def test_attention_gru_gates():
    gru = AttentionGRU(4, 6)
    x = torch.randn(3, 5, 4)
    assert gru(x, torch.zeros(3, 5)).abs().max() == 0  # nothing read: initial state
    # a step with gate 0 is skipped; gate 1 is a full update from the previous state
    gates = torch.tensor([[1.0, 0.0, 1.0, 0.0, 0.0]] * 3)
    h = gru(x, gates)
    torch.testing.assert_close(h, gru(x[:, [0, 2]], torch.ones(3, 2)))
    # one step by hand
    xr, xh = gru.input_map(x[:, 0]).chunk(2, -1)
    hr, hh = gru.hidden_map(torch.zeros(3, 6)).chunk(2, -1)
    expected = torch.tanh(xh + torch.sigmoid(xr + hr) * hh)
    torch.testing.assert_close(gru(x[:, :1], torch.ones(3, 1)), expected)
    torch.testing.assert_close(gru(x[:, :1], torch.full((3, 1), 0.25)), 0.25 * expected)


def test_dropout_only_in_training_and_pickles():
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8, dropout=0.5)
    story, question = make_batch()
    model.train()
    assert not torch.equal(model(story, question), model(story, question))
    model.eval()
    restored = pickle.loads(pickle.dumps(model))
    torch.testing.assert_close(restored(story, question), model(story, question))


@pytest.mark.parametrize("kwargs", [
    dict(hidden_size=0), dict(num_passes=0), dict(dropout=1.0), dict(question_encoding="bow"),
    dict(embedding_std=0.0),
])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        DMNPlus(VOCAB, ANSWERS, **kwargs)
    with pytest.raises(ValueError, match="expected story"):
        DMNPlus(VOCAB, ANSWERS)(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 3, dtype=torch.long))


def test_bigru_matches_two_torch_grus():
    bigru = BiGRU(4, 6)
    grus = [torch.nn.GRU(4, 6, batch_first=True) for _ in range(2)]
    with torch.no_grad():
        for k, gru in enumerate(grus):
            torch.nn.init.normal_(bigru.bias_ih[k])
            torch.nn.init.normal_(bigru.bias_hh[k])
            gru.weight_ih_l0.copy_(bigru.weight_ih[k].t())
            gru.weight_hh_l0.copy_(bigru.weight_hh[k].t())
            gru.bias_ih_l0.copy_(bigru.bias_ih[k, 0])
            gru.bias_hh_l0.copy_(bigru.bias_hh[k, 0])
    x, lengths = torch.randn(3, 5, 4), torch.tensor([5, 2, 4])
    forward, _ = grus[0](x)
    for b, n in enumerate(lengths.tolist()):  # the backward GRU reads each row's real steps only
        backward, _ = grus[1](x[b : b + 1, :n].flip(1))
        expected = forward[b, :n] + backward[0].flip(0)
        torch.testing.assert_close(bigru(x, lengths)[b, :n], expected)


@pytest.mark.parametrize("question_encoding", ["position", "gru"])
@pytest.mark.parametrize("fusion_skip", [True, False])
def test_paper_variants_run(question_encoding, fusion_skip):
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8, question_encoding=question_encoding,
                    fusion_skip=fusion_skip).eval()
    story, question = make_batch()
    assert (model.question_gru is None) == (question_encoding == "position")
    logits = model(story, question)
    torch.testing.assert_close(model(F.pad(story, (0, 2, 0, 2)), F.pad(question, (0, 2))), logits)


def test_time_features_start_neutral_and_learn():
    torch.manual_seed(0)
    plain = DMNPlus(VOCAB, ANSWERS, hidden_size=8).eval()
    torch.manual_seed(0)
    timed = DMNPlus(VOCAB, ANSWERS, hidden_size=8, time_features=True).eval()
    story, question = make_batch()
    logits = timed(story, question)
    torch.testing.assert_close(logits, plain(story, question))  # zero weights: no preference
    F.cross_entropy(logits, torch.tensor([0, 1, 2, 3])).backward()
    assert timed.time_score.weight.grad.abs().sum() > 0
    assert plain.time_score is None


def test_time_features_move_the_next_pass_relative_to_the_last():
    model = DMNPlus(VOCAB, ANSWERS, hidden_size=8, time_features=True, null_fact=False).eval()
    with torch.no_grad():
        model.time_score.bias[0, 0] = -30.0  # pass 1: the oldest fact
        model.time_score.bias[1, 1:] = torch.tensor([-30.0, -30.0, 30.0, -30.0])  # then the next
    story, question = make_batch(n_real=(6, 3, 2, 4))
    _, gates = model(story, question, return_attention=True)
    assert (gates[:, 0, 0] > 0.99).all()
    assert (gates[:, 1, 1] > 0.99).all()


def test_recurrences_backward_matches_numerical_gradients():
    torch.manual_seed(0)
    T, K, B, H = 4, 2, 3, 5
    inputs = torch.randn(K, T, B, 3 * H, dtype=torch.double, requires_grad=True)
    weight = torch.randn(K, H, 3 * H, dtype=torch.double, requires_grad=True)
    bias = torch.randn(K, 1, 3 * H, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(_GRUSteps.apply, (inputs, weight, bias))
    inputs = torch.randn(T, B, 2 * H, dtype=torch.double, requires_grad=True)
    gates = torch.rand(T, B, 1, dtype=torch.double, requires_grad=True)
    weight = torch.randn(2 * H, H, dtype=torch.double, requires_grad=True)
    bias = torch.randn(2 * H, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(_AttentionGRUSteps.apply, (inputs, gates, weight, bias))


def test_bigru_gradients_match_torch_gru():
    bigru = BiGRU(4, 6)
    gru = torch.nn.GRU(4, 6, batch_first=True)
    with torch.no_grad():
        torch.nn.init.normal_(bigru.bias_hh)
        gru.weight_ih_l0.copy_(bigru.weight_ih[0].t())
        gru.weight_hh_l0.copy_(bigru.weight_hh[0].t())
        gru.bias_ih_l0.copy_(bigru.bias_ih[0, 0])
        gru.bias_hh_l0.copy_(bigru.bias_hh[0, 0])
        bigru.weight_hh[1].zero_()  # the backward direction: a constant
        bigru.weight_ih[1].zero_()
    x = torch.randn(3, 5, 4, requires_grad=True)
    weights = torch.randn(3, 5, 6)
    (bigru(x, torch.tensor([5, 2, 4])) * weights).sum().backward()
    ours = x.grad.clone(), bigru.weight_hh.grad[0], bigru.bias_hh.grad[0, 0]
    x.grad = None
    (gru(x)[0] * weights).sum().backward()
    for a, b in zip(ours, (x.grad, gru.weight_hh_l0.grad.t(), gru.bias_hh_l0.grad)):
        torch.testing.assert_close(a, b)


def test_tanh_matches_torch():
    x = torch.randn(50, dtype=torch.double) * 4
    torch.testing.assert_close(_Tanh.apply(x.clone()), torch.tanh(x))
    assert torch.autograd.gradcheck(lambda v: _Tanh.apply(v * 1), (x.requires_grad_(),))
