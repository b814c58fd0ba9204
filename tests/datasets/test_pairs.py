import pytest

from skmem.datasets import load_sentence_pairs


def _write(tmp_path, text, name="pairs.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_anki_export_with_attribution(tmp_path):
    path = _write(tmp_path, (
        "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)\n"
        "Hi.\tSalut !\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CM) & #509819 (Aiji)\n"
        "\n"
        "I'm OK.\tÇa va.\tCC-BY 2.0\r\n"
    ))
    X, y = load_sentence_pairs(path)
    assert X == ["Go.", "Hi.", "I'm OK."]
    assert y == ["Va !", "Salut !", "Ça va."]
    assert load_sentence_pairs(str(path), reverse=True) == (y, X)


def test_two_columns_bom_and_spaces(tmp_path):
    path = _write(tmp_path, "\ufeffone  \t un\ntwo\tdeux", encoding="utf-8")
    assert load_sentence_pairs(path) == (["one", "two"], ["un", "deux"])


def test_tatoeba_pairs_with_ids(tmp_path):
    path = _write(tmp_path, "1276\tLet's try something.\t4470\tEssayons quelque chose.\n"
                            "1277\tI have to go.\t4471\tJe dois partir.\n")
    assert load_sentence_pairs(path) == (
        ["Let's try something.", "I have to go."], ["Essayons quelque chose.", "Je dois partir."]
    )


@pytest.mark.parametrize(
    "text, line, problem",
    [
        ("a\tb\nc d\ne\tf\n", 2, "expected 2 tab-separated fields"),
        ("a\tb\tc\nd\te\n", 2, "expected 3 tab-separated fields"),
        ("a\t\n", 1, "empty target"),
        ("\n\n \tb\n", 3, "empty source"),
        ("1\ta\tx\tb\n", 1, "ids are integers"),
        ("a\tb\tc\td\te\n", 1, "got 5"),
    ],
)
def test_malformed_line_is_reported_with_its_number(tmp_path, text, line, problem):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=rf"pairs\.txt, line {line}: malformed.*{problem}"):
        load_sentence_pairs(path)


def test_undecodable_line(tmp_path):
    path = _write(tmp_path, b"a\tb\n\xff\xfe\tc\n")
    with pytest.raises(ValueError, match="line 2: .*cannot be decoded as utf-8"):
        load_sentence_pairs(path)
    assert load_sentence_pairs(path, encoding="latin-1")[0] == ["a", "\xff\xfe"]


def test_warn_skips_malformed_lines(tmp_path):
    path = _write(tmp_path, "a\tb\nbroken\nc\td\n\tb\nx\ty\tz\n")
    with pytest.warns(UserWarning, match=r"skipped 3 malformed line\(s\): 2, 4, 5"):
        X, y = load_sentence_pairs(path, errors="warn")
    assert (X, y) == (["a", "c"], ["b", "d"])


def test_empty_file_and_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="holds no sentence pairs"):
        load_sentence_pairs(_write(tmp_path, "\n\n"))
    with pytest.raises(ValueError, match="errors must be one of"):
        load_sentence_pairs(_write(tmp_path, "a\tb\n"), errors="ignore")
    with pytest.raises(FileNotFoundError):
        load_sentence_pairs(tmp_path / "missing.txt")
