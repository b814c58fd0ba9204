import pytest
import torch
import torch.nn.functional as F

from skmem.modules._blocks import sinusoidal_encoding
from skmem.modules.transformer import Transformer

VOCAB, B, T = 12, 4, 7
LENGTHS = (7, 4, 1, 5)

KINDS = [("full", None), ("causal", None), ("local", 2)]


def _tokens(lengths=LENGTHS, T=T, seed=0):
    """Token ids 1..VOCAB-1, each row padded with zeros after lengths[b]."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(1, VOCAB, (len(lengths), T), generator=g)
    x[torch.arange(T)[None, :] >= torch.tensor(lengths)[:, None]] = 0
    return x


def _model(n_inputs=VOCAB, n_outputs=3, max_len=20, tokens=True, **kwargs):
    kwargs = {"d_model": 8, "num_heads": 2, "num_layers": 2, **kwargs}
    return Transformer(n_inputs, n_outputs, max_len, tokens=tokens, **kwargs)


def _check_grads(model):
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


@pytest.mark.parametrize("attention, window", KINDS)
@pytest.mark.parametrize("positional_encoding", ["sinusoidal", "learned", "none"])
@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_tokens_forward_backward_shapes(attention, window, positional_encoding, pooling):
    model = _model(attention=attention, window=window,
                   positional_encoding=positional_encoding, pooling=pooling)
    x = _tokens()
    out = model(x)
    assert out.shape == (B, 3)
    h, pad = model.encode(x)
    assert h.shape == (B, T, 8) and torch.equal(pad, x != 0)
    F.cross_entropy(out, torch.tensor([0, 1, 2, 0])).backward()
    _check_grads(model)


@pytest.mark.parametrize("attention, window", KINDS)
@pytest.mark.parametrize("pooling", ["mean", "last"])
@pytest.mark.parametrize("shape, n_inputs", [((B, T), 1), ((B, T, 3), 3)])
def test_series_forward_backward_shapes(attention, window, pooling, shape, n_inputs):
    model = _model(n_inputs, 2, tokens=False, attention=attention, window=window,
                   pooling=pooling)
    out = model(torch.randn(*shape))
    assert out.shape == (B, 2)
    F.mse_loss(out, torch.zeros(B, 2)).backward()
    _check_grads(model)


def test_dim_feedforward_default_and_explicit():
    assert _model().blocks[0].mlp[0].out_features == 32  # 4 * d_model
    assert _model(dim_feedforward=5).blocks[0].mlp[0].out_features == 5


@pytest.mark.parametrize("attention, window", KINDS)
@pytest.mark.parametrize("positional_encoding", ["sinusoidal", "learned", "none"])
@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_trailing_padding_never_changes_output(attention, window, positional_encoding, pooling):
    model = _model(attention=attention, window=window,
                   positional_encoding=positional_encoding, pooling=pooling).eval()
    x = _tokens()
    out = model(x)
    torch.testing.assert_close(model(F.pad(x, (0, 5))), out, rtol=1e-5, atol=1e-5)
    for b, n in enumerate(LENGTHS):  # each row alone, cut to its own length
        torch.testing.assert_close(model(x[b : b + 1, :n]), out[b : b + 1], rtol=1e-5, atol=1e-5)


def test_causal_last_pooling_ignores_the_future_only_through_the_last_position():
    """With causal attention, position t depends on positions <= t only."""
    model = _model(attention="causal", positional_encoding="learned").eval()
    x = _tokens(lengths=(T,))
    h, _ = model.encode(x)
    changed = x.clone()
    changed[0, 4:] = (changed[0, 4:] % (VOCAB - 1)) + 1  # new real tokens after step 3
    h2, _ = model.encode(changed)
    torch.testing.assert_close(h2[:, :4], h[:, :4])
    assert not torch.allclose(h2[:, 4:], h[:, 4:])


def test_local_attention_limits_the_receptive_field():
    """One local layer with window w: position t sees only |t - s| < w."""
    model = _model(num_layers=1, attention="local", window=2).eval()
    x = _tokens(lengths=(T,))
    h, _ = model.encode(x)
    changed = x.clone()
    changed[0, 6] = (changed[0, 6] % (VOCAB - 1)) + 1
    h2, _ = model.encode(changed)
    torch.testing.assert_close(h2[:, :5], h[:, :5])  # 6 - 5 >= window
    assert not torch.allclose(h2[:, 5:], h[:, 5:])


def test_full_attention_sees_every_position():
    model = _model(num_layers=1).eval()
    x = _tokens(lengths=(T,))
    h, _ = model.encode(x)
    changed = x.clone()
    changed[0, 6] = (changed[0, 6] % (VOCAB - 1)) + 1
    h2, _ = model.encode(changed)
    assert not torch.allclose(h2[:, 0], h[:, 0])


def test_positional_encodings():
    sin = _model(max_len=9)
    assert not any(p is sin.position for p in sin.parameters())  # a fixed buffer
    torch.testing.assert_close(sin.position, sinusoidal_encoding(9, 8))
    learned = _model(max_len=9, positional_encoding="learned")
    assert learned.position.shape == (9, 8) and learned.position.requires_grad
    assert _model(positional_encoding="none").position is None


def test_positions_matter_unless_disabled():
    x = _tokens(lengths=(T,))
    rev = x.flip(1)
    model = _model(positional_encoding="sinusoidal").eval()
    assert not torch.allclose(model(x), model(rev))
    # with no positions, full attention and mean pooling are order-invariant
    bag = _model(positional_encoding="none").eval()
    torch.testing.assert_close(bag(x), bag(rev), rtol=1e-5, atol=1e-6)


def test_sequence_longer_than_max_len():
    model = _model(max_len=5)
    with pytest.raises(ValueError, match="length 7 is longer than max_len 5"):
        model(_tokens())
    _model(max_len=5, positional_encoding="none")(_tokens())  # no table, no limit


def test_all_padding_row_is_finite():
    model = _model(pooling="last")
    out = model(_tokens(lengths=(3, 0)))
    out.sum().backward()
    assert torch.isfinite(out).all()
    _check_grads(model)


def test_dropout_only_in_training():
    model = _model(dropout=0.5)
    x = _tokens()
    assert not torch.equal(model(x), model(x))
    model.eval()
    assert torch.equal(model(x), model(x))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"attention": "sparse"}, "attention must be one of"),
        ({"attention": "local"}, "attention='local' needs a positive window"),
        ({"attention": "local", "window": 0}, "attention='local' needs a positive window"),
        ({"positional_encoding": "rotary"}, "positional_encoding must be one of"),
        ({"pooling": "max"}, "pooling must be one of"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"d_model": 10, "num_heads": 3}, "must be divisible by num_heads"),
    ],
)
def test_invalid_constructor_values(kwargs, match):
    params = {"d_model": 8, "num_heads": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        Transformer(VOCAB, 2, 10, tokens=True, **params)
