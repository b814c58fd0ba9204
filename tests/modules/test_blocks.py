import math

import pytest
import torch

from skmem.modules._blocks import (
    MultiHeadSelfAttention,
    SequenceInput,
    TimeScore,
    attention_mask,
    encode,
    keep_mask,
    last_valid,
    masked_mean,
    sentence_weights,
    sinusoidal_encoding,
)

B, T = 3, 6


def _key_mask(lengths, T=T):
    """(B, T) bool, True at the first lengths[b] positions."""
    return torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]


# ---------------------------------------------------------------- SequenceInput


def test_sequence_input_tokens_embeds_and_masks_padding():
    block = SequenceInput(10, 4, tokens=True)
    x = torch.tensor([[3, 5, 0, 0], [1, 2, 9, 4]])
    h, mask = block(x)
    assert h.shape == (2, 4, 4) and block.output_size == 4
    assert torch.equal(mask, x != 0)
    assert torch.equal(h[0, 2:], torch.zeros(2, 4))  # padding embeds to zero


@pytest.mark.parametrize("shape", [(B, T), (B, T, 1)])
def test_sequence_input_univariate_series_pass_through(shape):
    block = SequenceInput(1)
    x = torch.randn(*shape)
    h, mask = block(x)
    assert mask is None and block.output_size == 1
    assert torch.equal(h, x.reshape(B, T, 1))


def test_sequence_input_series_projection():
    block = SequenceInput(3, 8)
    h, mask = block(torch.randn(B, T, 3))
    assert h.shape == (B, T, 8) and mask is None and block.output_size == 8


@pytest.mark.parametrize(
    "args, kwargs, match",
    [((0,), {}, "n_inputs must be positive"), ((5,), {"tokens": True}, "embedding_dim is required")],
)
def test_sequence_input_invalid(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        SequenceInput(*args, **kwargs)


# ---------------------------------------------------------------- sinusoidal_encoding


@pytest.mark.parametrize("dim", [8, 7])
def test_sinusoidal_encoding_known_values(dim):
    enc = sinusoidal_encoding(5, dim)
    assert enc.shape == (5, dim)
    # position 0: sin(0) = 0 on even columns, cos(0) = 1 on odd columns
    assert torch.equal(enc[0, 0::2], torch.zeros(len(range(0, dim, 2))))
    assert torch.equal(enc[0, 1::2], torch.ones(dim // 2))
    # first pair has frequency 1: sin(p), cos(p)
    p = torch.arange(5, dtype=torch.float32)
    torch.testing.assert_close(enc[:, 0], torch.sin(p))
    torch.testing.assert_close(enc[:, 1], torch.cos(p))
    # the second pair has frequency 10000 ** (-2 / dim)
    torch.testing.assert_close(enc[:, 2], torch.sin(p * 10000 ** (-2 / dim)))
    assert enc.abs().max() <= 1.0


# ---------------------------------------------------------------- attention_mask


def test_attention_mask_full_without_padding_is_none():
    assert attention_mask(T) is None


def test_attention_mask_causal_is_lower_triangular():
    mask = attention_mask(T, kind="causal")
    assert torch.equal(mask, torch.ones(T, T, dtype=torch.bool).tril())


@pytest.mark.parametrize("window", [1, 2, 3, 10])
def test_attention_mask_local_band(window):
    mask = attention_mask(T, kind="local", window=window)
    i = torch.arange(T)
    expected = (i[:, None] - i[None, :]).abs() < window
    assert torch.equal(mask, expected)
    assert mask.sum(dim=1).max() == min(2 * window - 1, T)
    if window == 1:
        assert torch.equal(mask, torch.eye(T, dtype=torch.bool))


@pytest.mark.parametrize("kind, window", [("full", None), ("causal", None), ("local", 2)])
def test_attention_mask_hides_padding_keys(kind, window):
    lengths = [6, 3, 0]
    keys = _key_mask(lengths)
    mask = attention_mask(T, kind=kind, window=window, key_mask=keys)
    mask = mask.expand(B, 1, T, T)[:, 0]  # (B, T, T)
    base = attention_mask(T, kind=kind, window=window)
    base = torch.ones(T, T, dtype=torch.bool) if base is None else base
    eye = torch.eye(T, dtype=torch.bool)
    for b, n in enumerate(lengths):
        # real queries see exactly the allowed real keys
        assert torch.equal(mask[b, :n], (base & keys[b])[:n])
        # padding queries see themselves (keeps softmax defined)
        assert torch.equal(mask[b, n:], ((base & keys[b]) | eye)[n:])
    assert mask.any(dim=-1).all()  # every row has at least one True


def test_attention_mask_unknown_kind():
    with pytest.raises(ValueError, match="Unknown attention kind 'sparse'"):
        attention_mask(T, kind="sparse")


# ---------------------------------------------------------------- pooling helpers


def test_masked_mean_ignores_masked_positions():
    h = torch.randn(B, T, 4)
    mask = _key_mask([6, 2, 1])
    poisoned = h.masked_fill(~mask[..., None], 1e6)  # garbage at padding
    out = masked_mean(poisoned, mask)
    torch.testing.assert_close(out[0], h[0].mean(dim=0))
    torch.testing.assert_close(out[1], h[1, :2].mean(dim=0))
    torch.testing.assert_close(out[2], h[2, 0])


def test_masked_mean_without_mask_and_all_padding():
    h = torch.randn(B, T, 4)
    torch.testing.assert_close(masked_mean(h, None), h.mean(dim=1))
    out = masked_mean(h, torch.zeros(B, T, dtype=torch.bool))
    assert torch.equal(out, torch.zeros(B, 4))  # defined, not NaN


def test_last_valid_lengths():
    mask = torch.tensor(
        [
            [1, 1, 1, 0, 0],
            [1, 0, 1, 1, 0],  # a zero inside the sequence still counts
            [1, 1, 1, 1, 1],
            [0, 0, 0, 0, 0],  # all padding: at least 1
            [0, 0, 1, 0, 0],
        ],
        dtype=torch.bool,
    )
    assert last_valid(mask).tolist() == [3, 4, 5, 1, 3]


# ---------------------------------------------------------------- MultiHeadSelfAttention


def _by_hand(attn, x, mask=None):
    """Scaled dot-product attention written out, head by head."""
    Bx, Tx, C = x.shape
    H = attn.num_heads
    d = C // H
    q, k, v = (x @ attn.qkv.weight.T + attn.qkv.bias).split(C, dim=-1)
    heads = []
    for j in range(H):
        s = slice(j * d, (j + 1) * d)
        scores = q[..., s] @ k[..., s].transpose(1, 2) / math.sqrt(d)  # (B, T, T)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        heads.append(torch.softmax(scores, dim=-1) @ v[..., s])
    return torch.cat(heads, dim=-1) @ attn.proj.weight.T + attn.proj.bias


@pytest.mark.parametrize("num_heads", [1, 2])
def test_attention_matches_hand_computation(num_heads):
    attn = MultiHeadSelfAttention(8, num_heads).eval()
    x = torch.randn(B, T, 8)
    torch.testing.assert_close(attn(x), _by_hand(attn, x), rtol=1e-5, atol=1e-5)
    keys = _key_mask([6, 4, 2])
    mask = attention_mask(T, kind="causal", key_mask=keys)  # (B, 1, T, T)
    torch.testing.assert_close(
        attn(x, mask), _by_hand(attn, x, mask[:, 0]), rtol=1e-5, atol=1e-5
    )


def test_attention_one_head_identity_weights_known_answer():
    """With Q = K = V = x and identity output, a query equal to one key and
    orthogonal to the others attends mostly to that key."""
    attn = MultiHeadSelfAttention(4, 1)
    with torch.no_grad():
        attn.qkv.weight.copy_(torch.cat([torch.eye(4) * 10, torch.eye(4) * 10, torch.eye(4)]))
        attn.qkv.bias.zero_()
        attn.proj.weight.copy_(torch.eye(4))
        attn.proj.bias.zero_()
    x = torch.eye(4)[None]  # (1, 4, 4): four orthogonal one-hot steps
    out = attn(x)
    # scores = 100 * I / 2 on the diagonal: softmax is (almost) the identity
    torch.testing.assert_close(out, x, atol=1e-6, rtol=0)


def test_attention_padding_keys_do_not_leak():
    attn = MultiHeadSelfAttention(8, 2).eval()
    x = torch.randn(1, T, 8)
    keys = _key_mask([3], T)
    mask = attention_mask(T, key_mask=keys)
    changed = x.clone()
    changed[:, 3:] = torch.randn(1, T - 3, 8) * 100  # change only padding positions
    torch.testing.assert_close(attn(x, mask)[:, :3], attn(changed, mask)[:, :3])


def test_attention_forward_backward_and_dropout_only_in_training():
    attn = MultiHeadSelfAttention(8, 4, dropout=0.5)
    x = torch.randn(B, T, 8, requires_grad=True)
    out = attn(x)
    assert out.shape == (B, T, 8)
    out.sum().backward()
    assert torch.isfinite(x.grad).all()
    assert all(p.grad is not None for p in attn.parameters())
    attn.eval()
    assert torch.equal(attn(x), attn(x))


def test_attention_invalid_heads():
    with pytest.raises(ValueError, match=r"d_model \(10\) must be divisible by num_heads \(3\)"):
        MultiHeadSelfAttention(10, 3)


def test_time_score_starts_neutral_and_scores_recency_and_order():
    score = TimeScore(num_hops=2, embedding_dim=4)
    query = torch.randn(3, 4)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2, [True] * 5])
    previous = torch.softmax(torch.randn(3, 5), -1)
    recency = score.recency(mask)
    assert score(0, query, recency).abs().max() == 0  # zero weights: no time preference
    assert score(1, query, recency, previous).abs().max() == 0
    with torch.no_grad():
        score.bias[0, 0] = 1.0  # hop 1: the more recent, the higher
        score.bias[1, 3] = 1.0  # hop 2: after the previous read
    recent = score(0, query, recency)
    assert torch.all(recent[0].diff() > 0) and torch.all(recent[1, :3].diff() > 0)
    after = score(1, query, recency, torch.eye(5)[[2, 2, 0]])  # previous hop read slots 2, 2, 0
    expected = torch.tensor([[0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
    torch.testing.assert_close(after, expected.float())


@pytest.mark.parametrize("encoding", ["position", "bow"])
@pytest.mark.parametrize("vocab_size", [30, 500])  # word-count bags, gather
def test_encode_several_tables_matches_word_by_word_sum(encoding, vocab_size):
    torch.manual_seed(0)
    words = torch.randint(1, vocab_size, (3, 4, 6))
    words[..., 4:] = 0  # padding after the words
    words[:, 3] = 0  # an empty slot
    words[0, 0, 2:] = 0  # a short sentence
    tables = [torch.nn.Embedding(vocab_size, 5, padding_idx=0) for _ in range(3)]
    expected = torch.stack([(sentence_weights(words, 5, encoding) * table(words)).sum(-2)
                            for table in tables])  # (3, 3, 4, 5)
    expected_grads = torch.autograd.grad(expected.square().sum(), [t.weight for t in tables])

    together = encode(tables, words, encoding)
    torch.testing.assert_close(together, expected)
    torch.testing.assert_close(encode(tables[1], words, encoding), expected[1])
    grads = torch.autograd.grad(together.square().sum(), [t.weight for t in tables])
    for grad, expected_grad in zip(grads, expected_grads):
        torch.testing.assert_close(grad, expected_grad)
        assert not grad[0].any()  # padding row
    assert not together[:, :, 3].any()


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3, 0.5, 0.9])
def test_keep_mask_keeps_one_minus_p_independently(p):
    torch.manual_seed(0)
    x = torch.empty(400, 501)  # an element count not a multiple of four
    keep = keep_mask(x, p)
    assert keep.shape == x.shape and keep.dtype == x.dtype
    assert set(keep.unique().tolist()) <= {0.0, 1.0}
    assert abs(keep.mean().item() - (1 - p)) < 0.005  # about 7 standard deviations
    if 0 < p:  # neighbours (drawn from the same 64 bits) and rows are independent
        pairs = keep.view(-1)[:-1] * keep.view(-1)[1:]
        assert abs(pairs.mean().item() - (1 - p) ** 2) < 0.005
    assert keep_mask(x[:0], p).shape == (0, 501)


def test_keep_mask_follows_the_seed_and_the_dtype():
    x = torch.empty(3, 7, dtype=torch.float64)
    torch.manual_seed(1)
    first = keep_mask(x, 0.5)
    torch.manual_seed(1)
    assert torch.equal(first, keep_mask(x, 0.5)) and first.dtype == torch.float64
