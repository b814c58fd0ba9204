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
  gates ``g = softmax(Z)`` over the story's facts. The attention-based GRU
  reads the facts in order with its update gate replaced by the gate,
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

from skmem.modules._blocks import attend, encode, last_valid

__all__ = ["DMNPlus", "AttentionGRU", "BiGRU"]

QUESTION_ENCODINGS = ("position", "gru")


def _reverse_within(x, lengths):
    """Reverse ``x`` (B, T, D) along time within each row's first ``lengths``
    steps, leaving the steps after them in place (an involution)."""
    T = x.size(1)
    t = torch.arange(T, device=x.device)  # (T,)
    idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # (B, T)
    return x.gather(1, idx[:, :, None].expand_as(x))


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
        both = torch.stack([x, _reverse_within(x, lengths)]).view(2, B * T, D)
        inputs = torch.baddbmm(self.bias_ih, both, self.weight_ih)  # (2, B T, 3H)
        inputs = inputs.view(2, B, T, 3 * H).permute(2, 0, 1, 3)  # (T, 2, B, 3H)
        h = inputs.new_zeros(2, B, H)
        states = []
        for x_t in inputs.unbind(0):  # the recurrence: only the steps in Python
            hs = torch.baddbmm(self.bias_hh, h, self.weight_hh)  # (2, B, 3H)
            reset, update = torch.sigmoid(x_t[..., : 2 * H] + hs[..., : 2 * H]).chunk(2, -1)
            new = torch.tanh(x_t[..., 2 * H :] + reset * hs[..., 2 * H :])
            h = torch.lerp(new, h, update)  # (1 - z) n + z h
            states.append(h)
        states = torch.stack(states, 2)  # (2, B, T, H)
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
        H = self.hidden_size
        reset_in, candidate_in = xs.split(H, dim=-1)  # (T, B, H) each
        weight_t, bias = self.hidden_map.weight.t(), self.hidden_map.bias  # (H, 2H), (2H,)
        h = xs.new_zeros(xs.size(1), H)  # (B, H)
        # unbind: one backward node for all steps, not a zero-filled slice per step
        steps = zip(reset_in.unbind(0), candidate_in.unbind(0), gates.t().unsqueeze(-1).unbind(0))
        for x_r, x_h, g in steps:  # the recurrence: only the facts in Python
            h_r, h_h = torch.addmm(bias, h, weight_t).split(H, dim=-1)  # (B, H) each
            candidate = torch.tanh(x_h + torch.sigmoid(x_r + h_r) * h_h)
            h = torch.lerp(h, candidate, g)  # h + g (h~ - h)
        return h


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

    Forward: ``forward(story, question, return_attention=False)`` with story
    int64 ``(B, M, L)`` and question int64 ``(B, L_q)`` returns logits
    ``(B, n_answers)``, and with ``return_attention=True`` the tuple
    ``(logits, gates)`` with gates ``(B, num_passes, M)``: the attention gate
    of each fact in each pass, zero on empty slots, summing to one (to at
    most one with ``null_fact``).
    """

    def __init__(self, vocab_size, n_answers, *, hidden_size=80, num_passes=3, dropout=0.1,
                 question_encoding="position", fusion_skip=True, null_fact=True, embedding_std=0.1):
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
        self.answer = nn.Linear(2 * H, n_answers)
        self.dropout = nn.Dropout(dropout)
        self._reset_parameters()

    def _reset_parameters(self):
        # Xavier weights and zero biases as in the authors' setup; normal
        # embeddings, padding row zero.
        for name, param in self.named_parameters():
            if name.startswith("embedding"):
                nn.init.normal_(param, std=self.embedding_std)
            elif "bias" in name:
                nn.init.zeros_(param)
            else:  # one matrix, or one per direction
                for matrix in param.view(-1, *param.shape[-2:]):
                    nn.init.xavier_uniform_(matrix)
        with torch.no_grad():
            self.embedding.weight[0].zero_()

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
        m, gates = q, []
        for update in self.memory_updates:  # the passes
            z = torch.cat([facts * m[:, None], (facts - m[:, None]).abs()], -1)  # (B, n, 2H)
            hidden = torch.tanh(gate_base + self.gate_memory(z))  # (B, n, H)
            g = attend(self.gate_score(hidden).squeeze(-1), mask, use_softmax=True,
                       null=self.null_fact)  # (B, n)
            episode = self.episode_gru(facts, g, projected)  # (B, H)
            m = F.relu(update(torch.cat([m, episode, q], -1)))  # (B, H)
            gates.append(g)
        logits = self.answer(torch.cat([self.dropout(m), q], -1))  # (B, n_answers)
        if not return_attention:
            return logits
        gates = torch.stack(gates, 1)  # (B, num_passes, n)
        return logits, F.pad(gates, (0, M - n))  # (B, num_passes, M)
