"""Blocks shared by several architectures: sequence input, position encoding,
multi-head attention with padding, causal and local masks."""

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
