"""How a Neural Turing Machine used its memory over one sequence."""

import numpy as np

from skmem.plotting._core import _attention_step, _pyplot, plot_attention


def _used_slots(weights, floor=0.05):
    """Memory slots any head weighted above ``floor``, as one circular range.

    Memory is circular (heads shift modulo the number of slots), so the
    range is everything but the longest circular run of unused slots; it
    may wrap, e.g. ``[126, 127, 0, 1, ...]``.
    """
    N = len(weights)
    used = (weights > floor).any(axis=1)
    if used.all() or not used.any():
        return np.arange(N)
    start = int(np.argmax(used))  # a used slot: scan the circle from there
    gap = best_gap = best_end = 0
    for step in range(1, N + 1):
        if used[(start + step) % N]:
            if gap > best_gap:
                best_gap, best_end = gap, step
            gap = 0
        else:
            gap += 1
    first = start + best_end  # the used slot after the longest gap
    return (first + np.arange(N - best_gap)) % N


def plot_memory_use(model, X, *, index=0, y=None, slots=None, axes=None):
    """Plot the inputs, outputs and the heads' weightings over time.

    The picture of figure 6 of the Neural Turing Machine paper: one column
    per time step; rows of bits for the input, the target (when ``y`` is
    given) and the output, then the write and the read weightings over the
    memory slots. On the copy task the write head walks the slots while the
    input is shown and the read head walks them again in the same order.

    Parameters
    ----------
    model : NTMRegressor, NTMClassifier or Pipeline
        A fitted NTM estimator, or a pipeline ending with one (``X`` then
        passes through the steps before it).
    X : array-like
        Input sequences, as the model takes them.
    index : int, default=0
        Which sequence of ``X`` to draw.
    y : array-like of shape (n_samples, n_steps, n_outputs), default=None
        Sequence targets (NaN where none is due) to draw above the outputs.
    slots : sequence of int, default=None
        Memory slots to show; by default the range any head weighted above
        0.05 at some step.
    axes : sequence of matplotlib Axes, default=None
        One per panel (inputs, [targets,] [outputs,] write, read); a new
        figure when ``None``.

    Returns
    -------
    axes : list of matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skmem import NTMRegressor
    >>> from skmem.datasets import make_copy
    >>> from skmem.plotting import plot_memory_use
    >>> X, y = make_copy(32, seq_len=(1, 3), n_bits=4, random_state=0)
    >>> ntm = NTMRegressor(loss="bce", hidden_size=16, memory_slots=8, memory_dim=8,
    ...                    max_epochs=1, random_state=0).fit(X, y)
    >>> axes = plot_memory_use(ntm, X, y=y)
    >>> [ax.get_title() for ax in axes]
    ['inputs', 'targets', 'outputs', 'write weightings', 'read weightings']
    """
    estimator, before = _attention_step(model)
    if not hasattr(estimator, "weightings"):
        raise ValueError(
            f"plot_memory_use needs a fitted NTM estimator, got {type(estimator).__name__}."
        )
    X_model = before.transform(X) if before is not None else X
    one = X_model[index : index + 1]
    read, write = estimator.weightings(one)  # (1, T, heads, N) each
    read, write = read[0].sum(axis=1).T, write[0].sum(axis=1).T  # (N, T), heads summed
    if slots is None:
        slots = _used_slots(np.hstack([read, write]))
    slots = np.asarray(slots)

    inputs = np.asarray(one, dtype=float)[0]
    panels = [("inputs", inputs.reshape(len(inputs), -1).T, None)]
    if y is not None:
        target = np.asarray(y, dtype=float)[index]
        panels.append(("targets", np.nan_to_num(target.reshape(len(target), -1).T), None))
    outputs = np.asarray(estimator.predict(one))[0]
    if outputs.ndim == 2:  # an output at every step
        panels.append(("outputs", outputs.T, None))
    panels += [("write weightings", write[slots], slots), ("read weightings", read[slots], slots)]

    if axes is None:
        heights = [min(max(2, len(p[1])), 40) for p in panels]
        _, axes = _pyplot().subplots(
            len(panels), 1, figsize=(2 + 0.18 * inputs.shape[0], 1 + 0.12 * sum(heights)),
            gridspec_kw={"height_ratios": heights}, sharex=True, squeeze=False,
        )
        axes = list(axes[:, 0])
    if len(axes) != len(panels):
        raise ValueError(f"axes must hold {len(panels)} Axes, got {len(axes)}.")
    for ax, (title, image, rows) in zip(axes, panels):
        plot_attention(image, ax=ax, title=title, cmap="gray_r" if rows is None else "Blues",
                       colorbar=False)
        ax.set_yticks([0, len(image) - 1])
        ax.set_yticklabels([str(v) for v in ((rows[0], rows[-1]) if rows is not None
                                             else (0, len(image) - 1))])
        ax.set_xticks([])
    axes[-1].set_xlabel("time step")
    return axes
