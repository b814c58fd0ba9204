"""Tests of the bAbI readers; every file they read is written here."""

import doctest
import hashlib
import io
import tarfile

import numpy as np
import pandas as pd
import pytest

from skmem.datasets import BABI_TASKS, fetch_babi, load_babi
from skmem.datasets import _babi

# Two stories; IDs count question lines, so supporting IDs must be mapped.
TRAIN = (
    "1 Mary moved to the bathroom.\n"
    "2 John went to the hallway.\n"
    "3 Where is Mary? \tbathroom\t1\n"
    "4 Daniel went back to the hallway.\n"
    "5 Sandra moved to the garden.\n"
    "6 Where is Daniel? \thallway\t4\n"
    "7 John picked up the apple.\n"
    "8 John took the football there.\n"
    "9 What is John carrying? \tapple,football\t7 8\n"
    "1 Sandra travelled to the office.\n"
    "2 Where is Sandra? \toffice\t1\n"
)
TEST = "1 John went to the kitchen.\n2 Where is John? \tkitchen\t1\n"
VALID = "1 Mary went to the garden.\n2 Where is Mary? \tgarden\t1\n"


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def flat(tmp_path):
    """A folder holding task 1's files directly."""
    write(tmp_path, "qa1_single-supporting-fact_train.txt", TRAIN)
    write(tmp_path, "qa1_single-supporting-fact_test.txt", TEST)
    return tmp_path


# --------------------------------------------------------------------------
# parsing


def test_one_row_per_question_with_story_before_it(flat):
    X, y = load_babi(1, data_dir=flat)

    assert isinstance(X, pd.DataFrame)
    assert list(X.columns) == ["story", "question", "supporting_facts"]
    assert len(X) == 4
    assert X.loc[0, "story"] == [
        "Mary moved to the bathroom.",
        "John went to the hallway.",
    ]
    # question lines are left out of later stories
    assert X.loc[1, "story"] == [
        "Mary moved to the bathroom.",
        "John went to the hallway.",
        "Daniel went back to the hallway.",
        "Sandra moved to the garden.",
    ]
    assert len(X.loc[2, "story"]) == 6
    # a new story starts at ID 1
    assert X.loc[3, "story"] == ["Sandra travelled to the office."]
    assert X["question"].tolist() == [
        "Where is Mary?",
        "Where is Daniel?",
        "What is John carrying?",
        "Where is Sandra?",
    ]


def test_supporting_facts_are_positions_in_story(flat):
    X, _ = load_babi(1, data_dir=flat)

    # file IDs 1, 4, "7 8" and 1 skip the question lines 3 and 6
    assert X["supporting_facts"].tolist() == [[0], [2], [4, 5], [0]]
    facts = [
        [story[i] for i in support]
        for story, support in zip(X["story"], X["supporting_facts"])
    ]
    assert facts[1] == ["Daniel went back to the hallway."]
    assert facts[2] == ["John picked up the apple.", "John took the football there."]


def test_answers_aligned_and_several_words_kept(flat):
    X, y = load_babi(1, data_dir=flat)

    assert isinstance(y, pd.Series)
    assert y.name == "answer"
    assert y.index.equals(X.index)
    assert y.tolist() == ["bathroom", "hallway", "apple,football", "office"]


def test_supporting_facts_keep_file_order(tmp_path):
    text = (
        "1 Mary got the milk.\n"
        "2 Mary went to the office.\n"
        "3 Where is the milk? \toffice\t2 1\n"
    )
    write(tmp_path, "qa2_two-supporting-facts_train.txt", text)

    X, _ = load_babi(2, data_dir=tmp_path)

    assert X.loc[0, "supporting_facts"] == [1, 0]


def test_blank_lines_crlf_and_utf8(tmp_path):
    text = (
        "1 मैरी बाथरूम गई।\r\n"
        "\r\n"
        "2 मैरी कहाँ है? \tबाथरूम\t1\r\n"
        "\n"
    )
    write(tmp_path, "qa1_single-supporting-fact_train.txt", text)

    X, y = load_babi(1, data_dir=tmp_path)

    assert X.loc[0, "story"] == ["मैरी बाथरूम गई।"]
    assert X.loc[0, "question"] == "मैरी कहाँ है?"
    assert y.tolist() == ["बाथरूम"]


def test_question_without_supporting_field_gives_empty_list(tmp_path):
    write(tmp_path, "qa1_x_train.txt", "1 Mary went home.\n2 Where is Mary?\thome\n")

    X, y = load_babi(1, data_dir=tmp_path)

    assert X.loc[0, "supporting_facts"] == []
    assert y[0] == "home"


def test_stories_are_independent_lists(flat):
    X, _ = load_babi(1, data_dir=flat)

    X.loc[0, "story"].append("changed")
    assert len(X.loc[1, "story"]) == 4


# --------------------------------------------------------------------------
# subsets, tasks and the data_dir rule


def test_subsets(flat):
    X_test, y_test = load_babi(1, subset="test", data_dir=flat)
    X_all, y_all = load_babi(1, subset="all", data_dir=flat)

    assert y_test.tolist() == ["kitchen"]
    assert y_all.tolist() == [
        "bathroom",
        "hallway",
        "apple,football",
        "office",
        "kitchen",
    ]
    assert X_all.index.tolist() == list(range(5))
    assert y_all.index.equals(X_all.index)


def test_valid_subset_and_all_in_train_valid_test_order(tmp_path):
    write(tmp_path, "qa1_train.txt", TRAIN)  # en-valid names: no task name
    write(tmp_path, "qa1_valid.txt", VALID)
    write(tmp_path, "qa1_test.txt", TEST)

    _, y_valid = load_babi(1, subset="valid", data_dir=tmp_path)
    _, y_all = load_babi(1, subset="all", data_dir=tmp_path)

    assert y_valid.tolist() == ["garden"]
    assert y_all.tolist()[-2:] == ["garden", "kitchen"]
    assert len(y_all) == 6


def test_task_number_is_matched_exactly(tmp_path):
    write(tmp_path, "qa1_single-supporting-fact_train.txt", TRAIN)
    write(tmp_path, "qa10_indefinite-knowledge_train.txt", TEST)

    _, y1 = load_babi(1, data_dir=tmp_path)
    _, y10 = load_babi(10, data_dir=tmp_path)

    assert len(y1) == 4
    assert y10.tolist() == ["kitchen"]


def test_numpy_integer_task(flat):
    _, y = load_babi(np.int64(1), data_dir=flat)
    assert len(y) == 4


@pytest.mark.parametrize("task", [0, 21, -1, 1.0, "1", True, None])
def test_invalid_task(flat, task):
    with pytest.raises(ValueError, match="task must be an integer from 1 to 20"):
        load_babi(task, data_dir=flat)


@pytest.mark.parametrize("subset", ["training", "TEST", None, ""])
def test_invalid_subset(flat, subset):
    with pytest.raises(ValueError, match="subset must be one of"):
        load_babi(1, subset=subset, data_dir=flat)


def test_missing_file_says_what_was_looked_for(flat):
    with pytest.raises(FileNotFoundError) as info:
        load_babi(3, data_dir=flat)
    message = str(info.value)
    assert "qa3_*_train.txt" in message
    assert "qa3_three-supporting-facts_train.txt" in message
    assert str(flat) in message


def test_valid_subset_missing(flat):
    with pytest.raises(FileNotFoundError, match="qa1_\\*_valid.txt"):
        load_babi(1, subset="valid", data_dir=flat)


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_babi(1, data_dir=tmp_path / "nowhere")


def test_several_matching_files(flat):
    write(flat, "qa1_other_train.txt", TEST)
    with pytest.raises(ValueError, match="Several bAbI files for task 1"):
        load_babi(1, data_dir=flat)


@pytest.fixture
def archive_root(tmp_path):
    """An extracted official archive: tmp/tasks_1-20_v1-2/{en,en-10k}/."""
    root = tmp_path / "tasks_1-20_v1-2"
    write(root / "en", "qa1_single-supporting-fact_train.txt", TRAIN)
    write(root / "en-10k", "qa1_single-supporting-fact_train.txt", TEST)
    return root


def test_archive_root_defaults_to_english_1k(archive_root):
    _, y = load_babi(1, data_dir=archive_root)
    assert len(y) == 4


@pytest.mark.parametrize("level", ["root", "parent"])
def test_archive_root_or_its_parent_with_variant(archive_root, level):
    data_dir = archive_root if level == "root" else archive_root.parent

    _, y_en = load_babi(1, data_dir=data_dir, variant="en")
    _, y_10k = load_babi(1, data_dir=data_dir, variant="en-10k")

    assert len(y_en) == 4
    assert y_10k.tolist() == ["kitchen"]


def test_missing_variant_lists_candidates(archive_root):
    with pytest.raises(FileNotFoundError) as info:
        load_babi(1, data_dir=archive_root, variant="hn")
    message = str(info.value)
    assert str(archive_root / "hn") in message
    assert str(archive_root / "tasks_1-20_v1-2" / "hn") in message


def test_variant_on_a_flat_folder_is_an_error(flat):
    with pytest.raises(FileNotFoundError, match="No bAbI variant folder 'en-10k'"):
        load_babi(1, data_dir=flat, variant="en-10k")


def test_data_dir_none_reads_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))
    write(tmp_path / "babi" / "tasks_1-20_v1-2" / "en", "qa1_a_train.txt", TRAIN)

    _, y = load_babi(1)

    assert len(y) == 4


def test_data_dir_none_without_cache_does_not_download(tmp_path, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))
    monkeypatch.setattr(_babi, "_download", _no_network)

    with pytest.raises(FileNotFoundError, match="fetch_babi"):
        load_babi(1)


# --------------------------------------------------------------------------
# malformed files: ValueError naming the file and the line


MALFORMED = {
    "bad ID": ("1 Mary went home.\nx Where is Mary?\thome\t1\n", 2, "positive integer"),
    "no ID": ("Mary went home.\n", 1, "positive integer"),
    "ID zero": ("0 Mary went home.\n", 1, "first line must have ID 1"),
    "first ID not 1": ("2 Mary went home.\n", 1, "first line must have ID 1"),
    "repeated ID": (
        "1 Mary went home.\n2 John left.\n2 Where is Mary?\thome\t1\n",
        3,
        "ID 2 does not follow ID 2",
    ),
    "decreasing ID": (
        "1 A.\n2 B.\n3 C.\n2 Where is Mary?\thome\t1\n",
        4,
        "ID 2 does not follow ID 3",
    ),
    "skipped ID": ("1 A.\n3 Where is Mary?\thome\t1\n", 2, "expected 2"),
    "empty sentence": ("1 Mary went home.\n2 \n", 2, "sentence line has no text"),
    "no answer": ("1 Mary went home.\n2 Where is Mary?\t\t1\n", 2, "no answer"),
    "no answer field": ("1 Mary went home.\n2 Where is Mary?\t\n", 2, "no answer"),
    "no question": ("1 Mary went home.\n2 \thome\t1\n", 2, "no question"),
    "too many fields": ("1 A.\n2 Where?\thome\t1\textra\n", 2, "4 tab-separated"),
    "non-integer support": ("1 A.\n2 Where?\thome\tone\n", 2, "'one' is not an"),
    "support to question": (
        "1 A.\n2 Where?\thome\t1\n3 B.\n4 Where?\thome\t2\n",
        4,
        "points to a question line",
    ),
    "support to itself": ("1 A.\n2 Where?\thome\t2\n", 2, "does not point to a"),
    "support beyond": ("1 A.\n2 Where?\thome\t3\n3 B.\n", 2, "does not point to a"),
    "support to previous story": (
        "1 A.\n2 B.\n3 Where?\thome\t1\n1 C.\n2 Where?\thome\t2\n",
        5,
        "does not point to a sentence",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_names_file_and_line(tmp_path, case):
    text, lineno, fragment = MALFORMED[case]
    path = write(tmp_path, "qa1_single-supporting-fact_train.txt", text)

    with pytest.raises(ValueError) as info:
        load_babi(1, data_dir=tmp_path)

    message = str(info.value)
    assert str(path) in message
    assert f"line {lineno}:" in message
    assert fragment in message


@pytest.mark.parametrize("text", ["", "\n\n", "1 Mary went home.\n2 John left.\n"])
def test_file_without_questions(tmp_path, text):
    write(tmp_path, "qa1_single-supporting-fact_train.txt", text)
    with pytest.raises(ValueError, match="holds no questions"):
        load_babi(1, data_dir=tmp_path)


# --------------------------------------------------------------------------
# fetch_babi against archives the tests build (no network)


def _no_network(*args, **kwargs):
    raise AssertionError("the network must not be used here")


def make_archive(path, members):
    """Write a .tar.gz with `members` {name: text}; return its SHA256."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


GOOD_MEMBERS = {
    "tasks_1-20_v1-2/en/qa1_single-supporting-fact_train.txt": TRAIN,
    "tasks_1-20_v1-2/en/qa1_single-supporting-fact_test.txt": TEST,
    "tasks_1-20_v1-2/en-10k/qa1_single-supporting-fact_train.txt": TEST,
}


def serve(monkeypatch, archive, sha256, *extra_urls):
    """Point fetch_babi at local file:// URLs."""
    urls = (*extra_urls, archive.as_uri())
    remote = _babi._RemoteArchive("tasks_1-20_v1-2.tar.gz", urls, sha256)
    monkeypatch.setattr(_babi, "_ARCHIVE", remote)


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "server"
    folder.mkdir()
    return folder


def leftovers(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_fetch_downloads_extracts_and_loads(tmp_path, server, monkeypatch):
    archive = server / "babi.tar.gz"
    serve(monkeypatch, archive, make_archive(archive, GOOD_MEMBERS))
    data_home = tmp_path / "home"

    root = fetch_babi(data_home)

    assert root == data_home / "babi" / "tasks_1-20_v1-2"
    # the archive and all temporary files are gone; only the data stays
    assert leftovers(data_home / "babi") == ["tasks_1-20_v1-2"]
    _, y = load_babi(1, data_dir=root)
    _, y_10k = load_babi(1, data_dir=root, variant="en-10k")
    assert len(y) == 4
    assert y_10k.tolist() == ["kitchen"]


def test_fetch_second_call_is_a_cache_hit(tmp_path, server, monkeypatch):
    archive = server / "babi.tar.gz"
    serve(monkeypatch, archive, make_archive(archive, GOOD_MEMBERS))
    first = fetch_babi(tmp_path / "home")
    archive.unlink()
    monkeypatch.setattr(_babi.urllib.request, "urlopen", _no_network)

    second = fetch_babi(tmp_path / "home")

    assert second == first
    assert load_babi(1, data_dir=second)[1].tolist()[0] == "bathroom"


def test_fetch_uses_default_data_home(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sk"))
    archive = server / "babi.tar.gz"
    serve(monkeypatch, archive, make_archive(archive, GOOD_MEMBERS))

    root = fetch_babi()

    assert root == tmp_path / "sk" / "babi" / "tasks_1-20_v1-2"
    assert len(load_babi(1)[1]) == 4  # data_dir=None reads that cache


def test_fetch_without_download(tmp_path, monkeypatch):
    monkeypatch.setattr(_babi.urllib.request, "urlopen", _no_network)
    with pytest.raises(FileNotFoundError, match="download_if_missing is False"):
        fetch_babi(tmp_path, download_if_missing=False)


def test_fetch_checksum_mismatch_deletes_the_file(tmp_path, server, monkeypatch):
    archive = server / "babi.tar.gz"
    make_archive(archive, GOOD_MEMBERS)
    serve(monkeypatch, archive, "0" * 64)
    data_home = tmp_path / "home"

    with pytest.raises(OSError, match="SHA256 checksum mismatch") as info:
        fetch_babi(data_home)

    assert hashlib.sha256(archive.read_bytes()).hexdigest() in str(info.value)
    assert leftovers(data_home / "babi") == []


def test_fetch_tries_the_next_mirror(tmp_path, server, monkeypatch):
    archive = server / "babi.tar.gz"
    sha256 = make_archive(archive, GOOD_MEMBERS)
    serve(monkeypatch, archive, sha256, (server / "missing.tar.gz").as_uri())

    root = fetch_babi(tmp_path / "home")

    assert (root / "en").is_dir()


def test_fetch_reports_every_failed_mirror(tmp_path, server, monkeypatch):
    missing = server / "missing.tar.gz"
    serve(monkeypatch, missing, "0" * 64, (server / "gone.tar.gz").as_uri())

    with pytest.raises(OSError) as info:
        fetch_babi(tmp_path / "home")

    assert "missing.tar.gz" in str(info.value)
    assert "gone.tar.gz" in str(info.value)
    assert leftovers(tmp_path / "home" / "babi") == []


def _add_link(tar, name, target, kind):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


@pytest.mark.parametrize(
    "evil",
    [
        ("file", "../evil"),
        ("file", "tasks_1-20_v1-2/en/../../../evil"),
        ("file", "/tmp/skmem-babi-absolute-evil"),
        ("symlink", "../../../evil"),
        ("symlink", "../../evil"),  # inside the extraction folder, outside the data
        ("symlink", "/etc/passwd"),
        ("hardlink", "../evil"),
    ],
)
def test_fetch_rejects_unsafe_members(tmp_path, server, monkeypatch, evil):
    kind, target = evil
    archive = server / "babi.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in GOOD_MEMBERS.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if kind == "file":
            info = tarfile.TarInfo(target)
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
        else:
            link_type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
            _add_link(tar, "tasks_1-20_v1-2/en/link", target, link_type)
    serve(monkeypatch, archive, hashlib.sha256(archive.read_bytes()).hexdigest())
    data_home = tmp_path / "home"

    with pytest.raises(ValueError, match="Refusing to extract .*unsafe member"):
        fetch_babi(data_home)

    # nothing was extracted, nothing escaped, the archive was deleted
    assert leftovers(data_home / "babi") == []
    assert not (tmp_path / "evil").exists()
    assert not (tmp_path / "home" / "evil").exists()
    assert not any(p.name == "evil" for p in tmp_path.rglob("*"))


def test_fetch_rejects_archive_without_english_folder(tmp_path, server, monkeypatch):
    archive = server / "babi.tar.gz"
    sha256 = make_archive(archive, {"something/else.txt": "hello"})
    serve(monkeypatch, archive, sha256)

    with pytest.raises(ValueError, match="does not hold the folder tasks_1-20_v1-2/en"):
        fetch_babi(tmp_path / "home")
    assert leftovers(tmp_path / "home" / "babi") == []


def test_fetch_rejects_a_file_that_is_not_a_tar(tmp_path, server, monkeypatch):
    archive = server / "babi.tar.gz"
    archive.write_bytes(b"not a tar archive")
    serve(monkeypatch, archive, hashlib.sha256(archive.read_bytes()).hexdigest())

    with pytest.raises(ValueError, match="Cannot extract"):
        fetch_babi(tmp_path / "home")


def test_fetch_without_extraction_filters(tmp_path, server, monkeypatch):
    """Pythons without tarfile filters rely on the explicit member check."""
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    archive = server / "babi.tar.gz"
    serve(monkeypatch, archive, make_archive(archive, GOOD_MEMBERS))

    root = fetch_babi(tmp_path / "home")
    assert len(load_babi(1, data_dir=root)[1]) == 4

    evil = server / "evil.tar.gz"
    sha256 = make_archive(evil, {**GOOD_MEMBERS, "../evil": "evil"})
    serve(monkeypatch, evil, sha256)
    with pytest.raises(ValueError, match="unsafe member '../evil'"):
        fetch_babi(tmp_path / "other")
    assert not (tmp_path / "evil").exists()


def test_safe_links_inside_the_archive_are_accepted():
    inside = tarfile.TarInfo("tasks_1-20_v1-2/en/link")
    inside.type = tarfile.SYMTYPE
    inside.linkname = "qa1_single-supporting-fact_train.txt"
    _babi._check_member(inside, "archive")  # does not raise
    dotted = tarfile.TarInfo("./tasks_1-20_v1-2/en/link")
    dotted.type = tarfile.SYMTYPE
    dotted.linkname = "../en-10k/qa1_single-supporting-fact_train.txt"
    _babi._check_member(dotted, "archive")


# --------------------------------------------------------------------------
# public names and docs


def test_task_names():
    assert sorted(BABI_TASKS) == list(range(1, 21))
    assert BABI_TASKS[1] == "single-supporting-fact"
    assert BABI_TASKS[20] == "agents-motivations"
    with pytest.raises(TypeError):
        BABI_TASKS[21] = "new"


def test_docstring_examples_run():
    result = doctest.testmod(_babi, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
