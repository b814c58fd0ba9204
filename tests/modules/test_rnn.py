import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skmem.modules.rnn import RNN

VOCAB, B, T = 12, 4, 7


def _tokens(lengths=(7, 4, 1, 5), T=T, seed=0):
    """Token ids 1..VOCAB-1, each row padded with zeros after lengths[b]."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(1, VOCAB, (len(lengths), T), generator=g)
    x[torch.arange(T)[None, :] >= torch.tensor(lengths)[:, None]] = 0
    return x


def _check_grads(model):
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_tokens_forward_backward_shapes(cell, bidirectional, num_layers):
    model = RNN(VOCAB, 3, tokens=True, cell=cell, hidden_size=8, num_layers=num_layers,
                bidirectional=bidirectional, dropout=0.1)
    assert isinstance(model.rnn, {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell])
    x = _tokens()
    out = model(x)
    assert out.shape == (B, 3)
    assert model.encode(x).shape == (B, 8 * (2 if bidirectional else 1))
    F.cross_entropy(out, torch.tensor([0, 1, 2, 0])).backward()
    _check_grads(model)
    assert model.input.embed.weight.grad[0].abs().sum() == 0  # padding row is fixed


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("shape, n_inputs", [((B, T), 1), ((B, T, 1), 1), ((B, T, 3), 3)])
def test_series_forward_backward_shapes(cell, shape, n_inputs):
    model = RNN(n_inputs, 2, cell=cell, hidden_size=8, bidirectional=True)
    x = torch.randn(*shape)
    out = model(x)
    assert out.shape == (B, 2)
    F.mse_loss(out, torch.zeros(B, 2)).backward()
    _check_grads(model)


def test_univariate_series_2d_equals_3d():
    model = RNN(1, 2, hidden_size=8).eval()
    x = torch.randn(B, T)
    torch.testing.assert_close(model(x), model(x[..., None]))


def test_embedding_dim_sets_token_embedding():
    model = RNN(VOCAB, 2, tokens=True, hidden_size=8, embedding_dim=5)
    assert model.input.embed.weight.shape == (VOCAB, 5)
    assert model.rnn.input_size == 5
    default = RNN(VOCAB, 2, tokens=True, hidden_size=8)
    assert default.input.embed.weight.shape == (VOCAB, 8)  # None: hidden_size


def test_embedding_dim_ignored_for_series():
    model = RNN(3, 2, hidden_size=8, embedding_dim=5)
    assert model.rnn.input_size == 3


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_trailing_padding_never_changes_output(cell, bidirectional, num_layers):
    model = RNN(VOCAB, 3, tokens=True, cell=cell, hidden_size=8, num_layers=num_layers,
                bidirectional=bidirectional, dropout=0.3).eval()
    x = _tokens()
    out = model(x)
    torch.testing.assert_close(model(F.pad(x, (0, 5))), out, rtol=1e-5, atol=1e-6)
    # and each row alone, cut to its own length, gives the same output
    for b, n in enumerate((7, 4, 1, 5)):
        torch.testing.assert_close(model(x[b : b + 1, :n]), out[b : b + 1], rtol=1e-5, atol=1e-6)


def test_padding_is_not_read_as_a_step():
    """Without packing, a unidirectional cell would keep updating over padding."""
    model = RNN(VOCAB, 3, tokens=True, cell="rnn", hidden_size=8).eval()
    x = _tokens(lengths=(2,), T=6)
    h = model.input.embed(x[:, :2])
    _, state = model.rnn(h)
    torch.testing.assert_close(model.encode(x), state[-1])


def test_all_padding_row_is_finite():
    model = RNN(VOCAB, 2, tokens=True, cell="lstm", hidden_size=8, bidirectional=True)
    x = _tokens(lengths=(3, 0))
    out = model(x)
    out.sum().backward()
    assert torch.isfinite(out).all()
    _check_grads(model)


def test_no_state_between_calls():
    model = RNN(VOCAB, 2, tokens=True, hidden_size=8).eval()
    x = _tokens()
    first = model(x)
    model(_tokens(seed=1))
    assert torch.equal(model(x), first)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell": "foo"}, "cell must be one of"),
        ({"hidden_size": 0}, "hidden_size and num_layers must be positive"),
        ({"num_layers": 0}, "hidden_size and num_layers must be positive"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"dropout": -0.1}, r"dropout must be in \[0, 1\)"),
    ],
)
def test_invalid_constructor_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RNN(VOCAB, 2, tokens=True, **kwargs)
