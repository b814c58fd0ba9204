"""Encoder-decoder models for translation, and batched beam-search decoding.

``GRUSeq2Seq`` reads the source with a bidirectional GRU; a GRU decoder
queries the encoder states at every step with additive or (scaled) dot
attention. ``TransformerSeq2Seq`` is the encoder-decoder Transformer
(pre-norm), whose decoder cross-attends the encoded source.

Both share one contract. ``forward(source, target)`` is teacher forcing:
``source`` int64 ``(B, S)`` and ``target`` int64 ``(B, T)`` (0 is padding,
``target[:, 0]`` the start token) give the logits ``(B, T' - 1, V)`` of
``target[:, 1:T']``, ``T'`` the longest target of the batch. Decoding goes
through ``encode(source)``, which returns the *state*, a dict of tensors
whose first dimension is the batch (so beams are reordered by indexing it),
and ``step(state, tokens, t)``, which feeds the token of position ``t`` and
returns the logits of the next one, the attention over the source and the
new state. :func:`beam_search` drives them, batched over samples and beams.

References
----------
Bahdanau, Cho & Bengio, "Neural Machine Translation by Jointly Learning to
Align and Translate", ICLR 2015.
Luong, Pham & Manning, "Effective Approaches to Attention-based Neural
Machine Translation", EMNLP 2015.
Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
Wu et al., "Google's Neural Machine Translation System", 2016 (length penalty).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from skmem.modules._blocks import MultiHeadSelfAttention, attention_mask, sinusoidal_encoding

__all__ = ["ATTENTION", "GRUSeq2Seq", "TransformerSeq2Seq", "beam_search"]

ATTENTION = ("additive", "dot")


def _trim(ids):
    """Drop the trailing columns that are padding in every row; ``(ids, mask)``."""
    mask = ids != 0
    length = int(mask.sum(1).max().clamp(min=1))
    return ids[:, :length], mask[:, :length]


def _source_mask(mask):
    # A source with no token at all still gets one key, so softmax stays defined.
    return torch.cat([mask[:, :1] | ~mask.any(1, keepdim=True), mask[:, 1:]], dim=1)


def _check(dropout, **sizes):
    for name, value in sizes.items():
        if value < 1:
            raise ValueError(f"{name} must be positive, got {value}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}.")


# --------------------------------------------------------------------------
# GRU encoder-decoder with attention.
# --------------------------------------------------------------------------


class Attention(nn.Module):
    """Attention of decoder states ``(B, T, H)`` over encoder states ``(B, S, K)``.

    ``"additive"`` scores ``v . tanh(W_q q + W_k k)`` (Bahdanau et al.);
    ``"dot"`` scores ``q . W_k k / sqrt(H)`` (Luong et al.'s "general" form,
    scaled). ``keys`` is computed once per source.
    """

    def __init__(self, query_size, key_size, kind="additive"):
        super().__init__()
        if kind not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}, got {kind!r}.")
        self.kind = kind
        self.key = nn.Linear(key_size, query_size, bias=False)
        if kind == "additive":
            self.query = nn.Linear(query_size, query_size)
            self.score = nn.Linear(query_size, 1, bias=False)

    def keys(self, memory):
        return self.key(memory)  # (B, S, H)

    def forward(self, query, keys, values, mask):
        """Context ``(B, T, K)`` and weights ``(B, T, S)``; ``mask`` (B, S) True at tokens."""
        if self.kind == "additive":
            hidden = torch.tanh(self.query(query)[:, :, None] + keys[:, None])  # (B, T, S, H)
            scores = self.score(hidden).squeeze(-1)  # (B, T, S)
        else:
            scores = query @ keys.transpose(1, 2) / math.sqrt(query.shape[-1])  # (B, T, S)
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return weights @ values, weights


class GRUSeq2Seq(nn.Module):
    """Bidirectional GRU encoder and attentive GRU decoder.

    The decoder's initial state is a projection of the encoder's final
    states. At each step the decoder state queries the encoder states; the
    context and the state make the attentional vector
    ``tanh(W_c [context; state])`` from which the next token is predicted
    (Luong et al.), so teacher forcing runs the decoder GRU over the whole
    target at once.

    Parameters
    ----------
    n_source, n_target : int
        Source and target vocabulary sizes (id 0 is padding).
    embedding_dim : int or None, default=None
        Token embedding size; ``None`` uses ``hidden_size``.
    hidden_size : int, default=128
        Size of the decoder state and of each encoder direction.
    num_layers : int, default=1
        Stacked GRU layers, in the encoder and in the decoder.
    attention : {"additive", "dot"}, default="additive"
    dropout : float, default=0.0
        Dropout on embeddings, between layers and on the attentional vector.
    """

    def __init__(self, n_source, n_target, *, embedding_dim=None, hidden_size=128,
                 num_layers=1, attention="additive", dropout=0.0):
        super().__init__()
        embedding_dim = embedding_dim or hidden_size
        _check(dropout, n_source=n_source, n_target=n_target, hidden_size=hidden_size,
               num_layers=num_layers, embedding_dim=embedding_dim)
        H, L = hidden_size, num_layers
        between = dropout if num_layers > 1 else 0.0
        self.source_embed = nn.Embedding(n_source, embedding_dim, padding_idx=0)
        self.target_embed = nn.Embedding(n_target, embedding_dim, padding_idx=0)
        self.encoder = nn.GRU(embedding_dim, H, L, batch_first=True, bidirectional=True,
                              dropout=between)
        self.bridge = nn.Linear(2 * H, H)
        self.decoder = nn.GRU(embedding_dim, H, L, batch_first=True, dropout=between)
        self.attention = Attention(H, 2 * H, attention)
        self.combine = nn.Linear(3 * H, H)
        self.out = nn.Linear(H, n_target)
        self.dropout = nn.Dropout(dropout)

    def encode(self, source):
        source, mask = _trim(source)  # (B, S)
        B = source.shape[0]
        embedded = self.dropout(self.source_embed(source))  # (B, S, E)
        lengths = mask.sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        out, last = self.encoder(packed)
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=source.shape[1])
        last = last.view(-1, 2, B, last.shape[-1])  # (L, directions, B, H)
        hidden = torch.tanh(self.bridge(torch.cat([last[:, 0], last[:, 1]], dim=-1)))  # (L, B, H)
        return {
            "memory": memory,  # (B, S, 2H)
            "keys": self.attention.keys(memory),  # (B, S, H)
            "mask": _source_mask(mask),  # (B, S)
            "hidden": hidden.transpose(0, 1).contiguous(),  # (B, L, H): batch first
        }

    def _decode(self, state, tokens, hidden):
        """Run the decoder over ``tokens`` (B, T); logits, weights, last hidden."""
        embedded = self.dropout(self.target_embed(tokens))  # (B, T, E)
        out, hidden = self.decoder(embedded, hidden)  # (B, T, H), (L, B, H)
        context, weights = self.attention(out, state["keys"], state["memory"], state["mask"])
        vector = torch.tanh(self.combine(torch.cat([context, out], dim=-1)))  # (B, T, H)
        return self.out(self.dropout(vector)), weights, hidden

    def forward(self, source, target):
        state = self.encode(source)
        target, _ = _trim(target)
        hidden = state["hidden"].transpose(0, 1).contiguous()  # (L, B, H)
        logits, _, _ = self._decode(state, target[:, :-1], hidden)
        return logits  # (B, T' - 1, V)

    def step(self, state, tokens, t):
        hidden = state["hidden"].transpose(0, 1).contiguous()  # (L, N, H)
        logits, weights, hidden = self._decode(state, tokens[:, None], hidden)
        state = dict(state, hidden=hidden.transpose(0, 1))
        return logits[:, 0], weights[:, 0], state  # (N, V), (N, S)


# --------------------------------------------------------------------------
# Transformer encoder-decoder.
# --------------------------------------------------------------------------


def _heads(x, num_heads):
    B, T, C = x.shape  # batch, time, channels
    return x.view(B, T, num_heads, C // num_heads).transpose(1, 2)  # (B, heads, T, C / heads)


def _merge(x):
    B, h, T, c = x.shape  # batch, heads, time, channels per head
    return x.transpose(1, 2).reshape(B, T, h * c)


class CrossAttention(nn.Module):
    """Multi-head attention of decoder positions over the encoded source."""

    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.query = nn.Linear(d_model, d_model)
        self.kv = nn.Linear(d_model, 2 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def memory(self, memory):
        """Keys and values of the source, ``(B, heads, S, d_model / heads)`` each."""
        k, v = self.kv(memory).chunk(2, dim=-1)
        return _heads(k, self.num_heads), _heads(v, self.num_heads)

    def forward(self, x, k, v, mask, need_weights=False):
        """``x`` (B, T, C), ``mask`` (B, S) True at tokens; output and head-mean weights."""
        q = _heads(self.query(x), self.num_heads)  # (B, heads, T, C / heads)
        mask = mask[:, None, None, :]  # (B, 1, 1, S)
        if not need_weights:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            return self.proj(_merge(y)), None
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])  # (B, heads, T, S)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
        return self.proj(_merge(weights @ v)), weights.mean(1)  # (B, T, S) averaged over heads


class Block(nn.Module):
    """Pre-norm block: self-attention, cross-attention over the source (in
    the decoder), feed-forward; each residual, with dropout on the residual
    branches (the paper's "residual dropout"; attention weights are kept)."""

    def __init__(self, d_model, num_heads, dim_feedforward, dropout, *, cross=False):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadSelfAttention(d_model, num_heads)
        if cross:
            self.norm_cross = nn.LayerNorm(d_model)
            self.cross = CrossAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, dim_feedforward),
            nn.GELU(),
            nn.Linear(dim_feedforward, d_model),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, self_mask, k=None, v=None, mask=None, need_weights=False):
        """``x`` (B, T, C); ``k``, ``v`` the source's keys and values (decoder)."""
        x = x + self.dropout(self.attn(self.norm1(x), self_mask))
        weights = None
        if k is not None:
            y, weights = self.cross(self.norm_cross(x), k, v, mask, need_weights)
            x = x + self.dropout(y)
        return x + self.dropout(self.mlp(self.norm2(x))), weights

    def step(self, x, k, v, mask, cache_k, cache_v, need_weights):
        """Decoder: one new position ``x`` (N, 1, C) attending itself and the
        cached ones (no mask needed); returns the output and the grown cache."""
        h = self.attn.num_heads
        q, k_new, v_new = self.attn.qkv(self.norm1(x)).chunk(3, dim=-1)
        cache_k = torch.cat([cache_k, _heads(k_new, h)], dim=2)  # (N, heads, t + 1, C / heads)
        cache_v = torch.cat([cache_v, _heads(v_new, h)], dim=2)
        y = F.scaled_dot_product_attention(_heads(q, h), cache_k, cache_v)
        x = x + self.attn.proj(_merge(y))
        y, weights = self.cross(self.norm_cross(x), k, v, mask, need_weights)
        x = x + y
        return x + self.mlp(self.norm2(x)), weights, cache_k, cache_v


class TransformerSeq2Seq(nn.Module):
    """Encoder-decoder Transformer with sinusoidal positions (pre-norm).

    Parameters
    ----------
    n_source, n_target : int
        Source and target vocabulary sizes (id 0 is padding).
    d_model : int, default=128
    num_heads : int, default=4
    num_layers : int, default=2
        Blocks in the encoder and in the decoder.
    dim_feedforward : int or None, default=None
        ``None`` means ``4 * d_model``.
    dropout : float, default=0.1

    Notes
    -----
    ``step`` caches the keys and values of the decoder's self-attention, so
    decoding ``T`` tokens costs ``T`` single-position passes. The attention
    it returns is the last decoder layer's cross-attention, averaged over
    heads. Weight matrices (not embeddings) start Xavier-uniform, as in
    ``torch.nn.Transformer``.
    """

    def __init__(self, n_source, n_target, *, d_model=128, num_heads=4, num_layers=2,
                 dim_feedforward=None, dropout=0.1):
        super().__init__()
        _check(dropout, n_source=n_source, n_target=n_target, d_model=d_model,
               num_heads=num_heads, num_layers=num_layers)
        if d_model % num_heads:
            raise ValueError(
                f"d_model ({d_model}) must be divisible by num_heads ({num_heads})."
            )
        ff = dim_feedforward or 4 * d_model
        self.d_model = d_model
        self.num_heads = num_heads
        self.source_embed = nn.Embedding(n_source, d_model, padding_idx=0)
        self.target_embed = nn.Embedding(n_target, d_model, padding_idx=0)
        self.encoder = nn.ModuleList(
            Block(d_model, num_heads, ff, dropout) for _ in range(num_layers)
        )
        self.encoder_norm = nn.LayerNorm(d_model)
        self.decoder = nn.ModuleList(
            Block(d_model, num_heads, ff, dropout, cross=True) for _ in range(num_layers)
        )
        self.decoder_norm = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, n_target)
        self.dropout = nn.Dropout(dropout)
        for name, p in self.named_parameters():  # as torch.nn.Transformer does
            if p.dim() > 1 and "embed" not in name:
                nn.init.xavier_uniform_(p)

    def _embed(self, embedding, ids, start=0):
        T = ids.shape[1]
        position = sinusoidal_encoding(start + T, self.d_model, device=ids.device)[start:]
        return self.dropout(embedding(ids) + position)  # (B, T, C)

    def encode(self, source):
        source, mask = _trim(source)
        mask = _source_mask(mask)  # (B, S)
        h = self._embed(self.source_embed, source)
        self_mask = attention_mask(h.shape[1], key_mask=mask, device=h.device)
        for block in self.encoder:
            h, _ = block(h, self_mask)
        memory = self.encoder_norm(h)  # (B, S, C)
        state = {"mask": mask}
        N, c = source.shape[0], self.d_model // self.num_heads
        for i, block in enumerate(self.decoder):
            state[f"k{i}"], state[f"v{i}"] = block.cross.memory(memory)
            empty = memory.new_zeros(N, self.num_heads, 0, c)
            state[f"self_k{i}"], state[f"self_v{i}"] = empty, empty
        return state

    def forward(self, source, target, need_weights=False):
        state = self.encode(source)
        target, _ = _trim(target)
        x = self._embed(self.target_embed, target[:, :-1])  # (B, T' - 1, C)
        causal = attention_mask(x.shape[1], kind="causal", device=x.device)
        weights = None
        for i, block in enumerate(self.decoder):
            last = need_weights and i == len(self.decoder) - 1
            x, weights = block(x, causal, state[f"k{i}"], state[f"v{i}"], state["mask"], last)
        logits = self.out(self.decoder_norm(x))
        return (logits, weights) if need_weights else logits

    def step(self, state, tokens, t):
        x = self._embed(self.target_embed, tokens[:, None], start=t)  # (N, 1, C)
        state = dict(state)
        weights = None
        for i, block in enumerate(self.decoder):
            last = i == len(self.decoder) - 1
            x, weights, state[f"self_k{i}"], state[f"self_v{i}"] = block.step(
                x, state[f"k{i}"], state[f"v{i}"], state["mask"],
                state[f"self_k{i}"], state[f"self_v{i}"], last,
            )
        return self.out(self.decoder_norm(x))[:, 0], weights[:, 0], state


# --------------------------------------------------------------------------
# Decoding.
# --------------------------------------------------------------------------


@torch.no_grad()
def beam_search(model, source, *, bos, eos, max_len, beam_size=1, length_penalty=0.6,
                banned=()):
    """Translate a batch with beam search (``beam_size=1``: greedy decoding).

    All samples and their beams decode together, as one batch of
    ``B * beam_size`` rows; the Python loop runs over output positions only,
    and stops once every beam has produced ``eos``. A finished beam keeps its
    score and grows only padding. The best beam of each sample maximises
    ``score / ((5 + length) / 6) ** length_penalty`` (Wu et al. 2016).

    Parameters
    ----------
    model : GRUSeq2Seq or TransformerSeq2Seq
        In eval mode.
    source : LongTensor of shape (B, S)
        Source token ids, 0 is padding.
    bos, eos : int
        Start and end token ids of the target vocabulary.
    max_len : int
        Most tokens generated per sample, ``eos`` included.
    beam_size : int, default=1
    length_penalty : float, default=0.6
        ``0`` compares raw log-probabilities (favouring short outputs).
    banned : sequence of int, default=()
        Token ids never generated (e.g. padding and the start token).

    Returns
    -------
    tokens : LongTensor of shape (B, L)
        Generated ids, ``eos`` included where produced, 0 after it.
    attention : Tensor of shape (B, L, S')
        Attention over the source positions (``S'`` the longest source of
        the batch) when each token was predicted.
    """
    B, K = source.shape[0], beam_size
    state = model.encode(source)
    state = {key: value.repeat_interleave(K, dim=0) for key, value in state.items()}
    device = source.device
    tokens = torch.full((B * K,), bos, dtype=torch.long, device=device)
    scores = torch.full((B, K), float("-inf"), device=device)
    scores[:, 0] = 0.0  # all beams start identical: expand only the first
    finished = torch.zeros(B * K, dtype=torch.bool, device=device)
    lengths = torch.zeros(B * K, device=device)
    offset = (torch.arange(B, device=device) * K)[:, None]  # (B, 1) first row of each sample
    history = torch.zeros(B * K, 0, dtype=torch.long, device=device)  # (N, t)
    attention = None  # (N, t, S)
    for t in range(max_len):
        logits, weights, state = model.step(state, tokens, t)  # (N, V), (N, S)
        V = logits.shape[-1]
        logp = torch.log_softmax(logits.float(), dim=-1)
        if len(banned):
            logp[:, list(banned)] = float("-inf")
        ended = torch.full_like(logp, float("-inf"))
        ended[:, 0] = 0.0  # a finished beam grows padding, for free
        logp = torch.where(finished[:, None], ended, logp)
        total = (scores.reshape(-1, 1) + logp).view(B, K * V)
        scores, flat = total.topk(K, dim=1)  # (B, K)
        origin = (flat // V + offset).view(-1)  # (N,) row each new beam extends
        tokens = (flat % V).view(-1)
        state = {key: value.index_select(0, origin) for key, value in state.items()}
        history = torch.cat([history.index_select(0, origin), tokens[:, None]], dim=1)
        weights = weights[:, None].float()
        attention = weights if attention is None else torch.cat([attention, weights], dim=1)
        attention = attention.index_select(0, origin)
        lengths = lengths.index_select(0, origin) + ~finished.index_select(0, origin)
        finished = finished.index_select(0, origin) | (tokens == eos)
        if bool(finished.all()):
            break
    penalty = ((5.0 + lengths.view(B, K)) / 6.0) ** length_penalty
    best = (scores / penalty).argmax(dim=1) + offset[:, 0]  # (B,)
    return history.index_select(0, best), attention.index_select(0, best)  # (B, L), (B, L, S')
