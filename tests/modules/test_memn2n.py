import io
import pickle

import pytest
import torch
import torch.nn.functional as F

from skmem.modules._blocks import encode, sentence_weights, temporal_index
from skmem.modules.memn2n import MemN2N

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


@pytest.mark.parametrize("encoding", ["position", "bow"])
@pytest.mark.parametrize("weight_tying", ["adjacent", "layerwise"])
@pytest.mark.parametrize("temporal, time_features", [(True, False), (False, False), (True, True)])
def test_forward_backward_shapes(encoding, weight_tying, temporal, time_features):
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, num_hops=3, memory_size=10, encoding=encoding,
                   weight_tying=weight_tying, temporal=temporal, time_features=time_features,
                   random_noise=0.1)
    story, question = make_batch()
    logits, attention = model(story, question, return_attention=True)
    assert logits.shape == (4, ANSWERS) and attention.shape == (4, 3, 6)
    assert model(story, question).shape == (4, ANSWERS)
    F.cross_entropy(logits, torch.tensor([0, 1, 2, 3])).backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)  # every parameter is used
    for emb in model.word_embeddings:
        assert emb.weight.grad[0].abs().sum() == 0  # padding row stays zero
        assert emb.weight[0].abs().sum() == 0


def test_tied_answer_matrix_is_last_output_embedding():
    answer_ids = [3, 4, 5, 6, 7]
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, answer_ids=answer_ids, memory_size=6)
    assert model.W is None
    story, question = make_batch()
    logits = model(story, question)
    with torch.no_grad():
        model.word_embeddings[-1].weight[3] += 1.0  # move the answer 0 row of C^K
    assert not torch.allclose(model(story, question)[:, 0], logits[:, 0])


def test_empty_memories_get_no_attention_and_attention_sums_to_one():
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=6, null_memory=False).eval()
    story, question = make_batch()
    _, attention = model(story, question, return_attention=True)
    empty = story.eq(0).all(-1)  # (B, M)
    assert attention.masked_select(empty.unsqueeze(1)).abs().max() == 0
    torch.testing.assert_close(attention.sum(-1), torch.ones(4, 3))
    model.use_softmax = False  # linear start: empty slots still read nothing
    _, attention = model(story, question, return_attention=True)
    assert attention.masked_select(empty.unsqueeze(1)).abs().max() == 0


def test_empty_story_is_finite():
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=6)
    story, question = make_batch()
    story[0] = 0
    logits, attention = model(story, question, return_attention=True)
    assert torch.isfinite(logits).all() and attention[0].abs().sum() == 0
    logits.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())


def test_padding_does_not_change_the_answer():
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=12).eval()
    story, question = make_batch()
    padded_story = F.pad(story, (0, 3, 0, 4))  # more words and more empty slots
    padded_question = F.pad(question, (0, 3))
    torch.testing.assert_close(model(padded_story, padded_question), model(story, question))


def test_linear_start_switch():
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=6).eval()
    story, question = make_batch()
    assert model.use_softmax
    with_softmax = model(story, question)
    model.use_softmax = False
    assert not model.use_softmax
    without = model(story, question)
    assert not torch.allclose(with_softmax, without)
    state = model.state_dict()  # the switch is saved with the weights
    restored = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=6).eval()
    restored.load_state_dict(state)
    assert not restored.use_softmax
    torch.testing.assert_close(restored(story, question), without)
    copy = pickle.loads(pickle.dumps(model))
    assert not copy.use_softmax
    model.use_softmax = True
    torch.testing.assert_close(model(story, question), with_softmax)


def test_deterministic_given_seed():
    story, question = make_batch()
    outputs = []
    for _ in range(2):
        torch.manual_seed(42)
        model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=6, random_noise=0.5)
        outputs.append(model(story, question))  # training mode: noise from the seeded RNG
    torch.testing.assert_close(outputs[0], outputs[1])


def test_random_noise_only_in_training():
    torch.manual_seed(0)
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=40, random_noise=1.0)
    story, question = make_batch(M=30, n_real=(30, 20, 25, 30))
    train_outputs = [model(story, question) for _ in range(3)]
    assert not torch.allclose(train_outputs[0], train_outputs[1])
    model.eval()
    torch.testing.assert_close(model(story, question), model(story, question))


def test_temporal_index_counts_recency_from_the_last_memory():
    mask = torch.tensor([[True, True, True, False], [True, False, False, False]])
    assert temporal_index(mask, 10).tolist() == [[2, 1, 0, 0], [0, 0, 0, 0]]
    assert temporal_index(mask, 2).tolist() == [[1, 1, 0, 0], [0, 0, 0, 0]]  # clipped
    torch.manual_seed(0)
    mask = torch.ones(200, 30, dtype=torch.bool)
    noisy = temporal_index(mask, 100, random_noise=0.1)
    assert (noisy[:, :-1] > noisy[:, 1:]).all()  # still strictly older to newer
    assert noisy[:, -1].min() == 0 and noisy.max() <= 32  # at most ceil(0.1 * 30) blanks
    assert (noisy[:, 0] > 29).any()  # some blanks were inserted


def test_position_encoding_matches_reference_formula():
    words = torch.tensor([[5, 6, 7, 0]])
    weights = sentence_weights(words, 4, "position")  # (1, 4, 4)
    J, d = 3, 4
    for j in range(1, J + 1):
        for k in range(1, d + 1):
            expected = 1 + 4 * (k - (d + 1) / 2) * (j - (J + 1) / 2) / (d * J)
            assert weights[0, j - 1, k - 1].item() == pytest.approx(expected)
    assert weights[0, 3].abs().sum() == 0


@pytest.mark.parametrize("kwargs", [dict(embedding_dim=0), dict(num_hops=0), dict(encoding="x"),
                                    dict(weight_tying="x"), dict(random_noise=2.0),
                                    dict(answer_ids=[0, 1]), dict(memory_size=0)])
def test_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        MemN2N(VOCAB, ANSWERS, **kwargs)


def test_too_many_memories_is_a_clear_error():
    model = MemN2N(VOCAB, ANSWERS, memory_size=3)
    story, question = make_batch()
    with pytest.raises(ValueError, match="memory_size"):
        model(story, question)


def make_lookup_task(n, M=4, seed=0):
    """Sentences "key_i value_i"; the question names a key, the answer is its value."""
    g = torch.Generator().manual_seed(seed)
    keys = torch.stack([torch.randperm(6, generator=g)[:M] for _ in range(n)]) + 2  # ids 2..7
    values = torch.randint(0, 5, (n, M), generator=g)  # answers 0..4, word ids 8..12
    story = torch.stack([keys, values + 8], -1)  # (n, M, 2)
    target = torch.randint(0, M, (n,), generator=g)
    question = keys.gather(1, target[:, None])  # (n, 1)
    answer = values.gather(1, target[:, None]).squeeze(1)
    return story, question, answer, target


def test_known_answer_learns_to_attend_to_the_right_memory():
    torch.manual_seed(0)
    model = MemN2N(13, 5, embedding_dim=16, num_hops=1, memory_size=4, temporal=False,
                   encoding="bow")
    story, question, answer, target = make_lookup_task(2000)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for step in range(300):
        batch = slice((step * 64) % 1936, (step * 64) % 1936 + 64)
        loss = F.cross_entropy(model(story[batch], question[batch]), answer[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    story, question, answer, target = make_lookup_task(500, seed=1)
    logits, attention = model(story, question, return_attention=True)
    assert (logits.argmax(1) == answer).float().mean() > 0.95
    assert attention[:, 0].gather(1, target[:, None]).mean() > 0.9


def test_null_memory_is_one_more_softmax_option_of_score_zero():
    torch.manual_seed(0)
    model = MemN2N(VOCAB, ANSWERS, embedding_dim=8, memory_size=6, num_hops=1,
                   temporal=False).eval()
    story, question = make_batch()
    real = story.ne(0).any(-1)
    _, attention = model(story, question, return_attention=True)
    memories = encode(model.word_embeddings[0], story, "position")
    u = encode(model.word_embeddings[0], question, "position")
    scores = torch.einsum("bmd,bd->bm", memories, u).masked_fill(~real, float("-inf"))
    expected = scores.exp() / (scores.exp().sum(-1, keepdim=True) + 1.0)
    torch.testing.assert_close(attention[:, 0], expected)
    assert (attention.sum(-1) < 1).all()
