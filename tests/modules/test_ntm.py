import pytest
import torch
import torch.nn.functional as F

from skmem.modules.ntm import NTM, address, circular_shift, shift_index, write

B, N, M = 3, 10, 6


def _one_hot(slot, heads=1):
    w = torch.zeros(B, heads, N)
    w[:, :, slot] = 1.0
    return w


@pytest.mark.parametrize("controller", ["lstm", "feedforward"])
@pytest.mark.parametrize("heads", [(1, 1), (2, 3)])
def test_forward_backward_shapes(controller, heads):
    R, W = heads
    net = NTM(5, 4, controller=controller, hidden_size=16, memory_slots=N, memory_dim=M,
              num_read_heads=R, num_write_heads=W, shift_range=2)
    x = torch.rand(B, 7, 5)
    out, read_w, write_w = net(x, return_weights=True)
    assert out.shape == (B, 7, 4)
    assert read_w.shape == (B, 7, R, N) and write_w.shape == (B, 7, W, N)
    out.sum().backward()
    for name, p in net.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert torch.equal(net(x), out.detach())  # no state carried between calls


def test_weightings_are_distributions():
    net = NTM(5, 4, memory_slots=N, memory_dim=M, num_read_heads=2, num_write_heads=2)
    _, read_w, write_w = net(torch.randn(B, 9, 5) * 3, return_weights=True)
    for w in (read_w, write_w):
        assert (w >= 0).all()
        torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:-1]))


def test_zero_inputs_and_zero_keys_stay_finite():
    net = NTM(5, 4, memory_slots=N, memory_dim=M)
    torch.nn.init.zeros_(net.head_proj.weight)
    torch.nn.init.zeros_(net.head_proj.bias)  # every key is exactly zero
    out = net(torch.zeros(B, 6, 5))
    out.sum().backward()
    assert torch.isfinite(out).all()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters())


def test_address_zero_memory_and_key_is_finite():
    key = torch.zeros(B, 1, M, requires_grad=True)
    w = address(torch.zeros(B, N, M), key, torch.ones(B, 1, 1), torch.full((B, 1, 1), 0.5),
                torch.full((B, 1, 3), 1 / 3), torch.full((B, 1, 1), 3.0), _one_hot(0),
                shift_index(N, 1))
    w.sum().backward()
    assert torch.isfinite(w).all() and torch.isfinite(key.grad).all()


def test_write_then_read_by_content():
    memory = torch.rand(B, N, M) * 0.1
    vector = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0]).expand(B, 1, M)
    memory = write(memory, _one_hot(4), torch.ones(B, 1, M), vector)  # erase slot 4, put vector
    torch.testing.assert_close(memory[:, 4], vector[:, 0])
    w = address(memory, vector * 0.3, torch.full((B, 1, 1), 100.0), torch.ones(B, 1, 1),
                torch.tensor([0.0, 1.0, 0.0]).expand(B, 1, 3), torch.ones(B, 1, 1),
                _one_hot(0), shift_index(N, 1))  # content only: g = 1, no shift
    assert (w.argmax(-1) == 4).all()
    read = torch.bmm(w, memory)
    torch.testing.assert_close(read, vector, atol=1e-3, rtol=0)


def test_write_erases_and_adds_only_where_weighted():
    memory = torch.ones(B, N, M)
    new = write(memory, _one_hot(2), torch.full((B, 1, M), 0.5), torch.full((B, 1, M), 2.0))
    torch.testing.assert_close(new[:, 2], torch.full((B, M), 2.5))
    torch.testing.assert_close(new[:, 3:], memory[:, 3:])


def test_two_write_heads_multiply_erasures():
    memory = torch.ones(B, N, M)
    w = torch.zeros(B, 2, N)
    w[:, :, 1] = 1.0
    new = write(memory, w, torch.full((B, 2, M), 0.5), torch.zeros(B, 2, M))
    torch.testing.assert_close(new[:, 1], torch.full((B, M), 0.25))


@pytest.mark.parametrize("S", [1, 2])
def test_shift_moves_focus_by_one(S):
    shift = torch.zeros(B, 1, 2 * S + 1)
    shift[..., S + 1] = 1.0  # offset +1
    moved = circular_shift(_one_hot(N - 1), shift, shift_index(N, S))
    torch.testing.assert_close(moved, _one_hot(0))  # wraps around
    shift = torch.zeros(B, 1, 2 * S + 1)
    shift[..., S - 1] = 1.0  # offset -1
    torch.testing.assert_close(circular_shift(_one_hot(3), shift, shift_index(N, S)), _one_hot(2))


def test_address_location_only_steps_forward():
    previous = _one_hot(5)
    w = address(torch.rand(B, N, M), torch.rand(B, 1, M), torch.zeros(B, 1, 1),
                torch.zeros(B, 1, 1), torch.tensor([0.0, 0.0, 1.0]).expand(B, 1, 3),
                torch.full((B, 1, 1), 5.0), previous, shift_index(N, 1))  # g = 0, shift +1
    torch.testing.assert_close(w, _one_hot(6), atol=1e-4, rtol=0)


def test_sharpening_concentrates():
    w = F.softmax(torch.randn(B, 1, N), -1)
    kw = dict(memory=torch.rand(B, N, M), key=torch.rand(B, 1, M), beta=torch.zeros(B, 1, 1),
              gate=torch.zeros(B, 1, 1), shift=torch.tensor([0.0, 1.0, 0.0]).expand(B, 1, 3),
              previous=w, shift_index=shift_index(N, 1))
    torch.testing.assert_close(address(gamma=torch.ones(B, 1, 1), **kw), w, atol=1e-4, rtol=0)
    sharp = address(gamma=torch.full((B, 1, 1), 50.0), **kw)
    assert (sharp.max(-1).values > 0.99).all()
    assert torch.equal(sharp.argmax(-1), w.argmax(-1))


@pytest.mark.parametrize("kwargs", [
    dict(controller="gru"), dict(hidden_size=0), dict(memory_slots=2, shift_range=1),
    dict(num_read_heads=0), dict(shift_range=-1), dict(memory_dim=2.0), dict(clip_value=0),
])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        NTM(3, 2, **kwargs)


def test_empty_sequence_raises():
    with pytest.raises(ValueError, match="time step"):
        NTM(3, 2)(torch.zeros(2, 0, 3))


def test_learns_to_recall_one_vector():
    """A tiny copy task (one vector, then the answer) is learned in a few steps."""
    torch.manual_seed(0)
    net = NTM(5, 4, hidden_size=32, memory_slots=8, memory_dim=8)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    bits = torch.randint(0, 2, (64, 4)).float()
    x = torch.zeros(64, 3, 5)
    x[:, 0, :4] = bits
    x[:, 1, 4] = 1.0
    for _ in range(80):
        loss = F.binary_cross_entropy_with_logits(net(x)[:, 2], bits)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05


def test_token_ids_and_last_readout_ignore_trailing_padding():
    torch.manual_seed(0)
    net = NTM(7, 3, tokens=True, embedding_dim=6, readout="last", hidden_size=16,
              memory_slots=N, memory_dim=M)
    ids = torch.randint(1, 7, (B, 5))
    ids[0, 3:] = 0  # a shorter sequence
    out = net(ids)
    assert out.shape == (B, 3)
    padded = torch.cat([ids, torch.zeros(B, 4, dtype=torch.long)], dim=1)
    torch.testing.assert_close(net(padded), out)
    torch.testing.assert_close(net(ids[:1, :3]), out[:1])  # read at the last token


def test_float_readout_last_is_the_last_step_and_2d_series_work():
    net = NTM(1, 2, hidden_size=8, memory_slots=N, memory_dim=M)
    last = NTM(1, 2, hidden_size=8, memory_slots=N, memory_dim=M, readout="last")
    last.load_state_dict(net.state_dict())
    x = torch.randn(B, 6)  # (B, T): a univariate series
    torch.testing.assert_close(last(x), net(x)[:, -1])


def test_outputs_are_causal():
    """Step t depends on steps <= t only, so cutting later steps changes nothing."""
    net = NTM(5, 4, hidden_size=16, memory_slots=N, memory_dim=M)
    x = torch.randn(B, 9, 5)
    torch.testing.assert_close(net(x[:, :4]), net(x)[:, :4])


def test_bad_readout():
    with pytest.raises(ValueError, match="readout"):
        NTM(3, 2, readout="first")
