"""Attention heatmaps and training curves."""

from collections.abc import Mapping

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the dev extra
        raise ImportError(
            "skmem.plotting needs matplotlib: pip install matplotlib "
            "(or skmem[plot])."
        ) from exc
    return plt


def _axes(ax, figsize):
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=figsize)
    return ax


def plot_attention(weights, *, x_labels=None, y_labels=None, ax=None, title=None,
                   cmap="Blues", annotate=False, colorbar=True):
    """Draw a matrix of attention weights as a labelled heatmap.

    Parameters
    ----------
    weights : array-like of shape (n_rows, n_columns)
        The weights, e.g. one row per memory slot and one column per hop,
        or one row per output token and one column per input token.
    x_labels, y_labels : sequence of str, default=None
        Labels of the columns and of the rows.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    title : str, default=None
        Title of the axes.
    cmap : str, default="Blues"
        Matplotlib colour map.
    annotate : bool, default=False
        Write each weight in its cell.
    colorbar : bool, default=True
        Add a colour bar.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skmem.plotting import plot_attention
    >>> ax = plot_attention([[0.9, 0.1], [0.2, 0.8]], x_labels=["a", "b"],
    ...                     y_labels=["x", "y"], annotate=True)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b']
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2:
        raise ValueError(f"weights must be a 2-D array (rows, columns), got shape {weights.shape}.")
    n_rows, n_cols = weights.shape
    for name, labels, size in (("x_labels", x_labels, n_cols), ("y_labels", y_labels, n_rows)):
        if labels is not None and len(labels) != size:
            raise ValueError(f"{name} has {len(labels)} labels for {size} {name[0]}-positions.")
    ax = _axes(ax, figsize=(1.0 + 0.45 * n_cols + (3.5 if y_labels is not None else 0),
                            1.0 + 0.35 * n_rows))
    image = ax.imshow(weights, cmap=cmap, aspect="auto", vmin=0.0,
                      vmax=max(1.0, float(np.nanmax(weights))) if weights.size else 1.0)
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    if x_labels is not None:
        ax.set_xticklabels([str(label) for label in x_labels],
                           rotation=90 if max(map(len, map(str, x_labels)), default=0) > 3 else 0)
    if y_labels is not None:
        ax.set_yticklabels([str(label) for label in y_labels])
    if annotate:
        for (i, j), w in np.ndenumerate(weights):
            ax.text(j, i, f"{w:.2f}", ha="center", va="center",
                    color="white" if w > 0.6 else "black", fontsize=8)
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def _attention_step(model):
    """The last step of a pipeline (or the estimator) and the steps before it."""
    steps = getattr(model, "steps", None)
    if steps is None:
        return model, None
    return model[-1], model[:-1]


def plot_story_attention(model, X, *, index=0, y=None, ax=None, annotate=True):
    """Show which sentences of a story a memory model read to answer.

    A heatmap with the story's sentences as rows (oldest at the top) and
    the model's hops (or passes) as columns; the title gives the question,
    the predicted answer and, when ``y`` is given, the true one.

    Parameters
    ----------
    model : Pipeline or estimator
        A fitted pipeline ending with an estimator that has an
        ``attention`` method (``MemN2NClassifier``, ``MemNNClassifier``, ...)
        and starting with the ``StoryVectorizer``, fed raw stories; or such
        an estimator alone, fed vectorized stories (the rows are then
        labelled by memory slot).
    X : pandas.DataFrame or SliceDict
        Stories and questions as ``load_babi`` returns them (for a
        pipeline), or their vectorized form (for an estimator).
    index : int, default=0
        Which row of ``X`` to show.
    y : array-like, default=None
        True answers of ``X``, to put in the title.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    annotate : bool, default=True
        Write each weight in its cell.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.pipeline import make_pipeline
    >>> from skmem import MemN2NClassifier
    >>> from skmem.datasets import make_babi
    >>> from skmem.plotting import plot_story_attention
    >>> from skmem.preprocessing import StoryVectorizer
    >>> X, y = make_babi(1, 50, random_state=0)
    >>> pipe = make_pipeline(StoryVectorizer(),
    ...                      MemN2NClassifier(max_epochs=2, random_state=0)).fit(X, y)
    >>> ax = plot_story_attention(pipe, X, index=3, y=y)
    >>> len(ax.get_yticklabels()) == len(X["story"][3])
    True
    """
    estimator, head = _attention_step(model)
    if not hasattr(estimator, "attention"):
        raise TypeError(
            f"{type(estimator).__name__} has no attention method; plot_story_attention "
            f"takes a memory model such as MemN2NClassifier (or a pipeline ending with one)."
        )
    row = X.iloc[[index]] if hasattr(X, "iloc") else {key: value[index: index + 1] for key, value in X.items()}
    Xt = head.transform(row) if head is not None else row
    weights = estimator.attention(Xt)[0]  # (steps, slots)
    n_slots = weights.shape[1]
    if hasattr(X, "iloc"):
        sentences = list(X["story"].iloc[index])[-n_slots:]
        question = str(X["question"].iloc[index])
    else:
        filled = np.asarray(Xt["story"][0]).any(axis=-1)
        sentences = [f"slot {i}" for i in range(int(filled.sum()))]
        question = None
    weights = weights[:, : len(sentences)].T  # rows: sentences, columns: steps
    step = getattr(estimator, "_attention_step_name", "hop")
    answer = estimator.predict(Xt)[0]
    title = f"{question}  ->  {answer}" if question is not None else f"answer: {answer}"
    if y is not None:
        title += f"  (true: {np.asarray(y)[index]})"
    ax = _axes(ax, figsize=(4.0 + 0.6 * weights.shape[1], 1.0 + 0.35 * len(sentences)))
    return plot_attention(
        weights,
        x_labels=[f"{step} {k + 1}" for k in range(weights.shape[1])],
        y_labels=sentences,
        ax=ax,
        title=title,
        annotate=annotate,
    )


def _history_rows(history):
    if hasattr(history, "history_"):
        history = history.history_
    elif hasattr(history, "steps"):  # a pipeline: its last step's history
        return _history_rows(history[-1])
    rows = list(history) if isinstance(history, (list, tuple)) or hasattr(history, "to_list") else None
    if not rows or not all(isinstance(row, Mapping) for row in rows):
        raise ValueError(
            "plot_history takes a fitted skmem estimator (or pipeline) or a skorch "
            "History: a list of per-epoch dicts."
        )
    return rows


def plot_history(model, keys=None, *, ax=None, title=None):
    """Plot training curves from a fitted estimator's ``history_``.

    Parameters
    ----------
    model : estimator, Pipeline or skorch History
        A fitted skmem estimator, a pipeline ending with one, or a
        history (list of per-epoch dicts).
    keys : sequence of str, default=None
        Quantities to plot against the epoch. By default the losses
        (``train_loss`` and, when recorded, ``valid_loss``), and the
        validation accuracy on a second axis when recorded.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    title : str, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skmem import RNNClassifier
    >>> from skmem.plotting import plot_history
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randint(2, 6, size=(60, 5)), rng.randint(0, 2, 60)
    >>> clf = RNNClassifier(hidden_size=8, max_epochs=3, validation_fraction=0.2,
    ...                     random_state=0).fit(X, y)
    >>> ax = plot_history(clf)
    >>> [line.get_label() for line in ax.get_lines()]
    ['train_loss', 'valid_loss']
    """
    rows = _history_rows(model)
    epochs = [row.get("epoch", i + 1) for i, row in enumerate(rows)]
    extra = []
    if keys is None:
        keys = [k for k in ("train_loss", "valid_loss") if any(k in row for row in rows)]
        extra = [k for k in ("valid_acc",) if any(k in row for row in rows)]
    missing = [k for k in list(keys) + extra if not any(k in row for row in rows)]
    if missing:
        recorded = sorted({k for row in rows for k in row if not k.startswith("batches")})
        raise ValueError(f"history has no {missing}; recorded keys: {recorded}.")
    ax = _axes(ax, figsize=(6.0, 3.5))

    def draw(axes, key, **style):
        points = [(e, row[key]) for e, row in zip(epochs, rows) if row.get(key) is not None]
        axes.plot(*zip(*points), label=key, **style)

    for key in keys:
        draw(ax, key)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if all("loss" in k for k in keys) else "value")
    handles, labels = ax.get_legend_handles_labels()
    if extra:
        twin = ax.twinx()
        for key in extra:
            draw(twin, key, color="tab:green", linestyle="--")
        twin.set_ylabel("accuracy")
        more = twin.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    ax.legend(handles, labels, loc="best")
    if title is not None:
        ax.set_title(title)
    return ax
