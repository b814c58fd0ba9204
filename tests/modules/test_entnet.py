import pickle

import pytest
import torch
import torch.nn.functional as F

from skmem.modules._blocks import keep_mask
from skmem.modules.entnet import EntNet, entnet_memory

VOCAB, ANSWERS = 12, 5


def make_batch(n_real=(6, 3, 1, 4), M=6, L=5):
    """Stories of ``n_real[b]`` sentences then empty ones; the last word slot
    of every sentence and the last two of every question are padding."""
    g = torch.Generator().manual_seed(0)
    story = torch.randint(1, VOCAB, (len(n_real), M, L), generator=g)
    story[:, :, -1] = 0
    story[torch.arange(M) >= torch.tensor(n_real)[:, None]] = 0
    question = torch.randint(1, VOCAB, (len(n_real), L), generator=g)
    question[:, -2:] = 0
    return story, question


def reference_memory(h, s, key_gate, sentence_drive, key_drive, U, slope):
    """The dynamic memory written with autograd, the paper's equations one by one."""
    for t in range(s.size(0)):
        g = torch.sigmoid((h * s[t, :, None]).sum(-1) + key_gate[t])  # (B, S)
        candidate = h @ U + sentence_drive[t, :, None] + key_drive  # U h + V s + W w (+ b)
        candidate = torch.where(candidate > 0, candidate, slope * candidate)  # PReLU
        h = h + g[..., None] * candidate
        h = h / h.norm(dim=-1, keepdim=True)
    return h


def memory_inputs(T=4, B=3, S=5, d=6, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randn(B, S, d, generator=g, dtype=dtype), torch.randn(T, B, d, generator=g, dtype=dtype),
              torch.randn(T, B, S, generator=g, dtype=dtype), torch.randn(T, B, d, generator=g, dtype=dtype),
              torch.randn(S, d, generator=g, dtype=dtype), torch.randn(d, d, generator=g, dtype=dtype),
              torch.rand(d, generator=g, dtype=dtype)]
    return [x.requires_grad_() for x in inputs]


def test_memory_backward_matches_gradcheck():
    inputs = memory_inputs(T=3, B=2, S=3, d=4)
    with torch.no_grad():
        inputs[2][1, 1] = float("-inf")  # a closed gate: an empty sentence
    assert torch.autograd.gradcheck(lambda *x: entnet_memory(*x)[0], inputs)


def test_memory_matches_the_equations():
    inputs = memory_inputs(T=5, dtype=torch.float32)
    h, gates = entnet_memory(*inputs)
    expected = reference_memory(*inputs)
    torch.testing.assert_close(h, expected)
    torch.testing.assert_close(h.norm(dim=-1), torch.ones(3, 5))  # on the unit sphere
    weights = torch.randn_like(h)
    grads = torch.autograd.grad((h * weights).sum(), inputs)
    expected_grads = torch.autograd.grad((expected * weights).sum(), inputs)
    for grad, expected_grad in zip(grads, expected_grads):
        torch.testing.assert_close(grad, expected_grad, rtol=1e-4, atol=1e-5)
    assert gates.shape == (5, 3, 5) and not gates.requires_grad
    assert ((gates > 0) & (gates < 1)).all()


def test_rows_past_their_story_are_not_read():
    # batch_sizes: row b reads sentences 0 .. lengths[b] - 1; the same as
    # reading every sentence with the gate closed after the story's end.
    lengths = [4, 4, 2, 1]
    inputs = memory_inputs(T=4, B=4, dtype=torch.float64)
    batch_sizes = [sum(n > t for n in lengths) for t in range(4)]  # [4, 3, 2, 2]
    ended = torch.arange(4)[:, None] >= torch.tensor(lengths)  # (T, B)
    closed = inputs[2].masked_fill(ended[..., None], float("-inf"))
    h, gates = entnet_memory(*inputs, batch_sizes=batch_sizes)
    expected, expected_gates = entnet_memory(*inputs[:2], closed, *inputs[3:])
    torch.testing.assert_close(h, expected)
    torch.testing.assert_close(gates, expected_gates, rtol=0, atol=0)
    weights = torch.randn_like(h)
    grads = torch.autograd.grad((h * weights).sum(), inputs)
    expected_grads = torch.autograd.grad((expected * weights).sum(), inputs)
    for grad, expected_grad in zip(grads, expected_grads):
        torch.testing.assert_close(grad, expected_grad)
    assert torch.autograd.gradcheck(lambda *x: entnet_memory(*x, batch_sizes=batch_sizes)[0],
                                    [x.detach().requires_grad_() for x in inputs])


@pytest.mark.parametrize("batch_sizes", [[3, 3], [3, 2, 2, 1, 1], [2, 3, 1, 1], [4, 3, 2, 1]])
def test_batch_sizes_are_checked(batch_sizes):
    with pytest.raises(ValueError, match="batch_sizes"):
        entnet_memory(*memory_inputs(T=4, B=3), batch_sizes=batch_sizes)


def test_fading_gradient_is_flushed_before_it_turns_subnormal():
    # A gradient of 1e-37 would leave subnormal numbers, slow on the CPU, in
    # the products of the backward; it is negligible and flushed to zero.
    inputs = memory_inputs(T=6, dtype=torch.float32)
    h, _ = entnet_memory(*inputs)
    grads = torch.autograd.grad(h, inputs, grad_outputs=torch.full_like(h, 1e-37))
    tiny = torch.finfo(torch.float32).tiny
    for grad in grads:
        assert not ((grad != 0) & (grad.abs() < tiny)).any()


def test_closed_gate_leaves_the_memory_unchanged():
    h, s, key_gate, sentence_drive, key_drive, U, slope = memory_inputs(T=3, dtype=torch.float32)
    h = F.normalize(h.detach(), dim=-1)
    with torch.no_grad():
        key_gate[:] = float("-inf")
    out, gates = entnet_memory(h, s, key_gate, sentence_drive, key_drive, U, slope)
    torch.testing.assert_close(out, h)
    assert gates.abs().max() == 0


def test_dropout_is_inverted_dropout_on_word_embeddings():
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, dropout=0.3)
    story, _ = make_batch()
    torch.manual_seed(0)
    encoded = model._encode(story, model.story_mask)
    torch.manual_seed(0)
    vectors = model.embedding(story)
    keep = keep_mask(vectors, 0.3)  # the same draws: every word dimension dropped alone
    expected = (vectors * keep * (model.story_mask / 0.7)).sum(-2)
    torch.testing.assert_close(encoded, expected, rtol=0, atol=0)


@pytest.mark.parametrize("tie_answers", [False, True])
def test_forward_backward_shapes(tie_answers):
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, num_slots=3, dropout=0.1,
                   answer_ids=[2, 3, 4, 5, 6] if tie_answers else None)
    story, question = make_batch()
    logits, gates, read = model(story, question, return_attention=True)
    assert logits.shape == (4, ANSWERS) and gates.shape == (4, 3, 6) and read.shape == (4, 1, 3)
    assert model(story, question).shape == (4, ANSWERS)
    F.cross_entropy(logits, torch.tensor([0, 1, 2, 3])).backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    assert model.embedding.weight.grad[0].abs().sum() == 0  # padding row stays zero
    assert (model.R is None) == tie_answers


def test_gates_and_read_attention():
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, num_slots=3, num_hops=2).eval()
    story, question = make_batch()
    _, gates, read = model(story, question, return_attention=True)
    empty = story.eq(0).all(-1)  # (B, M)
    assert gates.masked_select(empty[:, None, :]).abs().max() == 0
    assert (gates.masked_select(~empty[:, None, :]) > 0).all()
    torch.testing.assert_close(read.sum(-1), torch.ones(4, 2))


def test_padding_does_not_change_the_answer():
    model = EntNet(VOCAB, ANSWERS, 8, 8, embedding_dim=8, num_slots=3).eval()
    story, question = make_batch()
    padded_story = F.pad(story, (0, 3, 0, 4))  # more words and more empty sentences
    padded_question = F.pad(question, (0, 3))
    torch.testing.assert_close(model(padded_story, padded_question), model(story, question))


def test_batch_composition_does_not_change_a_story():
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, num_slots=3).eval()
    story, question = make_batch()
    together = model(story, question)
    alone = torch.cat([model(story[i : i + 1], question[i : i + 1]) for i in range(4)])
    torch.testing.assert_close(together, alone)


def test_empty_story_is_finite():
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, num_slots=3)
    story, question = make_batch()
    story[0] = 0
    logits, gates, _ = model(story, question, return_attention=True)
    assert torch.isfinite(logits).all() and gates[0].abs().sum() == 0
    logits.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    assert torch.isfinite(model(story[:1] * 0, question[:1])).all()  # a batch of empty stories


def test_tied_keys_are_word_embeddings():
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, key_ids=[3, 4, 7])
    assert model.num_slots == 3 and model.keys is None
    story, question = make_batch()
    story[story == 7], question[question == 7] = 8, 8  # word 7 is only a key now
    before = model(story, question)
    with torch.no_grad():
        model.embedding.weight[7] += 1.0  # moves the third key
    assert not torch.allclose(model(story, question), before)


def test_prelu_and_masks_start_as_identity_and_bag_of_words():
    model = EntNet(VOCAB, ANSWERS, 5, 4, embedding_dim=8)
    assert torch.equal(model.prelu.weight, torch.ones(8))
    assert torch.equal(model.story_mask, torch.ones(5, 8)) and model.question_mask.shape == (4, 8)


def test_story_masks_start_at_random_as_in_the_authors_code():
    torch.manual_seed(0)
    model = EntNet(VOCAB, ANSWERS, 50, 4, embedding_dim=40, init_std=0.2, story_mask_init="normal")
    mask = model.story_mask.detach()
    assert abs(float(mask.std()) - 0.2) < 0.01 and abs(float(mask.mean())) < 0.01
    assert torch.equal(model.question_mask, torch.ones(4, 40))  # the question stays a bag of words
    # word order now changes a sentence's encoding
    sentence = torch.tensor([[3, 4, 5]])
    assert not torch.allclose(model._encode(sentence, model.story_mask),
                              model._encode(sentence.flip(-1), model.story_mask))


def test_pickle_and_state_dict_round_trip():
    model = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, num_slots=3).eval()
    story, question = make_batch()
    copy = pickle.loads(pickle.dumps(model))
    torch.testing.assert_close(copy(story, question), model(story, question))
    restored = EntNet(VOCAB, ANSWERS, 5, 5, embedding_dim=8, num_slots=3).eval()
    restored.load_state_dict(model.state_dict())
    torch.testing.assert_close(restored(story, question), model(story, question))


@pytest.mark.parametrize("kwargs", [dict(embedding_dim=0), dict(num_slots=0), dict(dropout=1.0),
                                    dict(init_std=0.0), dict(num_hops=0), dict(answer_ids=[0, 1, 2, 3, 4]),
                                    dict(answer_ids=[2, 3]), dict(key_ids=[]), dict(key_ids=[99]),
                                    dict(story_mask_init="zeros")])
def test_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        EntNet(VOCAB, ANSWERS, 5, 5, **kwargs)


def test_bad_input_is_a_clear_error():
    model = EntNet(VOCAB, ANSWERS, 3, 5, embedding_dim=8)
    story, question = make_batch()
    with pytest.raises(ValueError, match="words"):
        model(story, question)  # 5 words per sentence, built for 3
    with pytest.raises(ValueError, match="expected story"):
        model(story[0], question)


def make_tracking_task(n, M=4, seed=0):
    """Sentences "who to where"; the question names someone who moved, the
    answer is where they went last: the memory must track each entity."""
    g = torch.Generator().manual_seed(seed)
    who = torch.randint(0, 3, (n, M), generator=g)  # word ids 2..4
    where = torch.randint(0, 4, (n, M), generator=g)  # answers 0..3, word ids 5..8
    story = torch.stack([who + 2, torch.full_like(who, 9), where + 5], -1)  # (n, M, 3)
    target = who.gather(1, torch.randint(0, M, (n, 1), generator=g))  # (n, 1)
    last = torch.where(who == target, torch.arange(M), -1).amax(1)  # (n,) its last move
    return story, target + 2, where.gather(1, last[:, None]).squeeze(1)


def test_known_answer_learns_to_track_entities():
    torch.manual_seed(0)
    model = EntNet(10, 4, 3, 1, embedding_dim=16, num_slots=4)
    story, question, answer = make_tracking_task(2000)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for step in range(300):
        batch = slice((step * 64) % 1936, (step * 64) % 1936 + 64)
        loss = F.cross_entropy(model(story[batch], question[batch]), answer[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    story, question, answer = make_tracking_task(500, seed=1)
    assert (model(story, question).argmax(1) == answer).float().mean() > 0.9
