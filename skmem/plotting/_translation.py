"""The alignment of a translation: where the decoder looked for each token."""

from skmem.plotting._core import _axes, plot_attention


def _label(token):
    return "\u2423" if token == " " else token  # show a space as an open box


def plot_alignment(translator, source, *, ax=None, annotate=False, title=None):
    """Draw the attention of a translation over its source.

    The alignment matrix of a translation paper: one row per predicted
    token (ending with ``<eos>``), one column per source token, darker
    where the decoder looked when it wrote that token.

    Parameters
    ----------
    translator : Seq2SeqTranslator or Pipeline
        A fitted translator (or a pipeline ending with one, whose earlier
        steps map strings to strings).
    source : str
        The sentence to translate.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    annotate : bool, default=False
        Write each weight in its cell.
    title : str, default=None
        Title of the axes; by default the source and its translation.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skmem import Seq2SeqTranslator
    >>> from skmem.plotting import plot_alignment
    >>> X, y = ["a b", "b a", "a a", "b b"], ["A B", "B A", "A A", "B B"]
    >>> model = Seq2SeqTranslator(hidden_size=16, num_layers=1, max_epochs=5,
    ...                           random_state=0).fit(X, y)
    >>> ax = plot_alignment(model, "a b")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a', 'b']
    """
    if not isinstance(source, str):
        raise ValueError(
            f"source must be one sentence (a str), got {type(source).__name__}; "
            "pick one, e.g. X[0]."
        )
    steps = getattr(translator, "steps", None)
    estimator = translator[-1] if steps is not None else translator
    if not hasattr(estimator, "translate_with_attention"):
        raise TypeError(
            f"{type(estimator).__name__} has no translate_with_attention method; "
            "plot_alignment takes a fitted Seq2SeqTranslator (or a pipeline ending with one)."
        )
    text = translator[:-1].transform([source])[0] if steps is not None else source
    tokens, target, weights = estimator.translate_with_attention([text])[0]
    if title is None:
        joined = estimator.predict([text])[0]
        title = f"{source}  ->  {joined}"
    ax = _axes(ax, figsize=(1.5 + 0.4 * max(len(tokens), 1), 1.2 + 0.35 * max(len(target), 1)))
    return plot_attention(
        weights,
        x_labels=[_label(t) for t in tokens],
        y_labels=[_label(t) for t in target],
        ax=ax,
        title=title,
        annotate=annotate,
    )
