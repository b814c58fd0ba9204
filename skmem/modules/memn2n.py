"""End-To-End Memory Network (MemN2N).

Sukhbaatar, Szlam, Weston and Fergus, "End-To-End Memory Networks", NIPS 2015,
https://arxiv.org/abs/1503.08895

A story is a set of sentences written into memory. The question is embedded
into a controller state ``u``; each hop addresses the memory with a softmax
over ``u . m_i`` (input memories, embedding ``A``), reads a weighted sum of
the output memories ``c_i`` (embedding ``C``) and adds it to ``u``. After
``K`` hops the answer logits are ``W u``.

Input contract (shared with :mod:`skmem.modules.memnn`):

- ``story``: int64 ``(B, M, L)``, ``M`` memory slots oldest first, ``L`` words
  per sentence, word id 0 = padding, 1 = unknown word. An all-zero sentence
  is an empty slot: it is masked out of the attention and never read.
  Empty slots normally come after the real ones.
- ``question``: int64 ``(B, L_q)``.

The paper's training tricks and where they live:

- Position encoding (``encoding="position"``) and temporal encoding
  (``temporal=True``): here, in ``forward``.
- Linear start: the attribute :attr:`MemN2N.use_softmax`. Set it to
  ``False`` to remove the softmax of every hop (the attention is then the raw
  masked scores) and back to ``True`` to reinsert it; a training callback
  flips it when the validation loss stops falling. It is stored in a buffer,
  so it travels with ``state_dict`` and pickles.
- Random noise (``random_noise=0.1``): in training mode only, the temporal
  indices are spread as if up to 10% empty memories had been inserted at
  random positions of the story, exactly the regularizer of the paper's
  reference code. Nothing needs to be done outside the module.
- Adjacent weight tying ``A^{k+1} = C^k``, ``B = A^1``, ``W^T = C^K`` (when
  ``answer_ids`` maps the answers to vocabulary ids; otherwise ``W`` is its
  own matrix), or layer-wise tying ``A^k = A``, ``C^k = C`` with the linear
  map ``H`` in the controller update.
- Initialization N(0, 0.1), padding rows kept at zero (``padding_idx=0``).
- The null memory (``null_memory=True``): the reference code's softmax runs
  over every slot of its fixed-size memory, the empty ones included (zero
  vectors, score 0), so a hop can put its weight on nothing. Here one
  empty memory of score 0 stands in for them, whatever the padding. On
  bAbI 1k it more than halves the errors of the yes/no tasks 6, 9 and 10.
"""

import torch
import torch.nn.functional as F
from torch import nn

from skmem.modules._blocks import ENCODINGS, TimeScore, attend, encode, init_embedding, temporal_index

WEIGHT_TYINGS = ("adjacent", "layerwise")


class MemN2N(nn.Module):
    """End-To-End Memory Network with K hops over a story.

    Parameters
    ----------
    vocab_size : int
        Number of word ids (0 = padding, 1 = unknown word).
    n_answers : int
        Number of answer classes.
    embedding_dim : int, default=20
    num_hops : int, default=3
    memory_size : int, default=50
        Capacity: the most memory slots a story may have (size of the
        temporal embedding tables).
    encoding : {"position", "bow"}, default="position"
    temporal : bool, default=True
        Add the temporal embeddings ``T_A``, ``T_C`` to the memories.
    weight_tying : {"adjacent", "layerwise"}, default="adjacent"
    time_features : bool, default=False
        Add write-time scores to each hop's match: recency, and order and
        distance relative to the previous hop's read, each weighted by the
        controller state (as in :class:`~skmem.modules.memnn.MemNN`).
    null_memory : bool, default=True
        Let each hop's softmax also weigh an always-present memory of match
        score 0 that reads nothing, so a hop can read (almost) nothing when
        no sentence matches the controller. The paper's reference code gets
        the same from the empty slots of its fixed-size memory, which it
        does not mask. The attention then sums to less than one.
    random_noise : float, default=0.0
        Fraction of empty memories virtually inserted in training mode
        (the paper uses 0.1); regularizes the temporal embeddings.
    answer_ids : sequence of int or None, default=None
        Vocabulary id of each answer class. With adjacent tying the answer
        matrix is then the rows ``answer_ids`` of ``C^K`` (``W^T = C^K``);
        without it ``W`` is a separate matrix.
    init_std : float, default=0.1

    Forward: ``forward(story, question, return_attention=False)`` with story
    int64 ``(B, M, L)`` and question int64 ``(B, L_q)`` returns logits
    ``(B, n_answers)``, and with ``return_attention=True`` the tuple
    ``(logits, attention)`` with attention ``(B, num_hops, M)`` (the weights
    each hop read; zero on empty slots; with ``null_memory`` the rest of each
    hop's weight fell on the null memory).
    """

    def __init__(self, vocab_size, n_answers, *, embedding_dim=20, num_hops=3, memory_size=50,
                 encoding="position", temporal=True, weight_tying="adjacent", time_features=False,
                 null_memory=True, random_noise=0.0, answer_ids=None, init_std=0.1):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("n_answers", n_answers),
                            ("embedding_dim", embedding_dim), ("num_hops", num_hops),
                            ("memory_size", memory_size)]:
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2 (padding and unknown), got {vocab_size}")
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
        if weight_tying not in WEIGHT_TYINGS:
            raise ValueError(f"weight_tying must be one of {WEIGHT_TYINGS}, got {weight_tying!r}")
        if not 0.0 <= random_noise <= 1.0:
            raise ValueError(f"random_noise must be in [0, 1], got {random_noise!r}")
        if init_std <= 0:
            raise ValueError(f"init_std must be positive, got {init_std!r}")
        if answer_ids is not None:
            answer_ids = torch.as_tensor(answer_ids, dtype=torch.long)
            if answer_ids.shape != (n_answers,) or answer_ids.min() < 1 or answer_ids.max() >= vocab_size:
                raise ValueError("answer_ids must hold n_answers vocabulary ids in [1, vocab_size)")
        self.vocab_size, self.n_answers = vocab_size, n_answers
        self.embedding_dim, self.num_hops, self.memory_size = embedding_dim, num_hops, memory_size
        self.encoding, self.temporal, self.weight_tying = encoding, temporal, weight_tying
        self.random_noise, self.null_memory = random_noise, null_memory
        self.time_score = TimeScore(num_hops, embedding_dim) if time_features else None

        # adjacent: tables T_0..T_K with B = A^1 = T_0, A^k = T_{k-1}, C^k = T_k, W^T = T_K
        # layerwise: tables [B, A, C], shared by every hop, plus H
        n_tables = num_hops + 1 if weight_tying == "adjacent" else 3
        self.memory_tables = list(range(n_tables)) if weight_tying == "adjacent" else [1, 2]
        self.word_embeddings = nn.ModuleList(
            nn.Embedding(vocab_size, embedding_dim, padding_idx=0) for _ in range(n_tables))
        self.time_embeddings = nn.ModuleList(  # one per table that embeds the story
            nn.Embedding(memory_size, embedding_dim) for _ in self.memory_tables if temporal)
        self.H = nn.Linear(embedding_dim, embedding_dim, bias=False) if weight_tying == "layerwise" else None
        tie_answers = answer_ids is not None and weight_tying == "adjacent"
        self.W = None if tie_answers else nn.Linear(embedding_dim, n_answers, bias=False)
        self.register_buffer("answer_ids", answer_ids if tie_answers else None)
        self.register_buffer("_use_softmax", torch.tensor(True))
        for embedding in [*self.word_embeddings, *self.time_embeddings]:
            init_embedding(embedding, init_std)
        for linear in (self.H, self.W):
            if linear is not None:
                nn.init.normal_(linear.weight, std=init_std)

    @property
    def use_softmax(self):
        """bool: softmax in every hop; ``False`` during linear start."""
        return bool(self._use_softmax)

    @use_softmax.setter
    def use_softmax(self, value):
        self._use_softmax.fill_(bool(value))

    def _hop_tables(self):
        """Index, into the embedded memories, of the (input A^k, output C^k) of each hop."""
        if self.weight_tying == "adjacent":
            return [(k, k + 1) for k in range(self.num_hops)]
        return [(0, 1)] * self.num_hops

    def forward(self, story, question, return_attention=False):
        if story.dim() != 3 or question.dim() != 2 or story.size(0) != question.size(0):
            raise ValueError(f"expected story (B, M, L) and question (B, L), got "
                             f"{tuple(story.shape)} and {tuple(question.shape)}")
        if story.size(1) > self.memory_size:
            raise ValueError(f"story has {story.size(1)} memory slots, memory_size is {self.memory_size}")
        mask = story.ne(0).any(-1)  # (B, M) real memories
        memories = encode([self.word_embeddings[t] for t in self.memory_tables],
                          story, self.encoding)  # (n_memory_tables, B, M, d)
        if self.temporal:
            noise = self.random_noise if self.training else 0.0
            time = temporal_index(mask, self.memory_size, noise)  # (B, M)
            time_weights = torch.cat([emb.weight for emb in self.time_embeddings], 1)  # one lookup
            times = F.embedding(time, time_weights).unflatten(-1, (-1, self.embedding_dim))  # (B, M, n, d)
            memories = memories + times.movedim(-2, 0)
        u = encode(self.word_embeddings[0], question, self.encoding)  # (B, d), B = T_0
        if self.time_score is not None:
            recency = self.time_score.recency(mask, u.dtype)  # (B, M)
        attention, p = [], None
        for j, (a, c) in enumerate(self._hop_tables()):  # the recurrence: only the hops in Python
            scores = torch.linalg.vecdot(memories[a], u.unsqueeze(1))  # (B, M)
            if self.time_score is not None:
                scores = scores + self.time_score(j, u, recency, p)
            p = attend(scores, mask, self.use_softmax, null=self.null_memory)
            o = (p.unsqueeze(-1) * memories[c]).sum(1)  # (B, d); not bmm: 2x faster on the CPU
            u = (u if self.H is None else self.H(u)) + o
            attention.append(p)
        if self.W is None:
            logits = u @ self.word_embeddings[-1].weight[self.answer_ids].T  # (B, n_answers)
        else:
            logits = self.W(u)
        if return_attention:
            return logits, torch.stack(attention, 1)  # (B, num_hops, M)
        return logits
