"""Neural Turing Machine.

Graves, Wayne and Danihelka (2014), "Neural Turing Machines",
https://arxiv.org/abs/1410.5401.

A controller (an LSTM cell or a one-layer feed-forward network) reads an
external memory of ``N`` slots of width ``M`` through read heads and changes it
through write heads (erase, then add). Every head addresses memory the same
way (section 3.3 of the paper):

1. content: softmax of key strength ``beta`` times the cosine similarity of a
   key with every slot;
2. interpolation with the previous weighting through a gate ``g``;
3. a circular convolution with a distribution over shifts
   ``-shift_range .. +shift_range``;
4. sharpening by the power ``gamma >= 1`` and renormalisation.

Choices that make it train reliably, from Collier and Beel (2018),
"Implementing Neural Turing Machines", https://arxiv.org/abs/1807.08518, and
the public ports: memory starts as a small constant (so the cosine is
defined and nothing has to be learned for it), every head starts focused on
slot 0 (a constant memory gives uniform content weights, so without that the
heads could never tell slots apart), and the head parameters and output
logits are clipped to ``[-clip_value, clip_value]``. Train with gradient
clipping (see the estimators).

Speed: every head of every kind is addressed together (one matmul for all
heads), all head parameters come from one linear layer, and the input-side
controller projection and the output layer run once over the whole sequence
outside the time loop. The only Python loop is over time steps.
"""

import numbers

import torch
import torch.nn.functional as F
from torch import nn

from skmem.modules._blocks import SequenceInput, last_valid

_MEMORY_INIT = 1e-6  # constant initial memory content (Collier and Beel 2018)
_EPS = 1e-6  # keeps cosine similarity and log(0) in sharpening finite


def address(memory, key, beta, gate, shift, gamma, previous, shift_index):
    """Weightings over memory slots for every head at once (paper, eqs. 5-9).

    Parameters
    ----------
    memory : tensor of shape (B, N, M)
    key : tensor of shape (B, H, M)
    beta : tensor of shape (B, H, 1), key strength, >= 0
    gate : tensor of shape (B, H, 1), interpolation gate in [0, 1]
    shift : tensor of shape (B, H, 2 * S + 1), a distribution over the
        shifts ``-S .. +S`` (see :func:`circular_shift`)
    gamma : tensor of shape (B, H, 1), sharpening exponent, >= 1
    previous : tensor of shape (B, H, N), the weightings of the last step
    shift_index : tensor from :func:`shift_index`

    Returns
    -------
    tensor of shape (B, H, N), non-negative, each row summing to one.
    """
    # beta * cosine(k, m_i) = (beta / |k|) k . m_i / |m_i|; eps keeps zero vectors finite
    inv_slot_norm = torch.rsqrt(memory.square().sum(2) + _EPS ** 2)  # (B, N)
    scale = beta * torch.rsqrt(key.square().sum(2, keepdim=True) + _EPS ** 2)  # (B, H, 1)
    scores = torch.bmm(key * scale, memory.transpose(1, 2)) * inv_slot_norm.unsqueeze(1)  # (B, H, N)
    content = torch.softmax(scores, dim=2)
    # in the dtype of the weightings: under autocast the head outputs may be half precision
    gated = torch.lerp(previous, content.to(previous.dtype), gate.to(previous.dtype))
    shifted = circular_shift(gated, shift, shift_index)
    # w ** gamma / sum(w ** gamma), computed as a softmax of gamma * log(w)
    return torch.softmax(gamma * torch.log(shifted + _EPS), dim=2)


def shift_index(memory_slots, shift_range, device=None):
    """Gather index for :func:`circular_shift`: row ``j`` holds ``(i - (j - S)) mod N``."""
    offsets = torch.arange(-shift_range, shift_range + 1, device=device)  # -S .. +S
    slots = torch.arange(memory_slots, device=device)
    return ((slots - offsets.unsqueeze(1)) % memory_slots).flatten()  # (2S + 1) * N


def circular_shift(weights, shift, index):
    """Circular convolution of weightings with a shift distribution (eq. 8).

    ``shift[..., j]`` is the weight of moving the focus by ``j - S`` slots, so
    a shift distribution that is one-hot at ``j = S + 1`` moves every
    weighting one slot forward: ``out[i] = sum_j shift[j] * w[i - (j - S)]``.

    Parameters
    ----------
    weights : tensor of shape (B, H, N)
    shift : tensor of shape (B, H, 2 * S + 1)
    index : tensor from ``shift_index(N, S)``

    Returns
    -------
    tensor of shape (B, H, N)
    """
    B, H, N = weights.shape
    moved = weights.index_select(2, index).view(B, H, -1, N)  # (B, H, 2S + 1, N), each offset
    return (shift.unsqueeze(3) * moved).sum(2)


def write(memory, weights, erase, add):
    """Erase then add, for all write heads at once (paper, eqs. 3-4).

    Parameters
    ----------
    memory : tensor of shape (B, N, M)
    weights : tensor of shape (B, W, N)
    erase : tensor of shape (B, W, M), in [0, 1]
    add : tensor of shape (B, W, M)

    Returns
    -------
    tensor of shape (B, N, M), the new memory.
    """
    spread = weights.transpose(1, 2)  # (B, N, W)
    if weights.size(1) == 1:  # one head: plain broadcasting beats bmm on outer products
        return torch.addcmul(memory - memory * (spread * erase), spread, add)
    # several heads: erasures multiply, 1 - prod_h (1 - w_h e_h^T); additions sum
    keep = torch.prod(1 - weights.unsqueeze(3) * erase.unsqueeze(2), dim=1)  # (B, N, M)
    return torch.baddbmm(memory * keep, spread, add)  # + sum_h w_h a_h^T


class NTM(nn.Module):
    """Neural Turing Machine over a whole sequence.

    Parameters
    ----------
    input_size : int
        Features per time step, or the vocabulary size with ``tokens=True``.
    output_size : int
        Outputs per time step (or per sequence, with ``readout="last"``).
    tokens : bool, default=False
        Whether the input holds token ids (0 is padding), embedded first.
    embedding_dim : int or None, default=None
        Token embedding size; ``None`` uses ``hidden_size``. Ignored for
        float input, whose features feed the controller directly.
    readout : {"steps", "last"}, default="steps"
        ``"steps"``: an output at every step; ``"last"``: one output per
        sequence, read at its last step (its last non-padding token for
        token ids, so trailing padding never changes it).
    controller : {"lstm", "feedforward"}, default="lstm"
        The controller network; it sees the input and the last read vectors.
    hidden_size : int, default=100
        Width of the controller.
    memory_slots : int, default=128
        ``N``, the number of memory locations.
    memory_dim : int, default=20
        ``M``, the width of each location.
    num_read_heads : int, default=1
    num_write_heads : int, default=1
    shift_range : int, default=1
        Heads may shift their focus by ``-shift_range .. +shift_range``.
    clip_value : float, default=20.0
        Head parameters and output logits are clipped to this absolute value.

    Notes
    -----
    ``forward(x)`` takes ``x`` float of shape ``(B, T, input_size)`` (or
    ``(B, T)``, one feature), or int64 token ids ``(B, T)`` with
    ``tokens=True``, and returns raw outputs ``(B, T, output_size)``, or
    ``(B, output_size)`` with ``readout="last"`` (logits: apply a sigmoid or
    a loss with logits). With ``return_weights=True`` it also returns the
    read and write weightings, ``(B, T, num_read_heads, N)`` and
    ``(B, T, num_write_heads, N)``.
    """

    def __init__(self, input_size, output_size, *, tokens=False, embedding_dim=None,
                 readout="steps", controller="lstm", hidden_size=100, memory_slots=128,
                 memory_dim=20, num_read_heads=1, num_write_heads=1, shift_range=1,
                 clip_value=20.0):
        super().__init__()
        for name, value, low in [("input_size", input_size, 1), ("output_size", output_size, 1),
                                 ("hidden_size", hidden_size, 1), ("memory_slots", memory_slots, 1),
                                 ("memory_dim", memory_dim, 1), ("num_read_heads", num_read_heads, 1),
                                 ("num_write_heads", num_write_heads, 1), ("shift_range", shift_range, 0)]:
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
        if readout not in ("steps", "last"):
            raise ValueError(f"readout must be 'steps' or 'last', got {readout!r}")
        if controller not in ("lstm", "feedforward"):
            raise ValueError(f"controller must be 'lstm' or 'feedforward', got {controller!r}")
        if 2 * shift_range + 1 > memory_slots:
            raise ValueError(f"shift_range={shift_range} needs at least {2 * shift_range + 1} "
                             f"memory_slots, got {memory_slots}")
        if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real) \
                or not clip_value > 0:
            raise ValueError(f"clip_value must be > 0, got {clip_value!r}")
        self.readout = readout
        self.controller = controller
        self.hidden_size = H = int(hidden_size)
        self.memory_slots = N = int(memory_slots)
        self.memory_dim = M = int(memory_dim)
        self.num_read_heads = R = int(num_read_heads)
        self.num_write_heads = W = int(num_write_heads)
        self.shift_range = int(shift_range)
        self.clip_value = float(clip_value)

        heads = R + W
        read_size = R * M
        # Controller: gates = input_proj(x_t) + recurrent_proj([r_{t-1}, h_{t-1}]);
        # the feed-forward controller sees only r_{t-1} on the recurrent side.
        gates = 4 * H if controller == "lstm" else H
        self.input = SequenceInput(int(input_size), (embedding_dim or H) if tokens else None,
                                   tokens=tokens)
        self.input_proj = nn.Linear(self.input.output_size, gates)
        self.recurrent_proj = nn.Linear(read_size + (H if controller == "lstm" else 0), gates,
                                        bias=False)
        # All head parameters from one layer, grouped by activation:
        # keys | shifts | softplus (beta, gamma) | sigmoid (gate, erase) | tanh (add)
        S = 2 * self.shift_range + 1
        self._split = [heads * M, heads * S, 2 * heads, heads + W * M, W * M]
        self.head_proj = nn.Linear(H, sum(self._split))
        self.output_proj = nn.Linear(read_size + H, int(output_size))

        self.read_init = nn.Parameter(torch.zeros(read_size))  # learned r_0
        self.register_buffer("memory_init", torch.full((N, M), _MEMORY_INIT), persistent=False)
        focus = torch.zeros(heads, N)
        focus[:, 0] = 1.0  # every head starts on slot 0
        self.register_buffer("weights_init", focus, persistent=False)
        self.register_buffer("shift_index", shift_index(N, self.shift_range), persistent=False)

    def forward(self, x, return_weights=False):
        """Run the machine over ``x``, memory fresh for every sequence.

        Returns the logits, (B, T, output_size) or (B, output_size), and,
        if ``return_weights``, also the read and write weightings over time.
        """
        x, mask = self.input(x)  # (B, T, features), (B, T) True at tokens or None
        B, T, _ = x.shape  # batch, time, input features
        if T == 0:
            raise ValueError("NTM needs at least one time step, got x of shape "
                             f"{tuple(x.shape)}")
        H, M, R, W = self.hidden_size, self.memory_dim, self.num_read_heads, self.num_write_heads
        heads = R + W
        lstm = self.controller == "lstm"
        clip = self.clip_value

        # one (B, gates) tensor per step; unbinding once keeps the backward pass
        # from building a zero (T, B, gates) gradient for every step's slice
        x_gates = self.input_proj(x).transpose(0, 1).contiguous().unbind(0)
        w_rec = self.recurrent_proj.weight.t()  # (R*M [+ H], gates)
        w_head, b_head = self.head_proj.weight.t(), self.head_proj.bias
        memory = self.memory_init.expand(B, -1, -1)  # (B, N, M)
        weights = self.weights_init.expand(B, -1, -1)  # (B, heads, N): read heads, then write
        h = c = x.new_zeros(B, H)
        state = torch.cat([self.read_init.expand(B, -1), h], dim=1)  # (B, R*M + H): [r, h]

        states, history = [], []
        for t in range(T):
            if lstm:
                gates, cell = torch.addmm(x_gates[t], state, w_rec).split([3 * H, H], dim=1)
                i, f, o = torch.sigmoid(gates).chunk(3, dim=1)  # (B, H) each
                c = torch.addcmul(f * c, i, torch.tanh(cell))
                h = o * torch.tanh(c)
            else:
                h = torch.tanh(torch.addmm(x_gates[t], state[:, :R * M], w_rec))
            params = F.hardtanh(torch.addmm(b_head, h, w_head), -clip, clip)  # clipped
            key, shift, positive, unit, add = params.split(self._split, dim=1)
            beta, gamma = F.softplus(positive).view(B, 2, heads, 1).unbind(1)  # (B, heads, 1)
            gate, erase = torch.sigmoid(unit).split([heads, W * M], dim=1)
            weights = address(memory, key.view(B, heads, M), beta, gate.unsqueeze(2),
                              torch.softmax(shift.view(B, heads, -1), dim=2), gamma + 1,
                              weights, self.shift_index)  # (B, heads, N)
            read_w, write_w = weights.split([R, W], dim=1)
            read = torch.bmm(read_w, memory)  # (B, R, M), read before this step's write
            memory = write(memory, write_w, erase.view(B, W, M), torch.tanh(add).view(B, W, M))
            state = torch.cat([read.view(B, R * M), h], dim=1)
            states.append(state)
            if return_weights:
                history.append(weights)

        states = torch.stack(states, dim=1)  # (B, T, R*M + H)
        if self.readout == "last":
            last = T - 1 if mask is None else last_valid(mask) - 1  # (B,) or an int
            states = states[torch.arange(B, device=x.device), last]  # (B, R*M + H)
        out = F.hardtanh(self.output_proj(states), -clip, clip)  # (B, [T,] out)
        if not return_weights:
            return out
        history = torch.stack(history, dim=1)  # (B, T, heads, N)
        return out, history[:, :, :R], history[:, :, R:]
