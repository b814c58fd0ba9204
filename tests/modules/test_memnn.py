import pickle

import pytest
import torch
import torch.nn.functional as F

from skmem.modules.memnn import MemNN, supporting_fact_loss

VOCAB, ANSWERS = 12, 5


def make_batch(B=4, M=6, L=5, n_real=(6, 3, 1, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    story = torch.randint(1, VOCAB, (B, M, L), generator=g)
    story[:, :, -1] = 0
    for b, n in enumerate(n_real):
        story[b, n:] = 0
    question = torch.randint(1, VOCAB, (B, L), generator=g)
    return story, question


@pytest.mark.parametrize("encoding", ["position", "bow"])
@pytest.mark.parametrize("temporal", [True, False])
def test_forward_backward_shapes(encoding, temporal):
    model = MemNN(VOCAB, ANSWERS, embedding_dim=8, num_hops=2, memory_size=8, encoding=encoding,
                  temporal=temporal)
    story, question = make_batch()
    logits, attention = model(story, question)
    assert logits.shape == (4, ANSWERS) and attention.shape == (4, 2, 6)
    assert model(story, question, return_attention=False).shape == (4, ANSWERS)
    supports = torch.tensor([[0, 5], [2, -1], [0, -1], [3, 1]])
    loss = F.cross_entropy(logits, torch.arange(4)) + supporting_fact_loss(attention, supports)
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    assert model.key_embedding.weight.grad[0].abs().sum() == 0


def test_empty_memories_get_no_attention_and_attention_sums_to_one():
    model = MemNN(VOCAB, ANSWERS, embedding_dim=8, memory_size=6)
    story, question = make_batch()
    _, attention = model(story, question)
    empty = story.eq(0).all(-1)
    assert attention.masked_select(empty.unsqueeze(1)).abs().max() == 0
    torch.testing.assert_close(attention.sum(-1), torch.ones(4, 2))


def test_supporting_fact_loss():
    attention = torch.tensor([[[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]]])  # (1, 2 hops, 3 slots)
    loss = supporting_fact_loss(attention, torch.tensor([[0, 1, 2]]))  # third fact: no third hop
    assert loss.item() == pytest.approx(-(torch.tensor(0.5).log().item()) / 2)
    assert supporting_fact_loss(attention, torch.tensor([[-1, -1]])).item() == 0.0
    assert supporting_fact_loss(attention, torch.tensor([[-1, 1]])).item() == pytest.approx(0.0)
    empty = supporting_fact_loss(attention, torch.tensor([[0, 2]]))  # zero weight: finite
    assert torch.isfinite(empty)


def test_deterministic_given_seed_and_picklable():
    story, question = make_batch()
    outputs = []
    for _ in range(2):
        torch.manual_seed(7)
        outputs.append(MemNN(VOCAB, ANSWERS, memory_size=6)(story, question)[0])
    torch.testing.assert_close(outputs[0], outputs[1])
    torch.manual_seed(7)
    model = MemNN(VOCAB, ANSWERS, memory_size=6)
    torch.testing.assert_close(pickle.loads(pickle.dumps(model))(story, question)[0], outputs[0])


@pytest.mark.parametrize("kwargs", [dict(embedding_dim=0), dict(num_hops=0), dict(encoding="x"),
                                    dict(memory_size=-1), dict(init_std=0.0), dict(response_hidden=0)])
def test_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        MemNN(VOCAB, ANSWERS, **kwargs)


def test_too_many_memories_is_a_clear_error():
    with pytest.raises(ValueError, match="memory_size"):
        MemNN(VOCAB, ANSWERS, memory_size=3)(*make_batch())


def test_known_answer_two_hops_follow_the_supporting_facts():
    """Chain task: slot "a b" links a to b; question a; hop 1 reads "a b", hop 2 "b c", answer c."""
    g = torch.Generator().manual_seed(0)

    def make(n):
        nodes = torch.stack([torch.randperm(8, generator=g)[:5] for _ in range(n)]) + 2  # (n, 5)
        pairs = torch.stack([nodes[:, :4], nodes[:, 1:]], -1)  # (n, 4, 2) a chain of links
        order = torch.stack([torch.randperm(4, generator=g) for _ in range(n)])  # shuffle slots
        story = pairs.gather(1, order[:, :, None].expand(-1, -1, 2))
        start = torch.randint(0, 3, (n,), generator=g)  # ask about link start -> start + 2
        question = nodes.gather(1, start[:, None])
        answer = nodes.gather(1, (start + 2)[:, None]).squeeze(1) - 2  # class = node id - 2
        slot_of = order.argsort(1)  # link index -> slot
        supports = torch.stack([slot_of.gather(1, start[:, None]),
                                slot_of.gather(1, (start + 1)[:, None])], 1).squeeze(-1)
        return story, question, answer, supports

    torch.manual_seed(0)
    model = MemNN(10, 8, embedding_dim=16, num_hops=2, memory_size=4, temporal=False)
    story, question, answer, supports = make(2000)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for step in range(150):
        batch = slice((step * 64) % 1984, (step * 64) % 1984 + 64)
        logits, attention = model(story[batch], question[batch])
        loss = (F.cross_entropy(logits, answer[batch])
                + supporting_fact_loss(attention, supports[batch]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    story, question, answer, supports = make(500)
    with torch.no_grad():
        logits, attention = model(story, question)
    assert (attention.argmax(-1) == supports).float().mean() > 0.95
    assert (logits.argmax(1) == answer).float().mean() > 0.9


def _matching_model(memory_size):
    """A two-hop model whose first hop finds sentences holding word 3."""
    torch.manual_seed(0)
    model = MemNN(VOCAB, ANSWERS, embedding_dim=8, num_hops=2, memory_size=memory_size)
    with torch.no_grad():
        for table in (model.query_embedding, model.key_embedding):
            table.weight.zero_()
        model.key_embedding.weight[3, 0] = 5.0  # word 3 in a sentence: matches the question
        model.query_embedding.weight[3, 0] = 5.0
        model.hop_maps[0].weight.zero_()  # hop 2's query carries no content: time decides
        model.time_score.weight.zero_()
        model.time_score.bias.zero_()
    return model


def test_time_features_move_the_next_hop_relative_to_the_last_read():
    model = _matching_model(memory_size=6)
    with torch.no_grad():  # hop 2: not before the last read, after it, and close to it
        model.time_score.bias[1, 1] = -30.0
        model.time_score.bias[1, 3] = 30.0
        model.time_score.bias[1, 4] = -30.0
    story = torch.full((1, 6, 2), 2)
    story[0, 2, 0] = 3  # slot 2 holds the matching sentence
    question = torch.tensor([[3, 0]])
    _, attention = model(story, question)
    assert attention[0, 0].argmax() == 2 and attention[0, 0, 2] > 0.99
    assert attention[0, 1].argmax() == 3 and attention[0, 1, 3] > 0.99


def test_recency_feature_picks_the_latest_match_at_any_distance():
    model = _matching_model(memory_size=40)
    with torch.no_grad():
        model.time_score.bias[0, 0] = 10.0  # hop 1 prefers recent memories
    question = torch.tensor([[3, 0]])
    for first, last, length in [(0, 1, 5), (3, 30, 40), (10, 12, 20)]:
        story = torch.full((1, length, 2), 2)
        story[0, [first, last], 0] = 3  # two matches: the later one must win
        _, attention = model(story, question)
        assert attention[0, 0].argmax() == last and attention[0, 0, last] > 0.95


def test_time_features_off_leaves_word_matches_alone():
    model = MemNN(VOCAB, ANSWERS, embedding_dim=8, num_hops=2, memory_size=6, time_features=False)
    assert model.time_score is None
    story, question = make_batch()
    logits, attention = model(story, question)
    assert logits.shape == (len(story), ANSWERS) and attention.shape[:2] == (len(story), 2)


@pytest.mark.parametrize("response_hidden", [None, 16])
def test_response_variants_train_every_parameter(response_hidden):
    model = MemNN(VOCAB, ANSWERS, embedding_dim=8, num_hops=3, memory_size=6,
                  response_hidden=response_hidden)
    story, question = make_batch()
    logits, _ = model(story, question)
    F.cross_entropy(logits, torch.arange(4)).backward()
    assert all(p.grad is not None for p in model.parameters())
    assert model.query_embedding.weight.grad.abs().sum() > 0  # questions have their own table
    assert len(model.hop_maps) == (3 if response_hidden is None else 2)


@pytest.mark.parametrize("encoding", ["position", "bow"])
def test_question_match_marks_the_words_the_question_shares(encoding):
    torch.manual_seed(0)
    model = MemNN(VOCAB, ANSWERS, embedding_dim=8, num_hops=1, encoding=encoding).eval()
    plain = MemNN(VOCAB, ANSWERS, embedding_dim=8, num_hops=1, encoding=encoding,
                  question_match=False).eval()
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if k != "match_vector"})
    story = torch.tensor([[[2, 3, 4, 0], [5, 6, 7, 8]]])  # only sentence 1 shares a word (7)
    question = torch.tensor([[9, 7, 10, 0]])
    mark = model._question_match(story, question)[0]  # (M, d)
    assert not mark[0].any()
    # word 7 is the third of four: its position-encoding weights times the match vector
    from skmem.modules._blocks import sentence_weights
    expected = sentence_weights(story, 8, encoding)[0, 1, 2] * model.match_vector
    torch.testing.assert_close(mark[1], expected)
    # only the values move: what the hop reads differs by the weighted mark
    logits, attention = model(story, question)
    plain_logits, plain_attention = plain(story, question)
    torch.testing.assert_close(attention, plain_attention)
    assert not torch.allclose(logits, plain_logits)
