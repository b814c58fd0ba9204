"""Reader of tab-separated sentence pairs, the format of translation corpora
exported from Tatoeba and of the Anki decks built from them."""

import os
import warnings

__all__ = ["load_sentence_pairs"]

_ERRORS = ("raise", "warn")


def _parse(fields, n_fields):
    """The (source, target) of one line's fields, or the reason it is malformed."""
    if n_fields is not None and len(fields) != n_fields:
        return f"expected {n_fields} tab-separated fields like the lines before, got {len(fields)}"
    if len(fields) == 4:
        if not (fields[0].strip().isdigit() and fields[2].strip().isdigit()):
            return "4 fields must be: source id, source, target id, target (ids are integers)"
        fields = [fields[1], fields[3]]
    elif len(fields) not in (2, 3):
        return (
            f"expected 2 (source, target), 3 (source, target, attribution) or 4 "
            f"(id, source, id, target) tab-separated fields, got {len(fields)}"
        )
    source, target = fields[0].strip(), fields[1].strip()
    if not source or not target:
        return f"empty {'source' if not source else 'target'} sentence"
    return source, target


def load_sentence_pairs(path, *, reverse=False, encoding="utf-8", errors="raise"):
    """Read translation pairs from a tab-separated file.

    Three layouts are understood, one per file, told apart by the number of
    fields on the first pair's line:

    - ``source<TAB>target``;
    - ``source<TAB>target<TAB>attribution``, the Anki decks of Tatoeba
      sentences (``Go.<TAB>Va !<TAB>CC-BY 2.0 (France) Attribution: ...``);
    - ``id<TAB>source<TAB>id<TAB>target``, Tatoeba's "sentence pairs"
      download (``1276<TAB>Let's try something.<TAB>4470<TAB>Essayons
      quelque chose.``).

    Blank lines are skipped, and the spaces around each sentence stripped.

    Parameters
    ----------
    path : str or path-like
        The file.
    reverse : bool, default=False
        Swap the columns: translate from the second language to the first.
    encoding : str, default="utf-8"
        Text encoding of the file; a leading byte-order mark is dropped.
    errors : {"raise", "warn"}, default="raise"
        What a malformed line causes (a wrong number of fields, an empty
        sentence, ids that are not integers, undecodable bytes): a
        ``ValueError`` naming the file and the line number, or a warning
        listing the numbers of the lines skipped.

    Returns
    -------
    X : list of str
        Source sentences.
    y : list of str
        Their translations.

    See Also
    --------
    make_dates : A generated translation task.
    skmem.Seq2SeqTranslator : Learns to translate X into y.

    Examples
    --------
    >>> import os, tempfile
    >>> from skmem.datasets import load_sentence_pairs
    >>> path = os.path.join(tempfile.mkdtemp(), "fra.txt")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write("Go.\\tVa !\\tCC-BY 2.0\\nHi.\\tSalut !\\tCC-BY 2.0\\n")
    >>> load_sentence_pairs(path)
    (['Go.', 'Hi.'], ['Va !', 'Salut !'])
    >>> load_sentence_pairs(path, reverse=True)[0]
    ['Va !', 'Salut !']
    """
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}, got {errors!r}.")
    name = os.fspath(path)
    X, y, skipped, n_fields = [], [], [], None
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                problem = f"cannot be decoded as {encoding} ({exc.reason})"
            else:
                if number == 1:
                    line = line.lstrip("\ufeff")
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                fields = line.split("\t")
                parsed = _parse(fields, n_fields)
                if isinstance(parsed, tuple):
                    n_fields = len(fields)
                    source, target = parsed
                    X.append(source)
                    y.append(target)
                    continue
                problem = parsed
            if errors == "raise":
                raise ValueError(f"{name}, line {number}: malformed sentence pair: {problem}.")
            skipped.append(number)
    if skipped:
        shown = ", ".join(map(str, skipped[:20])) + (", ..." if len(skipped) > 20 else "")
        warnings.warn(
            f"{name}: skipped {len(skipped)} malformed line(s): {shown}.", UserWarning, stacklevel=2
        )
    if not X:
        raise ValueError(f"{name} holds no sentence pairs.")
    return (y, X) if reverse else (X, y)
