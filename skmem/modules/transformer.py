"""Transformer encoder over token ids or series, with full, causal or local
(banded, sparse) self-attention built on ``scaled_dot_product_attention``.

References
----------
Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
Child et al., "Generating Long Sequences with Sparse Transformers", 2019.
"""

import torch
from torch import nn

from skmem.modules._blocks import (
    MultiHeadSelfAttention,
    SequenceInput,
    attention_mask,
    last_valid,
    masked_mean,
    sinusoidal_encoding,
)

ATTENTION = ("full", "causal", "local")
POSITIONAL = ("sinusoidal", "learned", "none")
POOLING = ("mean", "last")


class Block(nn.Module):
    """Pre-norm encoder block: attention then feed-forward, both residual."""

    def __init__(self, d_model, num_heads, dim_feedforward, dropout):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadSelfAttention(d_model, num_heads, dropout=dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, dim_feedforward),
            nn.GELU(),
            nn.Linear(dim_feedforward, d_model),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        x = x + self.dropout(self.attn(self.norm1(x), mask))
        return x + self.dropout(self.mlp(self.norm2(x)))


class Transformer(nn.Module):
    """A Transformer encoder with a pooled linear head.

    Parameters
    ----------
    n_inputs : int
        Vocabulary size (token ids) or number of features (series).
    n_outputs : int
        Number of classes or regression targets.
    max_len : int
        Longest sequence; sizes the learned position table.
    tokens : bool, default=False
        Whether the input holds token ids (0 is padding) rather than floats.
    d_model : int, default=64
    num_heads : int, default=4
    num_layers : int, default=2
    dim_feedforward : int or None, default=None
        ``None`` means ``4 * d_model``.
    dropout : float, default=0.1
    attention : {"full", "causal", "local"}, default="full"
    window : int or None, default=None
        Band width of local attention (required for ``"local"``).
    positional_encoding : {"sinusoidal", "learned", "none"}, default="sinusoidal"
    pooling : {"mean", "last"}, default="mean"
        Mean over real positions, or the last real position (natural with
        causal attention).
    """

    def __init__(
        self,
        n_inputs,
        n_outputs,
        max_len,
        *,
        tokens=False,
        d_model=64,
        num_heads=4,
        num_layers=2,
        dim_feedforward=None,
        dropout=0.1,
        attention="full",
        window=None,
        positional_encoding="sinusoidal",
        pooling="mean",
    ):
        super().__init__()
        if attention not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}, got {attention!r}.")
        if attention == "local" and (window is None or window < 1):
            raise ValueError("attention='local' needs a positive window.")
        if positional_encoding not in POSITIONAL:
            raise ValueError(
                f"positional_encoding must be one of {POSITIONAL}, "
                f"got {positional_encoding!r}."
            )
        if pooling not in POOLING:
            raise ValueError(f"pooling must be one of {POOLING}, got {pooling!r}.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
        self.attention = attention
        self.window = window
        self.pooling = pooling
        self.input = SequenceInput(n_inputs, d_model, tokens=tokens)
        if positional_encoding == "learned":
            self.position = nn.Parameter(torch.randn(max_len, d_model) * 0.02)
        elif positional_encoding == "sinusoidal":
            self.register_buffer(
                "position", sinusoidal_encoding(max_len, d_model), persistent=False
            )
        else:
            self.position = None
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            Block(d_model, num_heads, dim_feedforward or 4 * d_model, dropout)
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_outputs)

    def encode(self, x):
        """Per-position states ``(B, T, d_model)`` and the padding mask."""
        h, pad = self.input(x)  # (B, T, d_model), (B, T) or None
        T = h.shape[1]
        if self.position is not None:
            if T > self.position.shape[0]:
                raise ValueError(
                    f"Sequence of length {T} is longer than max_len "
                    f"{self.position.shape[0]}."
                )
            h = h + self.position[:T]
        mask = attention_mask(
            T, kind=self.attention, window=self.window, key_mask=pad, device=h.device
        )
        h = self.dropout(h)
        for block in self.blocks:
            h = block(h, mask)
        return self.norm(h), pad

    def forward(self, x):
        h, pad = self.encode(x)
        if self.pooling == "mean":
            pooled = masked_mean(h, pad)
        elif pad is None:
            pooled = h[:, -1]
        else:
            last = last_valid(pad) - 1  # (B,) index of the last real position
            pooled = h[torch.arange(h.shape[0], device=h.device), last]
        return self.head(pooled)
