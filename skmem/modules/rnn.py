"""Recurrent networks: Elman RNN, LSTM and GRU over token ids or series.

One module covers the family through ``cell`` (the approach of PyTorch's
word-language-model example), using torch's fused ``nn.RNN``, ``nn.LSTM``
and ``nn.GRU``.

References
----------
Elman, "Finding Structure in Time", Cognitive Science, 1990.
Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation, 1997.
Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder for
Statistical Machine Translation", EMNLP 2014.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from skmem.modules._blocks import SequenceInput, last_valid

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RNN(nn.Module):
    """A stacked, optionally bidirectional recurrent network with a linear head.

    Parameters
    ----------
    n_inputs : int
        Vocabulary size (token ids) or number of features (series).
    n_outputs : int
        Number of classes or regression targets.
    tokens : bool, default=False
        Whether the input holds token ids (0 is padding) rather than floats.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
    hidden_size : int, default=64
    num_layers : int, default=1
    bidirectional : bool, default=False
    dropout : float, default=0.0
        Dropout between recurrent layers and before the output layer.
    embedding_dim : int or None, default=None
        Token embedding size; ``None`` uses ``hidden_size``. Ignored for
        series, whose features feed the cell directly.

    Notes
    -----
    With token ids, trailing padding is packed away, so appending padding
    never changes the output, in either direction.
    """

    def __init__(
        self,
        n_inputs,
        n_outputs,
        *,
        tokens=False,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        embedding_dim=None,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}.")
        if hidden_size < 1 or num_layers < 1:
            raise ValueError("hidden_size and num_layers must be positive.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
        if tokens:
            embedding_dim = embedding_dim or hidden_size
        else:
            embedding_dim = None  # series feed the cell directly
        self.input = SequenceInput(n_inputs, embedding_dim, tokens=tokens)
        self.rnn = CELLS[cell](
            self.input.output_size,
            hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            batch_first=True,
        )
        self.directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.directions * hidden_size, n_outputs)

    def encode(self, x):
        """Final hidden state of the top layer, ``(B, directions * hidden)``."""
        h, mask = self.input(x)  # (B, T, D), (B, T) or None
        if mask is not None:
            lengths = last_valid(mask).cpu()
            h = pack_padded_sequence(h, lengths, batch_first=True, enforce_sorted=False)
        _, state = self.rnn(h)
        if isinstance(state, tuple):  # LSTM: (h_n, c_n)
            state = state[0]
        # state: (layers * directions, B, hidden); keep the top layer's
        top = state[-self.directions :]
        return torch.cat(tuple(top), dim=-1)

    def forward(self, x):
        return self.head(self.dropout(self.encode(x)))
