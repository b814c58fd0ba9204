"""Readers of the bAbI question-answering tasks (Weston et al., 2015).

The 20 bAbI tasks are short stories followed by questions whose answers
follow from one or more sentences of the story (the *supporting facts*).
Every file of the official release has the same line format::

    1 Mary moved to the bathroom.
    2 John went to the hallway.
    3 Where is Mary? <TAB>bathroom<TAB>1

Each line starts with an ID; the ID goes back to 1 where a new story begins.
A line holding tabs is a question, followed by its answer (words of a
several-word answer are comma-joined, e.g. ``apple,football``) and the IDs of
its supporting sentences. Question lines are not part of the story, but they
count in the IDs.

`load_babi` reads one task from a local folder; `fetch_babi` downloads the
official v1.2 archive once into a cache folder and returns where it lies.

References
----------
J. Weston, A. Bordes, S. Chopra, A. M. Rush, B. van Merriënboer, A. Joulin
and T. Mikolov, "Towards AI-Complete Question Answering: A Set of
Prerequisite Toy Tasks", arXiv:1502.05698, 2015.
"""

import hashlib
import logging
import numbers
import os
import posixpath
import re
import shutil
import tarfile
import tempfile
import urllib.request
from collections import namedtuple
from pathlib import Path
from types import MappingProxyType

import pandas as pd
from sklearn.datasets import get_data_home

__all__ = ["BABI_TASKS", "fetch_babi", "load_babi"]

logger = logging.getLogger(__name__)

BABI_TASKS = MappingProxyType(
    {
        1: "single-supporting-fact",
        2: "two-supporting-facts",
        3: "three-supporting-facts",
        4: "two-arg-relations",
        5: "three-arg-relations",
        6: "yes-no-questions",
        7: "counting",
        8: "lists-sets",
        9: "simple-negation",
        10: "indefinite-knowledge",
        11: "basic-coreference",
        12: "conjunction",
        13: "compound-coreference",
        14: "time-reasoning",
        15: "basic-deduction",
        16: "basic-induction",
        17: "positional-reasoning",
        18: "size-reasoning",
        19: "path-finding",
        20: "agents-motivations",
    }
)
"""Read-only mapping from task number (1 to 20) to the task's name, as the
official file names spell it (``qa1_single-supporting-fact_train.txt``)."""

_SUBSETS = ("train", "valid", "test", "all")

# The official v1.2 archive. The SHA256 and size are those recorded for it by
# the Hugging Face `babi_qa` loader (datasets/babi_qa/dataset_infos.json);
# the mirrors are those used by torchtext (thespermwhale.com), the Keras
# examples (s3 text-datasets) and Facebook's public file server. A mirror
# that serves other bytes is refused by the checksum.
_RemoteArchive = namedtuple("_RemoteArchive", ["filename", "urls", "sha256"])
_ARCHIVE = _RemoteArchive(
    filename="tasks_1-20_v1-2.tar.gz",
    urls=(
        "https://dl.fbaipublicfiles.com/babi/tasks_1-20_v1-2.tar.gz",
        "https://s3.amazonaws.com/text-datasets/babi_tasks_1-20_v1-2.tar.gz",
        "http://www.thespermwhale.com/jaseweston/babi/tasks_1-20_v1-2.tar.gz",
    ),
    sha256="0364ebde659f14d11bc21744516c5ec49d3d06cb692733f66680771244998898",
)
_ARCHIVE_ROOT = "tasks_1-20_v1-2"  # top folder inside the archive
_DEFAULT_VARIANT = "en"  # English, 1000 training questions per task
_DOWNLOAD_TIMEOUT = 60  # seconds without data before a mirror is given up

_QA_FILE = re.compile(r"qa\d+_.*\.txt")
_LINE = re.compile(r"(\d+) (.*)", re.ASCII | re.DOTALL)
_INTEGER = re.compile(r"\d+", re.ASCII)


# --------------------------------------------------------------------------
# parsing


def _malformed(path, lineno, message):
    return ValueError(f"Malformed bAbI file {path}, line {lineno}: {message}")


def _parse_babi_file(path):
    """Parse one bAbI file into per-question lists.

    Returns ``(stories, questions, supporting_facts, answers)``, one entry per
    question in file order. Raises ValueError naming the file and the line
    for anything that does not follow the format.
    """
    stories, questions, supports, answers = [], [], [], []
    story = []  # sentences of the current story, in order
    position = {}  # line ID -> position in `story`; None for question lines
    last_id = 0
    with open(path, encoding="utf-8") as lines:
        for lineno, raw in enumerate(lines, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue  # blank lines (e.g. at the end of a file) carry nothing
            match = _LINE.fullmatch(line)
            if match is None:
                raise _malformed(
                    path,
                    lineno,
                    f"expected 'ID text' with ID a positive integer, got {line!r}",
                )
            line_id, text = int(match.group(1)), match.group(2)
            if line_id == 1:
                story, position = [], {}
            elif last_id == 0:
                raise _malformed(
                    path, lineno, f"the first line must have ID 1, got {line_id}"
                )
            elif line_id != last_id + 1:
                raise _malformed(
                    path,
                    lineno,
                    f"ID {line_id} does not follow ID {last_id} (expected "
                    f"{last_id + 1}, or 1 to start a new story)",
                )
            last_id = line_id

            if "\t" not in text:  # a sentence of the story
                sentence = text.strip()
                if not sentence:
                    raise _malformed(path, lineno, "sentence line has no text")
                position[line_id] = len(story)
                story.append(sentence)
                continue

            fields = text.split("\t")
            if len(fields) > 3:
                raise _malformed(
                    path,
                    lineno,
                    f"question line has {len(fields)} tab-separated fields, "
                    "expected 3 (question, answer, supporting IDs)",
                )
            question = fields[0].strip()
            answer = fields[1].strip()
            if not question:
                raise _malformed(path, lineno, "question line has no question")
            if not answer:
                raise _malformed(path, lineno, "question line has no answer")
            support = []
            for token in fields[2].split() if len(fields) == 3 else []:
                if _INTEGER.fullmatch(token) is None:
                    raise _malformed(
                        path, lineno, f"supporting fact ID {token!r} is not an integer"
                    )
                fact_id = int(token)
                if fact_id not in position:
                    raise _malformed(
                        path,
                        lineno,
                        f"supporting fact ID {fact_id} does not point to a "
                        f"sentence before the question (ID {line_id}) in its story",
                    )
                if position[fact_id] is None:
                    raise _malformed(
                        path,
                        lineno,
                        f"supporting fact ID {fact_id} points to a question line",
                    )
                support.append(position[fact_id])
            position[line_id] = None
            stories.append(list(story))
            questions.append(question)
            supports.append(support)
            answers.append(answer)
    if not questions:
        raise ValueError(f"Malformed bAbI file {path}: it holds no questions")
    return stories, questions, supports, answers


# --------------------------------------------------------------------------
# finding the files


def _check_task(task):
    if (
        isinstance(task, bool)
        or not isinstance(task, numbers.Integral)
        or not 1 <= task <= 20
    ):
        raise ValueError(f"task must be an integer from 1 to 20, got {task!r}")
    return int(task)


def _holds_qa_files(folder):
    return any(p.is_file() and _QA_FILE.fullmatch(p.name) for p in folder.iterdir())


def _task_folder(data_dir, variant):
    """The folder holding the qaN files, following `load_babi`'s rule."""
    if data_dir is None:
        data_dir = Path(get_data_home()) / "babi" / _ARCHIVE_ROOT
        if not data_dir.is_dir():
            raise FileNotFoundError(
                f"The bAbI tasks are not in the cache folder {data_dir}. Call "
                "skmem.datasets.fetch_babi() once to download them, or pass "
                "data_dir, a local folder holding the files."
            )
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"data_dir {str(data_dir)!r} is not a folder")
    if variant is None:
        if _holds_qa_files(data_dir):
            return data_dir
        variant = _DEFAULT_VARIANT
    elif not isinstance(variant, str) or not variant:
        raise ValueError(f"variant must be a non-empty string, got {variant!r}")
    candidates = [data_dir / variant, data_dir / _ARCHIVE_ROOT / variant]
    for folder in candidates:
        if folder.is_dir():
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"No bAbI variant folder {variant!r} under {data_dir} (looked for: "
        f"{looked}), and {data_dir} holds no qaN_*.txt file itself. Pass as "
        "data_dir either the folder holding the qaN_<name>_<subset>.txt "
        "files, or the root of the extracted official archive together with "
        "variant='en', 'en-10k', 'hn', ..."
    )


def _task_file(folder, task, subset):
    prefix, suffix = f"qa{task}_", f"_{subset}.txt"
    found = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name.startswith(prefix) and p.name.endswith(suffix)
    )
    if not found:
        raise FileNotFoundError(
            f"No bAbI file for task {task}, subset {subset!r} in {folder}: "
            f"looked for a file named {prefix}*{suffix} "
            f"(e.g. {prefix}{BABI_TASKS[task]}{suffix})"
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ValueError(
            f"Several bAbI files for task {task}, subset {subset!r} in "
            f"{folder}: {names}; keep one, or point data_dir at another folder"
        )
    return found[0]


# --------------------------------------------------------------------------
# public readers


def load_babi(task, *, subset="train", data_dir=None, variant=None):
    """Load one bAbI task as a story/question table and its answers.

    One row per question: the story is every sentence of its story told
    before the question (earlier questions left out), so a story with five
    questions gives five rows with growing stories.

    Parameters
    ----------
    task : int
        The task number, from 1 to 20 (see `BABI_TASKS` for the names).
    subset : {"train", "test", "valid", "all"}, default="train"
        Which file to read. ``"valid"`` exists only in the ``en-valid`` and
        ``en-valid-10k`` variants. ``"all"`` concatenates the training, the
        validation (where there is one) and the test file, in that order.
    data_dir : str or path-like, default=None
        Where the files are. Either a folder holding the files
        ``qaN_<name>_<subset>.txt`` directly (any variant: English, Hindi,
        shuffled, 1k or 10k; files are matched by their ``qaN_`` prefix and
        ``_<subset>.txt`` suffix), or the root of the extracted official
        archive, i.e. the folder ``tasks_1-20_v1-2`` holding ``en/``,
        ``en-10k/``, ``hn/``, ... (or the folder it was extracted into);
        `variant` then picks the subfolder. None reads the archive
        `fetch_babi` put in the default cache folder (it does not download;
        call `fetch_babi` first).
    variant : str, default=None
        Subfolder of the archive to read, such as ``"en"``, ``"en-10k"``,
        ``"en-valid"``, ``"hn"``, ``"shuffled-10k"``. None reads `data_dir`
        itself when it holds ``qaN_*.txt`` files, and ``"en"`` (English, 1000
        training questions per task) otherwise.

    Returns
    -------
    X : pandas.DataFrame
        One row per question, with columns

        - ``story`` (list of str): the story's sentences before the
          question, in order, without their line IDs;
        - ``question`` (str);
        - ``supporting_facts`` (list of int): 0-based positions in ``story``
          of the sentences the answer follows from, in the file's order.
    y : pandas.Series
        The answers, named ``"answer"``, on X's index. Several-word answers
        are kept as in the file, comma-joined (``"apple,football"``).

    Raises
    ------
    ValueError
        If `task` or `subset` is not valid, if a file is malformed (the
        message names the file and the line number), or if a folder holds
        several files for the same task and subset.
    FileNotFoundError
        If the folder or the task's file is missing; the message says what
        was looked for.

    See Also
    --------
    fetch_babi : Download the official archive once into a cache folder.

    Notes
    -----
    Files are read as UTF-8. Blank lines are skipped; IDs must start at 1
    and go up by one within a story, and supporting IDs must point to a
    sentence (not a question) of the same story before the question.

    References
    ----------
    .. [1] J. Weston, A. Bordes, S. Chopra, A. M. Rush, B. van Merriënboer,
       A. Joulin and T. Mikolov, "Towards AI-Complete Question Answering: A
       Set of Prerequisite Toy Tasks", arXiv:1502.05698, 2015.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skmem.datasets import load_babi
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = Path(tmp.name, "qa1_single-supporting-fact_train.txt").write_text(
    ...     "1 Mary moved to the bathroom.\\n"
    ...     "2 John went to the hallway.\\n"
    ...     "3 Where is Mary? \\tbathroom\\t1\\n"
    ...     "4 Daniel went back to the hallway.\\n"
    ...     "5 Where is Daniel? \\thallway\\t4\\n"
    ... )
    >>> X, y = load_babi(1, data_dir=tmp.name)
    >>> X.shape
    (2, 3)
    >>> for sentence in X.loc[1, "story"]:
    ...     print(sentence)
    Mary moved to the bathroom.
    John went to the hallway.
    Daniel went back to the hallway.
    >>> X.loc[1, "question"], X.loc[1, "supporting_facts"], y[1]
    ('Where is Daniel?', [2], 'hallway')
    >>> tmp.cleanup()
    """
    task = _check_task(task)
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}, got {subset!r}")
    folder = _task_folder(data_dir, variant)
    if subset == "all":
        paths = [_task_file(folder, task, "train")]
        try:
            paths.append(_task_file(folder, task, "valid"))
        except FileNotFoundError:
            pass  # most variants have no validation file
        paths.append(_task_file(folder, task, "test"))
    else:
        paths = [_task_file(folder, task, subset)]

    stories, questions, supports, answers = [], [], [], []
    for path in paths:
        parts = _parse_babi_file(path)
        for collected, part in zip((stories, questions, supports, answers), parts):
            collected.extend(part)
    X = pd.DataFrame(
        {"story": stories, "question": questions, "supporting_facts": supports}
    )
    y = pd.Series(answers, index=X.index, name="answer")
    return X, y


def _check_member(member, archive):
    """Refuse a tar member that would land outside the extraction folder."""
    name = member.name.replace("\\", "/")
    reason = None
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        reason = "absolute path"
    elif ".." in name.split("/"):
        reason = "'..' in its path"
    elif member.issym() or member.islnk():
        link = member.linkname.replace("\\", "/")
        base = posixpath.dirname(name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(base, link))
        # the link must stay inside its own top folder, the one that is kept
        top = posixpath.normpath(name).split("/")[0]
        if link.startswith("/") or target.split("/")[0] != top:
            reason = f"link to {member.linkname!r} outside its folder"
    elif not (member.isfile() or member.isdir()):
        reason = "device or other special file"
    if reason is not None:
        raise ValueError(
            f"Refusing to extract {archive}: unsafe member {member.name!r} ({reason})"
        )


def _download(cache):
    """Download the archive into `cache`, checked; return its path."""
    failures = []
    for url in _ARCHIVE.urls:
        logger.info("Downloading the bAbI tasks from %s into %s", url, cache)
        fd, part = tempfile.mkstemp(dir=cache, prefix=".babi-", suffix=".part")
        digest = hashlib.sha256()
        try:
            with (
                os.fdopen(fd, "wb") as out,
                urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response,
            ):
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
        except OSError as exc:  # urllib.error.URLError is an OSError
            os.unlink(part)
            failures.append(f"{url}: {exc}")
            continue
        except BaseException:  # interrupted: leave no partial file behind
            os.unlink(part)
            raise
        if digest.hexdigest() != _ARCHIVE.sha256:
            os.unlink(part)
            failures.append(
                f"{url}: SHA256 checksum mismatch (expected {_ARCHIVE.sha256}, "
                f"got {digest.hexdigest()}); the downloaded file was deleted"
            )
            continue
        archive = cache / _ARCHIVE.filename
        os.replace(part, archive)  # atomic: the archive is whole or absent
        return archive
    raise OSError(
        "Could not download the bAbI archive " + _ARCHIVE.filename + ":\n  "
        + "\n  ".join(failures)
    )


def _extract(archive, cache, root):
    """Extract `archive` safely and move its top folder to `root`."""
    work = Path(tempfile.mkdtemp(dir=cache, prefix=".babi-extract-"))
    try:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    _check_member(member, archive)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(work, filter="data")
                else:  # Python without extraction filters: checked above
                    tar.extractall(work)
        except tarfile.TarError as exc:
            raise ValueError(f"Cannot extract {archive}: {exc}") from exc
        extracted = work / _ARCHIVE_ROOT
        if not (extracted / _DEFAULT_VARIANT).is_dir():
            raise ValueError(
                f"{archive} does not hold the folder {_ARCHIVE_ROOT}/"
                f"{_DEFAULT_VARIANT} of the official bAbI archive"
            )
        try:
            os.replace(extracted, root)
        except OSError:
            if not root.is_dir():  # else another process got there first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def fetch_babi(data_home=None, *, download_if_missing=True):
    """Download the bAbI tasks (v1.2) once and return their folder.

    The official archive ``tasks_1-20_v1-2.tar.gz`` (about 15 MB) is
    downloaded into ``<data_home>/babi``, its SHA256 checksum verified, and
    extracted there; the archive file is then deleted. Later calls find the
    extracted folder and download nothing.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Cache folder; None uses scikit-learn's default, ``~/scikit_learn_data``
        or the ``SCIKIT_LEARN_DATA`` environment variable (see
        `sklearn.datasets.get_data_home`).
    download_if_missing : bool, default=True
        If False, raise FileNotFoundError instead of downloading when the
        data is not in the cache.

    Returns
    -------
    root : pathlib.Path
        The archive's root folder ``<data_home>/babi/tasks_1-20_v1-2``,
        holding one subfolder per variant: ``en`` and ``en-10k`` (English,
        1000 or 10000 training questions per task), ``en-valid`` and
        ``en-valid-10k`` (the same with a validation split), ``hn`` and
        ``hn-10k`` (Hindi), ``shuffled`` and ``shuffled-10k`` (letters
        shuffled). Pass it as `data_dir` to `load_babi`, with `variant` to
        pick one (English 1k by default).

    Raises
    ------
    FileNotFoundError
        If the data is not in the cache and `download_if_missing` is False.
    OSError
        If no mirror could be downloaded, or the downloaded file does not
        have the published checksum (the file is then deleted).
    ValueError
        If the archive holds a member that would be written outside the
        cache folder (absolute path, ``..``, link pointing outside); nothing
        is extracted then.

    See Also
    --------
    load_babi : Read one task from the returned folder.

    Examples
    --------
    >>> from skmem.datasets import fetch_babi, load_babi
    >>> root = fetch_babi()  # doctest: +SKIP
    >>> X, y = load_babi(2, subset="test", data_dir=root)  # doctest: +SKIP
    >>> X, y = load_babi(2, data_dir=root, variant="en-10k")  # doctest: +SKIP
    """
    cache = Path(get_data_home(data_home)) / "babi"
    root = cache / _ARCHIVE_ROOT
    if root.is_dir():
        return root
    if not download_if_missing:
        raise FileNotFoundError(
            f"The bAbI tasks are not in the cache folder {root}, and "
            "download_if_missing is False."
        )
    cache.mkdir(parents=True, exist_ok=True)
    archive = _download(cache)
    try:
        _extract(archive, cache, root)
    finally:
        archive.unlink(missing_ok=True)
    return root
