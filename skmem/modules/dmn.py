"""Dynamic Memory Network (DMN+).

Kumar et al., "Ask Me Anything: Dynamic Memory Networks for Natural Language
Processing", ICML 2016, https://arxiv.org/abs/1506.07285; and the improved
DMN+ of Xiong, Merity and Socher, "Dynamic Memory Networks for Visual and
Textual Question Answering", ICML 2016, https://arxiv.org/abs/1603.01417

Modules, in the order the data flows:

- Input module: each sentence is a position-encoded sum of its word
  embeddings, ``s_i``; the input fusion layer, a bidirectional GRU across
  sentences, lets the facts exchange information:
  ``f_i = GRU_fwd_i + GRU_bwd_i``, here by default plus ``s_i`` itself.
- Question module: the paper's GRU over the question's words (its last
  state is ``q``), or by default the question position-encoded like the
  sentences.
- Episodic memory, ``num_passes`` passes starting from ``m^0 = q``. Pass
  ``t`` scores each fact from its interactions with the question and the
  previous memory, ``z_i = [f_i * q; f_i * m; |f_i - q|; |f_i - m|]``,
  ``Z_i = w2 . tanh(W1 z_i + b1) + b2`` (the question's half of ``W1 z_i``
  is computed once for all passes), and turns the scores into attention
  gates ``g = softmax(Z)`` over the story's facts (optionally, with
  ``time_features``, after adding to ``Z`` scores of when each fact was
  written: its recency, and its order and distance relative to the facts
  the previous pass attended). The attention-based GRU reads the facts in
  order with its update gate replaced by the gate,
  ``h_i = g_i * GRU~(f_i, h_{i-1}) + (1 - g_i) * h_{i-1}``, and its last
  state is the episode ``c^t``. The memory update is untied per pass,
  ``m^t = ReLU(W^t [m^{t-1}; c^t; q] + b^t)``.
- Answer module: ``logits = W_a [m^T; q]``.

The two defaults that depart from the paper (``fusion_skip=True``,
``question_encoding="position"``) put the question and the facts in the
space of the word embeddings from the start, so that the interactions
``f * q`` and ``|f - q|`` match words before the GRUs have learned anything;
with 1,000 training questions per bAbI task the paper's form memorizes the
training stories instead (e.g. task 14: 45% test error after 40 epochs,
against 18% with both).

Input contract (shared with :mod:`skmem.modules.memn2n`): ``story`` int64
``(B, M, L)``, ``M`` sentence slots oldest first, all-zero sentences being
empty slots (after the real ones); ``question`` int64 ``(B, L_q)``; word id 0
is padding. Empty slots get a zero gate and are never read; the backward
fusion GRU starts at each story's last real sentence, so padding never changes
the facts. The batch is cut to its longest story before the recurrences.
"""

import torch
import torch.nn.functional as F
from torch import nn

from skmem.modules._blocks import TimeScore, attend, encode, init_embedding, last_valid

__all__ = ["DMNPlus", "AttentionGRU", "BiGRU"]

QUESTION_ENCODINGS = ("position", "gru")


def _reverse_within(x, lengths):
    """Reverse ``x`` (B, T, D) along time within each row's first ``lengths``
    steps, leaving the steps after them in place (an involution)."""
    T = x.size(1)
    t = torch.arange(T, device=x.device)  # (T,)
    idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # (B, T)
    return x.gather(1, idx[:, :, None].expand_as(x))


def _tanh_(x):
    """``tanh`` in place, as ``2 sigmoid(2x) - 1``: several times faster than
    ``torch.tanh`` on CPU, to within float32 rounding."""
    return x.mul_(2).sigmoid_().mul_(2).sub_(1)


class _Tanh(torch.autograd.Function):
    """``torch.tanh`` computed as :func:`_tanh_`, in place on a tensor that
    nothing else needs (its output), with the backward ``dy (1 - y^2)``."""

    @staticmethod
    def forward(ctx, x):
        ctx.mark_dirty(x)
        y = _tanh_(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - grad * y * y


class _GRUSteps(torch.autograd.Function):
    """``torch.nn.GRU``'s recurrence for a stack of independent GRUs, with a
    hand-written backward.

    ``inputs`` (K, T, B, 3H) is the input half of every step, ``W x + b_ih``,
    gates ordered [reset; update; new]; ``weight`` (K, H, 3H) and ``bias``
    (K, 1, 3H) are the hidden half. Returns the states (K, T, B, H), starting
    from zero. Autograd would record about twenty small operations per step;
    this records one node, runs four operations per step backward and
    batches everything else over the steps.
    """

    @staticmethod
    def forward(ctx, inputs, weight, bias):
        K, T, B, _ = inputs.shape
        H = weight.size(1)
        states = inputs.new_empty(K, T, B, H)
        hidden = inputs.new_empty(K, T, B, 3 * H)  # U h + b_hh of every step
        gates = inputs.new_empty(K, T, B, 2 * H)  # reset, update
        new = inputs.new_empty(K, T, B, H)
        h = inputs.new_zeros(K, B, H)
        for t in range(T):  # the recurrence: only the steps in Python
            torch.baddbmm(bias, h, weight, out=hidden[:, t])
            torch.add(inputs[:, t, :, : 2 * H], hidden[:, t, :, : 2 * H],
                      out=gates[:, t]).sigmoid_()
            reset, update = gates[:, t].split(H, -1)
            torch.addcmul(inputs[:, t, :, 2 * H :], reset, hidden[:, t, :, 2 * H :], out=new[:, t])
            _tanh_(new[:, t])
            h = torch.lerp(new[:, t], h, update, out=states[:, t])  # (1 - z) n + z h
        ctx.save_for_backward(weight, states, hidden, gates, new)
        return states

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_states):
        weight, states, hidden, gates, new = ctx.saved_tensors
        K, T, B, H = states.shape
        reset, update = gates.split(H, -1)  # (K, T, B, H) each
        # d(U h + b_hh) = dh * factors, per gate: every factor that does not
        # depend on dh, for all steps at once
        d_new = (1 - update) * (1 - new * new)  # d(new gate's pre-activation) / dh
        factors = states.new_empty(K, T, B, 3, H)
        torch.mul(d_new * hidden[..., 2 * H :], reset * (1 - reset), out=factors[..., 0, :])
        update_slope = update * (1 - update)
        torch.mul(new, update_slope, out=factors[..., 1, :]).neg_()  # (h_{t-1} - n) z (1 - z)
        factors[:, 1:, :, 1].addcmul_(states[:, :-1], update_slope[:, 1:])
        torch.mul(d_new, reset, out=factors[..., 2, :])
        d_hidden = torch.empty_like(factors)
        d_state = torch.empty_like(states)  # dL/dh_t, through every path
        weight_t = weight.transpose(1, 2)  # (K, 3H, H)
        carry = 0
        for t in range(T - 1, -1, -1):
            dh = torch.add(grad_states[:, t], carry, out=d_state[:, t])  # (K, B, H)
            torch.mul(dh[..., None, :], factors[:, t], out=d_hidden[:, t])
            if t:
                carry = torch.baddbmm(dh * update[:, t], d_hidden[:, t].view(K, B, 3 * H), weight_t)
        d_hidden = d_hidden.view(K, T, B, 3 * H)
        grad_inputs = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:  # the input half: the new gate without the reset factor
            grad_inputs = torch.empty_like(d_hidden)
            grad_inputs[..., : 2 * H] = d_hidden[..., : 2 * H]
            torch.mul(d_state, d_new, out=grad_inputs[..., 2 * H :])
        if ctx.needs_input_grad[1]:  # sum over steps t >= 1 of h_{t-1}^T d_hidden_t
            grad_weight = torch.bmm(states[:, :-1].reshape(K, -1, H).transpose(1, 2),
                                    d_hidden[:, 1:].reshape(K, -1, 3 * H))
        if ctx.needs_input_grad[2]:
            grad_bias = d_hidden.sum((1, 2)).unsqueeze(1)
        return grad_inputs, grad_weight, grad_bias


class _AttentionGRUSteps(torch.autograd.Function):
    """The attention GRU's recurrence with a hand-written backward.

    ``inputs`` (T, B, 2H) is ``[W_r x + b_r; W x + b]`` of every step,
    ``gates`` (T, B, 1), ``weight`` (2H, H) and ``bias`` (2H,) the hidden map
    ``[U_r; U] h + [0; b_u]``. Returns the last state (B, H), starting from
    zero.
    """

    @staticmethod
    def forward(ctx, inputs, gates, weight, bias):
        T, B, _ = inputs.shape
        H = weight.size(1)
        states = inputs.new_zeros(T + 1, B, H)  # h_0 = 0, h_1, ..., h_T
        hidden = inputs.new_empty(T, B, 2 * H)
        reset = inputs.new_empty(T, B, H)
        candidate = inputs.new_empty(T, B, H)
        weight_t = weight.t()
        for t in range(T):  # the recurrence: only the facts in Python
            torch.addmm(bias, states[t], weight_t, out=hidden[t])
            torch.add(inputs[t, :, :H], hidden[t, :, :H], out=reset[t]).sigmoid_()
            _tanh_(torch.addcmul(inputs[t, :, H:], reset[t], hidden[t, :, H:], out=candidate[t]))
            torch.lerp(states[t], candidate[t], gates[t], out=states[t + 1])  # h + g (h~ - h)
        ctx.save_for_backward(gates, weight, states, hidden, reset, candidate)
        return states[T].clone()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_h):
        gates, weight, states, hidden, reset, candidate = ctx.saved_tensors
        T, B, H = candidate.shape
        d_candidate = gates * (1 - candidate * candidate)  # d(pre-tanh) / dh
        factors = candidate.new_empty(T, B, 2, H)  # d(U h + b) = dh * factors
        torch.mul(d_candidate * hidden[..., H:], reset * (1 - reset), out=factors[..., 0, :])
        torch.mul(d_candidate, reset, out=factors[..., 1, :])
        keep = 1 - gates
        d_hidden = torch.empty_like(factors)
        d_state = torch.empty_like(candidate)  # dL/dh_{t+1}
        d_state[T - 1] = grad_h
        for t in range(T - 1, -1, -1):
            torch.mul(d_state[t][:, None], factors[t], out=d_hidden[t])
            if t:
                torch.addmm(d_state[t] * keep[t], d_hidden[t].view(B, 2 * H), weight,
                            out=d_state[t - 1])
        d_hidden = d_hidden.view(T, B, 2 * H)
        grad_inputs = grad_gates = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:  # laid out as the projection that made the inputs
            grad_inputs = candidate.new_empty(B, T, 2 * H).transpose(0, 1)
            grad_inputs[..., :H] = d_hidden[..., :H]
            torch.mul(d_state, d_candidate, out=grad_inputs[..., H:])
        if ctx.needs_input_grad[1]:
            grad_gates = (d_state * (candidate - states[:-1])).sum(-1, keepdim=True)
        if ctx.needs_input_grad[2]:
            grad_weight = d_hidden.view(T * B, 2 * H).t() @ states[:-1].reshape(T * B, H)
        if ctx.needs_input_grad[3]:
            grad_bias = d_hidden.sum((0, 1))
        return grad_inputs, grad_gates, grad_weight, grad_bias


class BiGRU(nn.Module):
    """Bidirectional GRU whose outputs are summed, both directions in one loop.

    ``forward(x, lengths)`` with ``x`` (B, T, D) returns ``(B, T, H)``: the
    forward GRU's state at each step plus the backward GRU's, which starts at
    each row's step ``lengths - 1``, so that trailing padding never reaches
    the real steps. The two directions run as one batched matrix product per
    step. The equations are ``torch.nn.GRU``'s.
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        # direction, input, [reset; update; new]
        self.weight_ih = nn.Parameter(torch.empty(2, input_size, 3 * hidden_size))
        self.weight_hh = nn.Parameter(torch.empty(2, hidden_size, 3 * hidden_size))
        self.bias_ih = nn.Parameter(torch.zeros(2, 1, 3 * hidden_size))
        self.bias_hh = nn.Parameter(torch.zeros(2, 1, 3 * hidden_size))
        for weight in (*self.weight_ih, *self.weight_hh):
            nn.init.xavier_uniform_(weight)

    def forward(self, x, lengths):
        B, T, D = x.shape  # batch, steps, features
        H = self.hidden_size
        # both directions' inputs, laid out (direction, step, batch) as the steps read them
        both = torch.stack([x.transpose(0, 1), _reverse_within(x, lengths).transpose(0, 1)])
        inputs = torch.baddbmm(self.bias_ih, both.view(2, T * B, D), self.weight_ih)  # (2, T B, 3H)
        # the recurrence in the weights' dtype: mixed precision casts the inputs only
        with torch.autocast(x.device.type, enabled=False):
            states = _GRUSteps.apply(inputs.view(2, T, B, 3 * H).to(self.weight_hh.dtype),
                                     self.weight_hh, self.bias_hh).transpose(1, 2)  # (2, B, T, H)
        return states[0] + _reverse_within(states[1], lengths)


class AttentionGRU(nn.Module):
    """GRU whose update gate is an external scalar gate per step (DMN+).

    ``forward(x, gates)`` with ``x`` (B, T, D) and ``gates`` (B, T) returns the
    last state (B, H): ``h_i = g_i * h~_i + (1 - g_i) * h_{i-1}``, with
    ``r_i = sigmoid(W_r x_i + U_r h_{i-1} + b_r)`` and
    ``h~_i = tanh(W x_i + r_i * (U h_{i-1} + b_u) + b)``. A step with gate 0
    leaves the state unchanged.
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.input_map = nn.Linear(input_size, 2 * hidden_size)  # [W_r; W], [b_r; b]
        self.hidden_map = nn.Linear(hidden_size, 2 * hidden_size)  # [U_r; U], [0; b_u]
        nn.init.zeros_(self.hidden_map.bias)

    def project(self, x):
        """The input half of every step at once, ``(T, B, 2H)``; reusable
        across passes over the same facts."""
        return self.input_map(x).transpose(0, 1)

    def forward(self, x, gates, projected=None):
        xs = self.project(x) if projected is None else projected  # (T, B, 2H)
        weight, bias = self.hidden_map.weight, self.hidden_map.bias
        # the recurrence in the weights' dtype: mixed precision casts the inputs only
        with torch.autocast(x.device.type, enabled=False):
            return _AttentionGRUSteps.apply(xs.to(weight.dtype),
                                            gates.t().unsqueeze(-1).to(weight.dtype),
                                            weight, bias)  # (B, H)


class DMNPlus(nn.Module):
    """DMN+ over a story and a question.

    Parameters
    ----------
    vocab_size : int
        Number of word ids (0 = padding, 1 = unknown word).
    n_answers : int
        Number of answer classes.
    hidden_size : int, default=80
        Size of the word embeddings, facts, question vector, memory and every
        recurrent state.
    num_passes : int, default=3
        Episodic memory passes over the facts.
    dropout : float, default=0.1
        Dropout on the facts and on the final memory.
    question_encoding : {"position", "gru"}, default="position"
        Question module: the question position-encoded like the sentences,
        or the last state of a GRU over its words (the paper's).
    fusion_skip : bool, default=True
        Add each sentence's encoding to its fused fact,
        ``f_i = s_i + GRU_fwd_i + GRU_bwd_i``; ``False`` is the paper's
        ``f_i = GRU_fwd_i + GRU_bwd_i``.
    null_fact : bool, default=True
        Let each pass's softmax over the facts also weigh an empty fact of
        score 0, so that a pass can attend (almost) nothing when no fact
        matches; the gates then sum to at most one.
    embedding_std : float, default=0.1
        Standard deviation of the normal word embedding initialization.
    time_features : bool, default=False
        Add to each pass's fact scores write-time scores (those of the
        memory networks' ``time_features``), weighted by the memory:
        the facts' recency and, from the second pass on, their order and
        distance relative to the facts the previous pass attended.

    Forward: ``forward(story, question, return_attention=False)`` with story
    int64 ``(B, M, L)`` and question int64 ``(B, L_q)`` returns logits
    ``(B, n_answers)``, and with ``return_attention=True`` the tuple
    ``(logits, gates)`` with gates ``(B, num_passes, M)``: the attention gate
    of each fact in each pass, zero on empty slots, summing to one (to at
    most one with ``null_fact``).
    """

    def __init__(self, vocab_size, n_answers, *, hidden_size=80, num_passes=3, dropout=0.1,
                 question_encoding="position", fusion_skip=True, null_fact=True, embedding_std=0.1,
                 time_features=False):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("n_answers", n_answers),
                            ("hidden_size", hidden_size), ("num_passes", num_passes)]:
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2 (padding and unknown), got {vocab_size}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        if question_encoding not in QUESTION_ENCODINGS:
            raise ValueError(f"question_encoding must be one of {QUESTION_ENCODINGS}, "
                             f"got {question_encoding!r}")
        if not embedding_std > 0:
            raise ValueError(f"embedding_std must be positive, got {embedding_std!r}")
        H = hidden_size
        self.hidden_size, self.num_passes = hidden_size, num_passes
        self.question_encoding, self.fusion_skip = question_encoding, bool(fusion_skip)
        self.null_fact = bool(null_fact)
        self.embedding_std = embedding_std
        self.embedding = nn.Embedding(vocab_size, H, padding_idx=0)
        self.question_gru = nn.GRU(H, H, batch_first=True) if question_encoding == "gru" else None
        self.fusion = BiGRU(H, H)
        # W1 z = W1_q [f * q; |f - q|] + W1_m [f * m; |f - m|]: the question half once
        self.gate_question = nn.Linear(2 * H, H)
        self.gate_memory = nn.Linear(2 * H, H, bias=False)
        self.gate_score = nn.Linear(H, 1)
        self.episode_gru = AttentionGRU(H, H)
        self.memory_updates = nn.ModuleList(nn.Linear(3 * H, H) for _ in range(num_passes))
        self.time_score = TimeScore(num_passes, H) if time_features else None
        self.answer = nn.Linear(2 * H, n_answers)
        self.dropout = nn.Dropout(dropout)
        self._reset_parameters()

    def _reset_parameters(self):
        # Xavier weights and zero biases as in the authors' setup; normal
        # embeddings, padding row zero.
        init_embedding(self.embedding, self.embedding_std)
        for name, param in self.named_parameters():
            if name.startswith(("embedding", "time_score")):  # time scores start at zero
                continue
            if "bias" in name:
                nn.init.zeros_(param)
            else:  # one matrix, or one per direction
                for matrix in param.view(-1, *param.shape[-2:]):
                    nn.init.xavier_uniform_(matrix)

    def _facts(self, story, mask):
        """Input module: position-encoded sentences through the fusion layer."""
        sentences = encode(self.embedding, story, "position")  # (B, M, H)
        facts = self.fusion(sentences, last_valid(mask))  # (B, M, H)
        return facts + sentences if self.fusion_skip else facts

    def _question(self, question):
        """Question module: the position-encoded question, or the state of a
        GRU at its last word."""
        if self.question_gru is None:
            return encode(self.embedding, question, "position")  # (B, H)
        states, _ = self.question_gru(self.embedding(question))  # (B, L_q, H)
        last = last_valid(question.ne(0)) - 1  # (B,)
        return states[torch.arange(len(question), device=question.device), last]  # (B, H)

    def forward(self, story, question, return_attention=False):
        if story.dim() != 3 or question.dim() != 2 or story.size(0) != question.size(0):
            raise ValueError(f"expected story (B, M, L) and question (B, L), got "
                             f"{tuple(story.shape)} and {tuple(question.shape)}")
        B, M, _ = story.shape  # batch, memory slots, words per sentence
        # cut the batch to its longest story, sentence and question
        mask = story.ne(0).any(-1)  # (B, M) real sentences
        n = int(last_valid(mask).max())
        words = int(last_valid(story.ne(0).any(1)).max())
        story, mask = story[:, :n, :words], mask[:, :n]
        question = question[:, : int(last_valid(question.ne(0)).max())]

        q = self._question(question)  # (B, H)
        facts = self.dropout(self._facts(story, mask))  # (B, n, H)
        # what does not depend on the memory is computed once for every pass
        gate_base = self.gate_question(
            torch.cat([facts * q[:, None], (facts - q[:, None]).abs()], -1))  # (B, n, H)
        projected = self.episode_gru.project(facts)  # (n, B, 2H)
        recency = None if self.time_score is None else TimeScore.recency(mask, facts.dtype)
        m, gates = q, []
        for p, update in enumerate(self.memory_updates):  # the passes
            z = torch.cat([facts * m[:, None], (facts - m[:, None]).abs()], -1)  # (B, n, 2H)
            hidden = _Tanh.apply(gate_base + self.gate_memory(z))  # (B, n, H)
            scores = self.gate_score(hidden).squeeze(-1)  # (B, n)
            if self.time_score is not None:
                scores = scores + self.time_score(p, m, recency, gates[-1] if gates else None)
            g = attend(scores, mask, use_softmax=True, null=self.null_fact)  # (B, n)
            episode = self.episode_gru(facts, g, projected)  # (B, H)
            m = F.relu(update(torch.cat([m, episode, q], -1)))  # (B, H)
            gates.append(g)
        logits = self.answer(torch.cat([self.dropout(m), q], -1))  # (B, n_answers)
        if not return_attention:
            return logits
        gates = torch.stack(gates, 1)  # (B, num_passes, n)
        return logits, F.pad(gates, (0, M - n))  # (B, num_passes, M)
