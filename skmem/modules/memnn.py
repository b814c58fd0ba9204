"""Memory Network with key-value memory (MemNN / KV-MemNN).

Weston, Chopra and Bordes, "Memory Networks", ICLR 2015,
https://arxiv.org/abs/1410.3916 (input I, generalization G, output O and
response R modules; strong supervision of the memory lookups by the
supporting facts), and Miller, Fisch, Dodge, Karimi, Bordes and Weston,
"Key-Value Memory Networks for Directly Reading Documents", EMNLP 2016,
https://arxiv.org/abs/1606.03126 (keys and values embedded separately,
soft addressing, query updates ``q_{j+1} = R_j (q_j + o_j)``).

The four modules, as they appear in ``forward``:

- I (input): the question is embedded with ``B``; each sentence is embedded
  twice, as an address key with ``A`` and as a value with ``A_V`` (position
  encoding or bag of words; temporal embeddings added to both). Questions
  and memories live in separate feature spaces, as in the original model
  (``Phi_x`` and ``Phi_y``): with one shared table the match ``q . k``
  is a Gram matrix and can never prefer a word's opposite (bAbI task 4's
  "What is the kitchen south of?" must find "... is north of the kitchen").
- G (generalization): the story is written slot by slot, oldest first; the
  memory is ``forward``'s local state, never kept on the module.
- O (output): ``num_hops`` lookups ``p_j = softmax(q_j . k_i + t_j,i)``,
  ``o_j = sum_i p_j,i v_i``, ``q_{j+1} = R_j (q_j + o_j)``. The time score
  ``t_j,i = sum_k (w_jk . q_j + b_jk) phi_k(i)`` weighs features of slot
  ``i``'s write time by how much the query asks for each: its recency (the
  number of slots written after it) at every hop, and from the second hop
  on, against the slot ``m`` read at the previous hop (averaged over
  ``p_{j-1}``), whether ``i`` was written before, at or after ``m`` and how
  far from it. These are the original model's time features (is this memory
  older than that one?) in soft form: they hold for any distance, so a hop
  can ask for "the last move of this person" or "the move before that
  fact" in stories longer than any seen in training; a learned embedding
  per position, as in MemN2N, has to see every position to learn it.
- R (response): a ReLU layer over ``[q_1, o_1, ..., o_H]`` then logits over
  the answer classes (the bAbI paper's non-linear variant, needed for
  yes/no and comparison answers), or ``W q_{H+1}`` with ``response_hidden=None``.

Strong supervision. ``forward`` returns ``(logits, attention)`` with
attention ``(B, num_hops, M)``, the lookup weights of each hop (zero on empty
slots, one in sum over the real slots). The strongly supervised MemNN of the
bAbI paper (Weston et al. 2015, "Towards AI-Complete Question Answering")
asks hop ``j`` to find the ``j``-th supporting fact; add
:func:`supporting_fact_loss` (``attention``, ``supports``) to the answer
cross-entropy, with ``supports`` int64 ``(B, S)`` the memory slot of each
supporting fact in the order the hops should read them and ``-1`` where a
hop is unsupervised. Input contract: as :mod:`skmem.modules.memn2n`.
"""

import torch
import torch.nn.functional as F
from torch import nn

from skmem.modules._blocks import (
    ENCODINGS,
    TimeScore,
    attend,
    encode,
    init_embedding,
    position_factors,
    temporal_index,
)


def supporting_fact_loss(attention, supports, ignore_index=-1, eps=1e-12):
    """Cross-entropy of each hop's attention against its supporting fact.

    ``attention`` float ``(B, num_hops, M)``, ``supports`` int64 ``(B, S)``
    memory slots (``S`` may differ from ``num_hops``: extra facts are
    dropped, missing hops unsupervised). Returns the mean over the supervised
    (example, hop) pairs, zero when there are none.
    """
    hops = min(attention.size(1), supports.size(1))
    log_p = attention[:, :hops].clamp_min(eps).log()  # (B, hops, M)
    target = supports[:, :hops]  # (B, hops)
    if not target.ne(ignore_index).any():
        return attention.sum() * 0.0
    return F.nll_loss(log_p.flatten(0, 1), target.flatten(), ignore_index=ignore_index)


class MemNN(nn.Module):
    """Memory Network with key-value memory and soft, multi-hop lookups.

    Parameters
    ----------
    vocab_size : int
        Number of word ids (0 = padding, 1 = unknown word).
    n_answers : int
        Number of answer classes.
    embedding_dim : int, default=20
    num_hops : int, default=2
    memory_size : int, default=50
        The most memory slots a story may have.
    encoding : {"position", "bow"}, default="position"
    temporal : bool, default=False
        Add temporal (recency) embeddings to keys and values, one learned
        vector per position as in MemN2N.
    response_hidden : int or None, default=64
        Width of the response module's hidden ReLU layer; ``None`` scores
        the answers linearly from the last query.
    time_features : bool, default=True
        Score the slots by write-time features weighted by the query:
        recency at every hop, and from the second hop on, order and
        distance relative to the slot the previous hop read.
    question_match : bool, default=True
        Add to each value a learned vector at every word that also occurs in
        the question, weighted like the words (position encoding): what a
        hop reads then says where the question's words stand in the fact
        (e.g. whether the entity asked about is the subject or the object),
        which the answers of relations need.
    init_std : float, default=0.1
        Standard deviation of the embeddings' normal initialization; the
        hop maps ``R_j`` start at the identity.

    Forward: ``forward(story, question, return_attention=True)`` with story
    int64 ``(B, M, L)`` and question int64 ``(B, L_q)`` returns
    ``(logits (B, n_answers), attention (B, num_hops, M))``, or the logits
    alone with ``return_attention=False``.
    """

    def __init__(self, vocab_size, n_answers, *, embedding_dim=20, num_hops=2, memory_size=50,
                 encoding="position", temporal=False, response_hidden=64, time_features=True,
                 question_match=True, init_std=0.1):
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
        if response_hidden is not None and (not isinstance(response_hidden, int) or response_hidden < 1):
            raise ValueError(f"response_hidden must be None or a positive integer, got {response_hidden!r}")
        if init_std <= 0:
            raise ValueError(f"init_std must be positive, got {init_std!r}")
        self.vocab_size, self.n_answers = vocab_size, n_answers
        self.embedding_dim, self.num_hops, self.memory_size = embedding_dim, num_hops, memory_size
        self.encoding, self.temporal = encoding, temporal
        self.response_hidden = response_hidden

        self.query_embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)  # B
        self.key_embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)  # A
        self.value_embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)  # A_V
        self.key_time = nn.Embedding(memory_size, embedding_dim) if temporal else None
        self.value_time = nn.Embedding(memory_size, embedding_dim) if temporal else None
        # R_1 .. R_H; the non-linear response reads o_H itself, so R_H is not needed
        n_maps = num_hops if response_hidden is None else num_hops - 1
        self.hop_maps = nn.ModuleList(
            nn.Linear(embedding_dim, embedding_dim, bias=False) for _ in range(n_maps))
        self.time_score = TimeScore(num_hops, embedding_dim) if time_features else None
        self.match_vector = nn.Parameter(torch.empty(embedding_dim)) if question_match else None
        if response_hidden is None:
            self.response = nn.Linear(embedding_dim, n_answers, bias=False)
        else:
            self.response = nn.Sequential(
                nn.Linear(embedding_dim * (num_hops + 1), response_hidden),
                nn.ReLU(),
                nn.Linear(response_hidden, n_answers),
            )
        for embedding in (self.query_embedding, self.key_embedding, self.value_embedding,
                          self.key_time, self.value_time):
            if embedding is not None:
                init_embedding(embedding, init_std)
        for hop_map in self.hop_maps:
            nn.init.eye_(hop_map.weight)
        if self.match_vector is not None:
            nn.init.normal_(self.match_vector, std=init_std)
        if response_hidden is None:
            nn.init.normal_(self.response.weight, std=init_std)

    def _question_match(self, story, question):
        """``(B, M, d)``: the match vector at each word of a sentence that
        occurs in the question, summed with the words' encoding weights."""
        match = (story.unsqueeze(-1) == question[:, None, None, :]).any(-1) & story.ne(0)  # (B, M, L)
        match = match.to(self.match_vector.dtype)
        if self.encoding == "bow":
            return match.sum(-1, keepdim=True) * self.match_vector
        _, e, c = position_factors(story, self.embedding_dim)  # word weights l_kj = 1 + c_k e_j
        counted, weighted = match.sum(-1, keepdim=True), (match * e).sum(-1, keepdim=True)
        return (counted + weighted * c) * self.match_vector

    def forward(self, story, question, return_attention=True):
        if story.dim() != 3 or question.dim() != 2 or story.size(0) != question.size(0):
            raise ValueError(f"expected story (B, M, L) and question (B, L), got "
                             f"{tuple(story.shape)} and {tuple(question.shape)}")
        if story.size(1) > self.memory_size:
            raise ValueError(f"story has {story.size(1)} memory slots, memory_size is {self.memory_size}")
        # I and G: write every sentence into a key and a value slot
        mask = story.ne(0).any(-1)  # (B, M) real memories
        keys, values = encode([self.key_embedding, self.value_embedding], story, self.encoding)  # (B, M, d)
        if self.match_vector is not None:
            values = values + self._question_match(story, question)
        if self.temporal:
            time = temporal_index(mask, self.memory_size)  # (B, M) recency
            keys, values = keys + self.key_time(time), values + self.value_time(time)
        # O: hops of soft lookups
        q = encode(self.query_embedding, question, self.encoding)  # (B, d)
        if self.time_score is not None:
            recency = self.time_score.recency(mask, q.dtype)  # (B, M)
        read, attention, p = [q], [], None
        for j in range(self.num_hops):
            scores = torch.linalg.vecdot(keys, q.unsqueeze(1))  # (B, M)
            if self.time_score is not None:
                scores = scores + self.time_score(j, q, recency, p)
            p = attend(scores, mask, use_softmax=True)  # (B, M)
            o = (p.unsqueeze(-1) * values).sum(1)  # (B, d); not bmm: 2x faster on the CPU
            if j < len(self.hop_maps):
                q = self.hop_maps[j](q + o)
            attention.append(p)
            read.append(o)
        # R: score the answers
        if self.response_hidden is None:
            logits = self.response(q)  # (B, n_answers)
        else:
            logits = self.response(torch.cat(read, -1))
        if return_attention:
            return logits, torch.stack(attention, 1)  # (B, num_hops, M)
        return logits
