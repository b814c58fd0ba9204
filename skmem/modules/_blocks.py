"""Blocks shared by several architectures: sequence input, position encoding,
multi-head attention with padding, causal and local masks, the sentence
encoding, recency index, write-time scores and masked attention of the
story-memory models, and a dropout mask that is cheap to draw on the CPU."""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "SequenceInput",
    "sinusoidal_encoding",
    "attention_mask",
    "MultiHeadSelfAttention",
    "masked_mean",
    "last_valid",
    "ENCODINGS",
    "position_factors",
    "sentence_weights",
    "encode",
    "temporal_index",
    "TimeScore",
    "attend",
    "init_embedding",
    "keep_mask",
]


class SequenceInput(nn.Module):
    """Turn the model input into a sequence of vectors and a padding mask.

    Token ids ``(B, T)`` int64 (0 is padding) are embedded; float series
    ``(B, T)`` or ``(B, T, F)`` pass through, optionally projected to
    ``embedding_dim``.

    Parameters
    ----------
    n_inputs : int
        Vocabulary size for token ids, number of features for series.
    embedding_dim : int or None, default=None
        Size of the output vectors. Required for tokens; for series,
        ``None`` keeps the raw features.
    tokens : bool, default=False
        Whether the input is token ids.
    """

    def __init__(self, n_inputs, embedding_dim=None, *, tokens=False):
        super().__init__()
        if n_inputs < 1:
            raise ValueError(f"n_inputs must be positive, got {n_inputs}.")
        self.tokens = tokens
        if tokens:
            if embedding_dim is None:
                raise ValueError("embedding_dim is required for token ids.")
            self.embed = nn.Embedding(n_inputs, embedding_dim, padding_idx=0)
            self.output_size = embedding_dim
        elif embedding_dim is None:
            self.embed = nn.Identity()
            self.output_size = n_inputs
        else:
            self.embed = nn.Linear(n_inputs, embedding_dim)
            self.output_size = embedding_dim

    def forward(self, x):
        """Return ``(h, mask)``: vectors ``(B, T, D)`` and ``(B, T)`` bool
        (True at real tokens) for token ids, ``None`` for series."""
        if self.tokens:
            return self.embed(x), x != 0
        if x.dim() == 2:
            x = x.unsqueeze(-1)  # (B, T) -> (B, T, 1): univariate series
        return self.embed(x), None


def sinusoidal_encoding(length, dim, device=None):
    """The fixed position encoding of Vaswani et al. (2017), ``(length, dim)``."""
    position = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(
        torch.arange(0, dim, 2, device=device, dtype=torch.float32)
        * (-math.log(10000.0) / dim)
    )
    enc = torch.zeros(length, dim, device=device)
    enc[:, 0::2] = torch.sin(position * freq)
    enc[:, 1::2] = torch.cos(position * freq[: dim // 2])
    return enc


def attention_mask(T, *, kind="full", window=None, key_mask=None, device=None):
    """Boolean mask of allowed attention, True where a query may attend a key.

    Parameters
    ----------
    T : int
        Sequence length.
    kind : {"full", "causal", "local"}
        ``"local"`` lets position ``i`` attend positions ``j`` with
        ``|i - j| < window`` (a sparse, banded pattern).
    window : int or None
        Width of the local band.
    key_mask : bool tensor (B, T) or None
        False at padding keys.

    Returns
    -------
    mask : bool tensor broadcastable to (B, heads, T, T), or None when every
        query may attend every key.
    """
    mask = None
    if kind != "full":
        i = torch.arange(T, device=device)
        offset = i[:, None] - i[None, :]  # (T, T): query minus key
        if kind == "causal":
            mask = offset >= 0
        elif kind == "local":
            mask = offset.abs() < window
        else:
            raise ValueError(f"Unknown attention kind {kind!r}.")
    if key_mask is not None:
        keys = key_mask[:, None, None, :]  # (B, 1, 1, T)
        mask = keys if mask is None else keys & mask
        # A query whose every key is padding would get NaN from softmax;
        # letting every query see itself keeps the row defined.
        mask = mask | torch.eye(T, dtype=torch.bool, device=device)
    return mask


class MultiHeadSelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention (one fused QKV matmul)."""

    def __init__(self, d_model, num_heads, *, dropout=0.0):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(
                f"d_model ({d_model}) must be divisible by num_heads ({num_heads})."
            )
        self.num_heads = num_heads
        self.dropout = dropout
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, mask=None):
        B, T, C = x.shape  # batch, time, channels
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, C / heads)
        q, k, v = (t.view(B, T, self.num_heads, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0
        )
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


def masked_mean(h, mask):
    """Mean of ``h`` (B, T, D) over time where ``mask`` (B, T) is True."""
    if mask is None:
        return h.mean(dim=1)
    weights = mask.unsqueeze(-1).to(h.dtype)  # (B, T, 1)
    return (h * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


def last_valid(mask):
    """Length up to the last True in each row of ``mask`` (B, T), at least 1.

    Padding is trailing; a zero inside the sequence still counts as a step.
    """
    T = mask.shape[1]
    steps = torch.arange(1, T + 1, device=mask.device)
    return (mask * steps).amax(dim=1).clamp(min=1)


# Story memories: sentences of word ids (..., L) reduced to vectors, slots
# (B, M) stored oldest first, all-zero sentences being empty slots.

ENCODINGS = ("position", "bow")


def position_factors(words, embedding_dim):
    """Position encoding as ``l_kj = 1 + c_k e_j``: returns the word presence
    ``(..., L)``, ``e`` ``(..., L)`` (zero at padding) and ``c`` ``(d,)``."""
    present = words.ne(0).float()  # (..., L)
    j = present.cumsum(-1)  # 1-based word position
    J = present.sum(-1, keepdim=True).clamp_min(1.0)  # sentence length
    d = embedding_dim
    e = 4 * (j - (J + 1) / 2) / (d * J) * present
    c = torch.arange(1, d + 1, device=words.device, dtype=torch.float32) - (d + 1) / 2
    return present, e, c


def sentence_weights(words, embedding_dim, encoding):
    """Per-word weights of a sentence encoding: position encoding or bag of words.

    ``words`` is int64 ``(..., L)``; returns float ``(..., L, embedding_dim)``
    (or ``(..., L, 1)`` for ``"bow"``), zero at padding. Position encoding is
    eq. (4.1) in the form of the authors' reference code,
    ``l_kj = 1 + 4 (k - (d + 1) / 2) (j - (J + 1) / 2) / (d J)``, about twice
    the printed ``(1 - j/J) - (k/d) (1 - 2 j/J)``; the factor matters (on
    bAbI 1k task 16 the printed form leaves 53% error, this one 0.2%). ``J``
    is the number of words of *that* sentence, so extra padding never changes
    the encoding.
    """
    if encoding == "bow":
        return words.ne(0).unsqueeze(-1).float()
    present, e, c = position_factors(words, embedding_dim)
    return present.unsqueeze(-1) + e.unsqueeze(-1) * c  # (..., L, d)


def encode(embeddings, words, encoding):
    """Embed ``words`` ``(..., L)`` and reduce each sentence to a vector.

    ``embeddings`` is one ``nn.Embedding`` (returns ``(..., d)``) or a
    sequence of them of equal width (returns ``(n_tables, ..., d)``, all
    tables read in one pass). Padding (id 0) contributes nothing.

    Because ``l_kj = 1 + c_k e_j``, a position-encoded sentence is
    ``n E + c * (b E)`` with ``n`` its word counts and ``b`` its ``e``-weighted
    bag of words over the vocabulary. For a small vocabulary (at most 16
    words per position of the sentence, as in bAbI) that is two dense matrix
    products, several times faster forward and backward than a gather of
    every word's vector and its scatter-add gradient; larger vocabularies
    take the gather.
    """
    single = isinstance(embeddings, nn.Embedding)
    tables = [embeddings] if single else list(embeddings)
    d = tables[0].embedding_dim
    weight = tables[0].weight if single else torch.cat([t.weight for t in tables], 1)  # (V, n d)
    n_tables = len(tables)
    vocab_size, length = weight.size(0), words.size(-1)
    if vocab_size <= 16 * length:
        flat = words.reshape(-1, length)  # (N, L)
        if encoding == "bow":
            counts = flat.ne(0).to(weight.dtype)
            bags = weight.new_zeros(flat.size(0), vocab_size).scatter_add_(1, flat, counts)
            vectors = bags @ weight  # (N, n d)
        else:
            present, e, c = position_factors(flat, d)
            bags = weight.new_zeros(2, flat.size(0), vocab_size).scatter_add_(
                2, flat.expand(2, -1, -1), torch.stack([present, e]).to(weight.dtype))
            counted, weighted = (bags @ weight).unflatten(-1, (n_tables, d))  # (N, n, d) each
            vectors = counted + weighted * c.to(weight.dtype)
    else:
        vectors = F.embedding(words, weight, padding_idx=0).unflatten(-1, (n_tables, d))  # (..., L, n, d)
        word_weights = sentence_weights(words, d, encoding).to(weight.dtype).unsqueeze(-2)  # (..., L, 1, d)
        vectors = (word_weights * vectors).sum(-3)  # (..., n, d)
    vectors = vectors.reshape(*words.shape[:-1], n_tables, d)
    return vectors[..., 0, :] if single else vectors.movedim(-2, 0)


def temporal_index(mask, memory_size, random_noise=0.0):
    """Recency index of each memory slot for the temporal embedding, ``(B, M)``.

    Slots are stored oldest first; the paper's temporal embedding indexes
    recency, so the most recent real memory gets index 0 and the one ``r``
    slots before it index ``r``. With ``random_noise=p > 0`` each story gets
    ``nblank ~ U{0, ..., ceil(p n)}`` blank slots inserted at random positions
    (``n`` the number of slots up to the last real one): the ``n`` indices are
    a sorted random subset of ``0 .. n + nblank - 1``. Indices are clipped to
    ``memory_size - 1``.
    """
    B, M = mask.shape  # batch, memory slots
    slots = torch.arange(M, device=mask.device)  # (M,)
    n = torch.where(mask, slots + 1, 0).amax(1, keepdim=True)  # (B, 1) up to last real slot
    recency = (n - 1 - slots).clamp_min(0)  # (B, M)
    if random_noise > 0:
        max_blank = int(torch.ceil(n.max() * random_noise).item())
        K = M + max_blank  # candidate time positions
        n_blank = (torch.rand(B, 1, device=mask.device) * (torch.ceil(n * random_noise) + 1)).floor()
        candidates = torch.arange(K, device=mask.device)  # (K,)
        keys = torch.rand(B, K, device=mask.device).masked_fill(candidates >= n + n_blank, 2.0)
        rank = keys.argsort(1).argsort(1)  # (B, K) rank of each candidate
        chosen = torch.where(rank < n, candidates, K + 1).sort(1).values[:, :M]  # (B, M) ascending
        recency = chosen.gather(1, recency)
    return recency.clamp_max(memory_size - 1)


class TimeScore(nn.Module):
    """Scores of memory slots by their write time, weighted by the query.

    Hop ``j`` adds ``t_i = sum_k (w_jk . u + b_jk) phi_k(i)`` to the match
    of slot ``i`` with the query ``u``, over features of when ``i`` was
    written: its recency (the number of real slots written after it), and
    with ``relative=True``, from the second hop on, relative to the slot
    ``m`` the previous hop read (averaged over its attention), whether ``i``
    is before, at or after ``m`` and its distance ``i - m``. Distances count
    in units of ``time_unit`` sentences. This is the soft form of the
    original Memory Network's time features (is this memory older than that
    one?): unlike a learned embedding per position, the features hold for
    any distance, so "the latest fact about Mary" or "the move before that
    one" is learned once for every story length. Weights start at zero: no
    time preference.

    Parameters
    ----------
    num_hops : int
    embedding_dim : int
    relative : bool, default=True
        Add the features relative to the previous hop's read.
    time_unit : float, default=3.0

    Forward: ``forward(hop, query, recency, previous=None)`` with ``query``
    ``(B, d)``, ``recency`` ``(B, M)`` from :meth:`recency` (computed once
    per story, for every hop) and ``previous`` the previous hop's attention
    ``(B, M)`` returns ``(B, M)``.
    """

    def __init__(self, num_hops, embedding_dim, relative=True, time_unit=3.0):
        super().__init__()
        self.relative, self.time_unit = bool(relative), float(time_unit)
        n_features = 5 if relative else 1
        self.weight = nn.Parameter(torch.zeros(num_hops, n_features, embedding_dim))
        self.bias = nn.Parameter(torch.zeros(num_hops, n_features))

    @staticmethod
    def recency(mask, dtype=torch.float32):
        """Real slots written after each slot, ``(B, M)``, from ``mask`` bool
        ``(B, M)`` (real slots, oldest first)."""
        return temporal_index(mask, mask.size(1)).to(dtype)

    def forward(self, hop, query, recency, previous=None):
        asks = torch.addmm(self.bias[hop], query, self.weight[hop].T)  # (B, features)
        scores = asks[:, :1] * recency / -self.time_unit
        if previous is None or not self.relative:
            return scores
        # Each feature averaged over the previous read m ~ previous, for every slot i:
        # before (i < m), at (i = m), after (i > m), distance i - m.
        mass = previous.sum(-1, keepdim=True)  # 1, except during linear start
        through = previous.cumsum(-1)  # (B, M): read mass at slots <= i
        slots = torch.arange(previous.size(1), device=previous.device, dtype=previous.dtype)
        mean_slot = (previous * slots).sum(-1, keepdim=True)  # (B, 1)
        relative = torch.stack([mass - through, previous, through - previous,
                                (slots * mass - mean_slot) / self.time_unit], -1)  # (B, M, 4)
        return scores + torch.einsum("bik,bk->bi", relative, asks[:, 1:])


def attend(scores, mask, use_softmax, null=False):
    """Attention over memory slots, ``(B, M)``; empty slots get exactly zero.

    With ``null=True`` the softmax also runs over one more, always present
    memory of score 0 that reads nothing: the weights of the real slots then
    sum to less than one, and a hop can read (almost) nothing when no slot
    matches.
    """
    if not use_softmax:  # linear start: raw scores
        return scores * mask
    scores = scores.masked_fill(~mask, -1e30)
    if null:
        return torch.softmax(F.pad(scores, (0, 1)), dim=-1)[:, :-1] * mask  # (B, M)
    weights = torch.softmax(scores, dim=-1)  # (B, M)
    return weights * mask  # an all-empty story reads nothing


def init_embedding(embedding, std=0.1):
    """Normal initialization with the padding row (if any) kept at zero."""
    nn.init.normal_(embedding.weight, std=std)
    if embedding.padding_idx is not None:
        with torch.no_grad():
            embedding.weight[embedding.padding_idx].zero_()


def keep_mask(x, p):
    """A dropout mask shaped like ``x``: ones with probability ``1 - p``, zeros elsewhere.

    The mask is drawn as 16 random bits per element, four elements from each
    64-bit draw, and compared with ``p``: on the CPU that is several times
    faster than ``torch.rand_like(x) >= p`` (one draw per element) and than
    ``nn.Dropout``'s ``bernoulli_``. ``p`` is rounded to a multiple of
    ``2 ** -16``. Same dtype and device as ``x``.
    """
    n = x.numel()
    bits = torch.empty((n + 3) // 4, dtype=torch.int64, device=x.device)
    bits = bits.random_(-(2**63), None).view(torch.int16)[:n]  # uniform over the int16 values
    return bits.float().ge_(round(p * 65536) - 32768).to(x.dtype).view(x.shape)
