"""Seeded generator of the 20 bAbI tasks (Weston et al. 2015).

The tasks live in two files: ``_actors.py`` for those told by the world of
actors, places and objects (tasks 1-3, 5-8, 11-13), and ``_facts.py`` for
those built from stated facts (tasks 4, 9, 10, 14-20). ``_core.py`` holds
the vocabulary, the story and the world simulation they share.
"""

import numbers

import pandas as pd
from sklearn.utils import check_random_state

from . import _actors, _facts

TASKS = {
    n: getattr(_actors, f"task_{n}", None) or getattr(_facts, f"task_{n}")
    for n in range(1, 21)
}


def make_babi(task, n_samples=1000, *, random_state=None):
    """Generate one of the 20 bAbI question answering tasks.

    Stories are told by a small simulation, as in the bAbI paper: actors
    move between places, get, drop and give objects (a carried object goes
    where its carrier goes), or facts about a hidden world (places on a
    grid, shapes on a plane, sizes, animals, times of day, motives) are
    stated. Questions are asked along the way, each with its answer and the
    sentences it follows from. The vocabulary, sentence forms, story
    lengths, number of questions per story and answer distributions follow
    the real English tasks, and the result has the same shape as
    :func:`load_babi`'s, so generated data can stand in for, or add to, the
    real training set.

    Parameters
    ----------
    task : int
        Task number, from 1 (single supporting fact) to 20 (agent's
        motivations).
    n_samples : int, default=1000
        Number of questions. A story holding several questions gives one
        sample per question; the last story is cut short when needed.
    random_state : int, RandomState instance or None, default=None
        Seed or random number generator; the same seed gives the same data.

    Returns
    -------
    X : pandas.DataFrame
        One row per question, with columns ``story`` (list of str, the
        sentences told before the question, in order), ``question`` (str)
        and ``supporting_facts`` (list of int, 0-based positions in
        ``story`` of the sentences the answer follows from).
    y : pandas.Series
        The answers, named ``"answer"``, on X's index. Several-word answers
        are comma-joined (``"apple,milk"``, ``"s,w"``); ``"nothing"`` where
        an actor carries nothing.

    Raises
    ------
    ValueError
        If ``task`` is not an integer from 1 to 20 or ``n_samples`` is not a
        positive integer.

    See Also
    --------
    load_babi : Read the real bAbI files from a folder.

    References
    ----------
    .. [1] J. Weston, A. Bordes, S. Chopra, A. M. Rush, B. van Merriënboer,
       A. Joulin and T. Mikolov, "Towards AI-Complete Question Answering: A
       Set of Prerequisite Toy Tasks", ICLR 2016, arXiv:1502.05698.

    Examples
    --------
    >>> from skmem.datasets import make_babi
    >>> X, y = make_babi(1, n_samples=5, random_state=0)
    >>> X.shape
    (5, 3)
    >>> list(X.columns)
    ['story', 'question', 'supporting_facts']
    >>> row = X.iloc[0]
    >>> len(row.story), row.question.startswith("Where is")
    (2, True)
    >>> fact = row.story[row.supporting_facts[0]]
    >>> fact.endswith(f"the {y.iloc[0]}.")
    True
    """
    if isinstance(task, bool) or not isinstance(task, numbers.Integral) or not 1 <= task <= 20:
        raise ValueError(f"task must be an integer from 1 to 20, got {task!r}")
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, numbers.Integral)
        or n_samples < 1
    ):
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    rng = check_random_state(random_state)
    tell = TASKS[int(task)]
    rows, answers = [], []
    while len(rows) < n_samples:
        story = tell(rng)
        for n_told, question, answer, support in story.questions[: n_samples - len(rows)]:
            rows.append((story.sentences[:n_told], question, support))
            answers.append(answer)
    X = pd.DataFrame(rows, columns=["story", "question", "supporting_facts"])
    y = pd.Series(answers, index=X.index, name="answer")
    return X, y
