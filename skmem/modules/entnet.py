"""Recurrent Entity Network (EntNet).

Henaff, Weston, Szlam, Bordes and LeCun, "Tracking the World State with
Recurrent Entity Networks", ICLR 2017, https://arxiv.org/abs/1612.03969

The story is read one sentence at a time into ``num_slots`` memory slots,
each a pair of a key ``w_j`` (which entity the slot is about) and a content
``h_j`` (what is known about it). Every slot sees every sentence:

- input encoder: ``s_t = sum_i f_i * e_i``, the sentence's word embeddings
  weighted by learned multiplicative position masks ``f_i`` (one vector per
  word position; the question's start at ones, i.e. a bag of words, the
  story's at ones or, as in the authors' code, at random);
- gate: ``g_j = sigmoid(s_t . h_j + s_t . w_j + b_j)``;
- candidate: ``h~_j = PReLU(U h_j + V s_t + W w_j)``;
- update and normalisation: ``h_j <- h_j + g_j h~_j``, ``h_j <- h_j / |h_j|``.

Keys and contents start equal (``h_j = w_j`` before the first sentence). The
question, encoded with masks of its own into ``u``, reads the slots:
``p_j = softmax(u . h_j)``, ``u <- PReLU(u + H sum_j p_j h_j)``, once per
hop (the paper's output module is one hop; the authors' code has more as an
option), and the logits are ``R u``.

The update is one set of batched tensor operations over the batch and all the
slots, ``(B, num_slots, d)``; Python loops only over the sentences, which the
recurrence demands. Everything that does not depend on the memory (sentence
encodings, ``V s_t``, ``W w_j``, ``s_t . w_j``) is computed for the whole
story before the loop, and the loop has a hand-written backward
(:func:`entnet_memory`). The batch is read longest story first, so that each
sentence updates only the stories that are that long. Details follow the
authors' Torch code: the gate has a bias per slot, ``U`` a bias, the PReLU
(one slope per dimension, initialised to 1) is shared by the memory and the
output module, and weights start from ``N(0, init_std)``.

Input contract (shared with :mod:`skmem.modules.memn2n`): ``story`` int64
``(B, M, L)``, sentences oldest first, word id 0 = padding; an all-zero
sentence is empty and leaves the memory as it is. ``question`` int64
``(B, L_q)``. Words are at the start of their sentence (padding at the end).
"""

import torch
import torch.nn.functional as F
from torch import nn

from skmem.modules._blocks import init_embedding, keep_mask, last_valid

__all__ = ["EntNet", "entnet_memory"]

MASK_INITS = ("ones", "normal")
NEGLIGIBLE = 1e-30  # smaller gradients are flushed to zero in the backward


def _prelu_backward(grad, x, slope):
    """Gradient through ``PReLU(x)``: ``grad`` where ``x > 0``, ``slope * grad`` elsewhere.

    ``threshold_backward`` is ReLU's fused backward; on the CPU it is several
    times faster than ``torch.where`` on a comparison.
    """
    return torch.lerp(torch.ops.aten.threshold_backward(grad, x, 0), grad, slope)


class _Recurrence(torch.autograd.Function):
    """The dynamic memory read over a whole story, with a hand-written backward.

    Autograd would record a dozen small nodes per sentence. Here the forward
    keeps what the backward needs, and the backward walks the sentences back
    with plain tensor operations, accumulating the weight gradients as it
    goes. Every tensor it makes is one sentence's ``(B, S, d)`` at most: on
    the CPU, tensors over the whole story cost more in fresh memory (page
    faults) than they save in calls.

    Stories end at different sentences. With the batch sorted longest story
    first, sentence ``t`` only updates the first ``batch_sizes[t]`` rows (as in
    a ``PackedSequence``); a story's memory is final once its last sentence is
    read.
    """

    @staticmethod
    def forward(ctx, h, s, key_gate, sentence_drive, key_drive, U, slope, batch_sizes):
        B, S, d = h.shape  # batch, slots, embedding size
        final = torch.empty_like(h, memory_format=torch.contiguous_format)
        h = h.contiguous()
        key_drive = key_drive.repeat(B, 1)  # (B S, d)
        gates = h.new_zeros(len(batch_sizes), B, S)  # (T, B, S), zero once a story has ended
        contents, pre, candidates, norms = [h], [], [], []  # contents[t]: before sentence t
        for t, n in enumerate(batch_sizes):
            if n < h.size(0):  # the stories from row n on have ended
                final[n : h.size(0)] = h[n:]
                h = h[:n]
            z = torch.linalg.vecdot(h, s[t, :n].unsqueeze(1)).add_(key_gate[t, :n])  # (n, S) gate logit
            g = torch.sigmoid(z, out=gates[t, :n]).unsqueeze(-1)  # (n, S, 1)
            p = torch.addmm(key_drive[: n * S], h.view(n * S, d), U).view(n, S, d)
            p.add_(sentence_drive[t, :n].unsqueeze(1))  # U h_j + V s_t + W w_j + b
            candidate = F.prelu(p.view(n * S, d), slope).view(n, S, d)
            x = torch.addcmul(h, g, candidate)
            norm = torch.linalg.vector_norm(x, dim=-1, keepdim=True).clamp_min_(1e-12)  # (n, S, 1)
            h = x.div_(norm)
            for kept, value in zip((contents, pre, candidates, norms), (h, p, candidate, norm)):
                kept.append(value)
        final[: h.size(0)] = h
        ctx.batch_sizes = batch_sizes
        ctx.mark_non_differentiable(gates)
        ctx.save_for_backward(s, U, slope, gates, *contents, *pre, *candidates, *norms)
        return final, gates

    @staticmethod
    def backward(ctx, grad_h, grad_gates):
        s, U, slope, gates, *saved = ctx.saved_tensors
        batch_sizes = ctx.batch_sizes
        T, B, d = s.shape
        contents, saved = saved[: T + 1], saved[T + 1 :]
        pre, candidates, norms = (saved[i * T : (i + 1) * T] for i in range(3))
        S = contents[0].size(1)
        grad_s, grad_sentence_drive = torch.zeros_like(s), torch.zeros_like(s)
        grad_key_gate = s.new_zeros(T, B, S)
        grad_U = torch.zeros_like(U)
        grad_key_drive = s.new_zeros(B * S, d)  # summed over the batch at the end
        grad_slope = s.new_zeros(B * S, d)  # likewise
        grad_h = grad_h.contiguous()
        dh = grad_h[:0]  # rows whose stories have not ended before this sentence
        for t in reversed(range(T)):
            n = batch_sizes[t]
            if n > dh.size(0):  # stories whose last sentence is t: their final memory's gradient
                dh = torch.cat([dh, grad_h[dh.size(0) : n]])
            # Going back over a long story the gradient fades; its negligible
            # parts are set to zero before they become subnormal numbers, on
            # which the CPU computes several times slower.
            dh = F.hardshrink(dh, NEGLIGIBLE)
            h, h_new, g, p = contents[t][:n], contents[t + 1], gates[t, :n], pre[t].view(n * S, d)
            # through h <- x / |x|: drop the radial part, divide by the norm
            radial = torch.linalg.vecdot(h_new, dh).unsqueeze(-1)  # (n, S, 1)
            dx = torch.addcmul(dh, h_new, radial, value=-1).div_(norms[t])  # (n, S, d)
            # through x = h + g * PReLU(p)
            dg = torch.linalg.vecdot(dx, candidates[t])  # (n, S)
            grad_candidate = (dx * g.unsqueeze(-1)).view(n * S, d)
            grad_slope[: n * S].addcmul_(grad_candidate, p.clamp(max=0))
            grad_p = _prelu_backward(grad_candidate, p, slope)  # (n S, d)
            dz = torch.mul(dg, g * (1 - g), out=grad_key_gate[t, :n])  # (n, S) through the sigmoid
            torch.bmm(dz.unsqueeze(1), h, out=grad_s[t, :n].unsqueeze(1))  # (n, 1, d)
            torch.sum(grad_p.view(n, S, d), 1, out=grad_sentence_drive[t, :n])
            grad_key_drive[: n * S] += grad_p
            grad_U.addmm_(h.reshape(n * S, d).T, grad_p)
            # to the memory before the sentence: through U h_j and the gate's s_t . h_j
            dh = torch.addmm(dx.view(n * S, d), grad_p, U.T).view(n, S, d)
            dh.addcmul_(dz.unsqueeze(-1), s[t, :n].unsqueeze(1))
        if dh.size(0) < B:  # stories with no sentence at all
            dh = torch.cat([dh, grad_h[dh.size(0) :]])
        return (dh, grad_s, grad_key_gate, grad_sentence_drive, grad_key_drive.view(B, S, d).sum(0),
                grad_U, grad_slope.sum(0), None)


def entnet_memory(h, s, key_gate, sentence_drive, key_drive, U, slope, batch_sizes=None):
    """Run the EntNet dynamic memory over ``T`` sentences.

    Parameters
    ----------
    h : tensor (B, S, d)
        Initial slot contents.
    s : tensor (T, B, d)
        Encoded sentences, time first.
    key_gate : tensor (T, B, S)
        ``s_t . w_j + b_j``, the part of the gate's logit without the
        memory; ``-inf`` closes the gate (empty sentences).
    sentence_drive : tensor (T, B, d)
        ``V s_t``, the sentence's part of the candidate.
    key_drive : tensor (S, d)
        ``W w_j + b``, the key's part of the candidate (with ``U``'s bias).
    U : tensor (d, d)
        Memory-to-candidate matrix, applied as ``h @ U``.
    slope : tensor (d,)
        PReLU slopes.
    batch_sizes : sequence of int or None, default=None
        How many rows read sentence ``t``: non-increasing, the rows being
        sorted by story length, longest first. The memory of the other rows
        is left as it is, with zero gates. ``None``: every row reads every
        sentence.

    Returns
    -------
    h : tensor (B, S, d)
        Slot contents after the last sentence.
    gates : tensor (T, B, S)
        Gate activations (not differentiable).
    """
    T, B = s.shape[:2]
    if batch_sizes is None:
        batch_sizes = [B] * T
    batch_sizes = [int(n) for n in batch_sizes]
    if len(batch_sizes) != T or any(not 0 <= m <= n <= B for n, m in zip([B, *batch_sizes], batch_sizes)):
        raise ValueError(f"batch_sizes must be {T} non-increasing sizes of at most {B}, "
                         f"got {batch_sizes}")
    return _Recurrence.apply(h, s, key_gate, sentence_drive, key_drive, U, slope, batch_sizes)


class EntNet(nn.Module):
    """Recurrent Entity Network over a story of sentences.

    Parameters
    ----------
    vocab_size : int
        Number of word ids (0 = padding, 1 = unknown word).
    n_answers : int
        Number of answer classes.
    sentence_len : int
        Most words per story sentence: the number of story position masks.
    question_len : int
        Most words per question: the number of question position masks.
    embedding_dim : int, default=100
    num_slots : int, default=20
        Number of memory slots, each with a learned key. Ignored when
        ``key_ids`` is given.
    num_hops : int, default=1
        Reads of the slots by the output module.
    key_ids : sequence of int or None, default=None
        Vocabulary ids whose word embeddings are the keys (keys tied to
        entity words, one slot per id); ``None`` learns free keys.
    answer_ids : sequence of int or None, default=None
        Vocabulary id of each answer class: the output matrix ``R`` is then
        the rows ``answer_ids`` of the word embedding; otherwise ``R`` is a
        separate matrix.
    dropout : float, default=0.0
        Dropout on the word embeddings in training mode.
    init_std : float, default=0.1
        Standard deviation of the normal weight initialisation.
    story_mask_init : {"ones", "normal"}, default="ones"
        Initial story position masks: ones (a bag of words, like the
        question's masks), or ``N(0, init_std)`` like the other weights, as
        in the authors' code, which tells the words' positions apart from
        the start.

    Forward: ``forward(story, question, return_attention=False)`` returns
    logits ``(B, n_answers)``; with ``return_attention=True`` the tuple
    ``(logits, gates, read)``: ``gates`` ``(B, num_slots, M)``, the gate of
    each slot at each sentence (zero at empty sentences), and ``read``
    ``(B, num_hops, num_slots)``, the output module's attention over the
    slots at each hop.
    """

    def __init__(self, vocab_size, n_answers, sentence_len, question_len, *, embedding_dim=100,
                 num_slots=20, num_hops=1, key_ids=None, answer_ids=None, dropout=0.0, init_std=0.1,
                 story_mask_init="ones"):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("n_answers", n_answers),
                            ("sentence_len", sentence_len), ("question_len", question_len),
                            ("embedding_dim", embedding_dim), ("num_slots", num_slots),
                            ("num_hops", num_hops)]:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2 (padding and unknown), got {vocab_size}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        if not init_std > 0:
            raise ValueError(f"init_std must be positive, got {init_std!r}")
        if story_mask_init not in MASK_INITS:
            raise ValueError(f"story_mask_init must be one of {MASK_INITS}, got {story_mask_init!r}")
        key_ids = self._check_ids(key_ids, None, vocab_size, "key_ids")
        answer_ids = self._check_ids(answer_ids, n_answers, vocab_size, "answer_ids")
        d = embedding_dim
        self.vocab_size, self.n_answers, self.embedding_dim = vocab_size, n_answers, d
        self.num_slots = num_slots if key_ids is None else len(key_ids)
        self.num_hops = num_hops

        self.embedding = nn.Embedding(vocab_size, d, padding_idx=0)
        self.story_mask = nn.Parameter(torch.ones(sentence_len, d))  # f_i, one per word position
        self.question_mask = nn.Parameter(torch.ones(question_len, d))
        self.keys = nn.Parameter(torch.empty(self.num_slots, d)) if key_ids is None else None
        self.register_buffer("key_ids", key_ids)
        self.gate_bias = nn.Parameter(torch.empty(self.num_slots))
        self.U = nn.Linear(d, d)  # memory -> candidate (with bias)
        self.V = nn.Linear(d, d, bias=False)  # sentence -> candidate
        self.W = nn.Linear(d, d, bias=False)  # key -> candidate
        self.prelu = nn.PReLU(d, init=1.0)  # shared by the memory and the output module
        self.H = nn.Linear(d, d, bias=False)
        self.R = None if answer_ids is not None else nn.Linear(d, n_answers, bias=False)
        self.register_buffer("answer_ids", answer_ids)
        self.dropout = float(dropout)

        init_embedding(self.embedding, init_std)
        if story_mask_init == "normal":
            nn.init.normal_(self.story_mask, std=init_std)
        for param in (self.keys, self.gate_bias, self.U.weight, self.U.bias, self.V.weight,
                      self.W.weight, self.H.weight, None if self.R is None else self.R.weight):
            if param is not None:
                nn.init.normal_(param, std=init_std)

    @staticmethod
    def _check_ids(ids, size, vocab_size, name):
        if ids is None:
            return None
        ids = torch.as_tensor(ids, dtype=torch.long)
        if ids.dim() != 1 or len(ids) == 0 or (size is not None and len(ids) != size):
            raise ValueError(f"{name} must be a 1-D sequence of {size or 'some'} vocabulary ids")
        if ids.min() < 1 or ids.max() >= vocab_size:
            raise ValueError(f"{name} must hold vocabulary ids in [1, {vocab_size})")
        return ids

    def _encode(self, words, mask):
        """Sentences ``(..., L)`` to vectors ``(..., d)`` with position masks ``f``."""
        L = words.size(-1)
        if L > mask.size(0):
            raise ValueError(f"sentences have {L} words, the model was built for at most "
                             f"{mask.size(0)}")
        vectors = self.embedding(words)  # (..., L, d); padding rows are zero
        if self.training and self.dropout > 0:
            # Dropout's scale is folded into the position masks; the 0/1 mask
            # is a float tensor (a product with a bool one is far slower).
            keep = keep_mask(vectors, self.dropout)
            return (vectors * keep * (mask[:L] / (1 - self.dropout))).sum(-2)
        return (vectors * mask[:L]).sum(-2)

    def _keys(self):
        return self.keys if self.key_ids is None else self.embedding(self.key_ids)

    def forward(self, story, question, return_attention=False):
        if story.dim() != 3 or question.dim() != 2 or story.size(0) != question.size(0):
            raise ValueError(f"expected story (B, M, L) and question (B, L), got "
                             f"{tuple(story.shape)} and {tuple(question.shape)}")
        B, M, _ = story.shape  # batch, sentences, words per sentence
        real = story.ne(0).any(-1)  # (B, M) non-empty sentences
        # Longest story first, so that the memory reads each sentence for
        # the stories that have it only (a prefix of the batch).
        lengths, order = last_valid(real).sort(descending=True, stable=True)
        story, question, real = story[order], question[order], real[order]
        T = int(lengths[0]) if real.any() else 0  # steps anyone needs
        batch_sizes = (lengths > torch.arange(T, device=lengths.device)[:, None]).sum(1).tolist()
        keys = self._keys()  # (S, d)
        S, d = keys.shape  # slots, embedding size

        s = self._encode(story[:, :T], self.story_mask).transpose(0, 1).contiguous()  # (T, B, d)
        # Terms independent of the memory, for every step at once, time first.
        key_gate = torch.addmm(self.gate_bias, s.view(T * B, d), keys.T).view(T, B, S)
        key_gate = key_gate.masked_fill(~real[:, :T].T[..., None], float("-inf"))  # (T, B, S)
        h, gates = entnet_memory(keys.expand(B, S, d), s, key_gate, self.V(s),
                                 self.W(keys) + self.U.bias, self.U.weight.T,
                                 self.prelu.weight, batch_sizes)  # (B, S, d), (T, B, S)

        u = self._encode(question, self.question_mask)  # (B, d)
        reads = []
        for _ in range(self.num_hops):  # the output module reads the slots
            # Products and sums rather than bmm: on the CPU, bmm of one vector
            # per batch row takes twice as long, forward and backward.
            read = torch.softmax(torch.linalg.vecdot(h, u.unsqueeze(1)), dim=-1)  # (B, S)
            u = self.prelu(u + self.H((read.unsqueeze(-1) * h).sum(1)))  # (B, d)
            reads.append(read)
        logits = self.R(u) if self.R is not None else u @ self.embedding.weight[self.answer_ids].T
        restore = order.argsort()  # back to the caller's order
        if not return_attention:
            return logits[restore]
        gates = F.pad(gates.permute(1, 2, 0), (0, M - T))  # (B, S, M)
        return logits[restore], gates[restore], torch.stack(reads, 1)[restore]
