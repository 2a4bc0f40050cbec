"""The one CSV reader: a bad file gets an error naming the file, the line and the column, wherever it is read."""

import shutil

import pytest

from helpers import coding, timeline
from helpers.csvfile import read_frame, read_rows
from helpers.errors import CsvFileError
from helpers.lexicon import DEFAULT_LEXICON, LexiconError, load_lexicon


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_reads_rows_with_their_lines_and_stripped_cells(tmp_path):
    path = _write(tmp_path / "t.csv", '\ufeffa, b\n1,"two\nlines"\n,\n3,4\n')
    header, rows = read_rows(path, ("a", "b"))
    assert header == ["a", "b"]
    assert [(r.line, r.values) for r in rows] == [(2, {"a": "1", "b": "two\nlines"}), (5, {"a": "3", "b": "4"})]


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("a,b\n1,2\n3\n", "t.csv, line 3", "has 1 fields, the header has 2"),
        ("a,b\n1,2,3\n", "t.csv, line 2", "has 3 fields, the header has 2"),
        ("a\n1\n", "t.csv, line 1, column 'b'", "missing column"),
        ("a,b,a\n1,2,3\n", "t.csv, line 1, column 'a'", "column appears twice"),
        ("", "t.csv, line 1", "file is empty: it needs a header row"),
        ('a,b\n1,"2"x\n', "t.csv, line 2", "malformed CSV"),
    ],
)
def test_bad_file_names_file_line_and_column(tmp_path, text, where, message):
    path = _write(tmp_path / "t.csv", text)
    with pytest.raises(CsvFileError) as caught:
        read_rows(path, ("a", "b"))
    assert str(caught.value.problems[0]).startswith(f"{where}: {message}")
    assert str(caught.value).startswith(f"CSV file {path}: {where}")


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n3,\xff\n")
    with pytest.raises(CsvFileError, match=r"t.csv, line 3: not valid UTF-8 text"):
        read_rows(path, ("a", "b"))


def test_every_ragged_row_is_reported(tmp_path):
    path = _write(tmp_path / "t.csv", "a,b\n1\n2,3\n4,5,6\n")
    with pytest.raises(CsvFileError, match=r"\(and 1 more\)") as caught:
        read_rows(path, ("a", "b"))
    assert [p.line for p in caught.value.problems] == [2, 4]


def test_unknown_columns_only_when_asked(tmp_path):
    path = _write(tmp_path / "t.csv", "a,b,c\n1,2,3\n")
    assert read_frame(path, ("a", "b")).columns.tolist() == ["a", "b", "c"]
    with pytest.raises(CsvFileError, match=r"column 'c': unknown column \(allowed: a, b\)"):
        read_rows(path, ("a", "b"), only_these=True)


def test_broken_lexicon_names_file_and_line(tmp_path):
    lines = DEFAULT_LEXICON.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n") + ",an extra cell\n"
    path = _write(tmp_path / "lexicon.csv", "".join(lines))
    with pytest.raises(LexiconError, match=r"^lexicon .*lexicon.csv: lexicon.csv, line 4: has 10 fields, the header has 9"):
        load_lexicon(path)


@pytest.fixture
def schemes(tmp_path, monkeypatch):
    folder = tmp_path / "schemes"
    shutil.copytree(coding.SCHEMES_DIR, folder)
    monkeypatch.setattr(coding, "SCHEMES_DIR", folder)
    return folder


def test_scheme_file_with_a_missing_column(schemes):
    path = schemes / "strategies.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in lines[:1]) + "".join(lines[1:]), encoding="utf-8")
    with pytest.raises(CsvFileError, match=r"strategies.csv, line 1, column 'citation': missing column"):
        coding.load_strategies()


def test_scheme_file_with_a_ragged_row(schemes):
    path = schemes / "cues.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = "neg-progressive,benoit\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CsvFileError, match=r"cues.csv, line 6: has 2 fields, the header has 4"):
        coding.load_cues()


def test_norms_with_a_ragged_row(tmp_path, monkeypatch):
    path = tmp_path / "norms.csv"
    path.write_text(timeline.NORMS_FILE.read_text(encoding="utf-8") + "late,Late,2\n", encoding="utf-8")
    monkeypatch.setattr(timeline, "NORMS_FILE", path)
    lines = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(CsvFileError, match=rf"norms.csv, line {lines}: has 3 fields, the header has 7"):
        timeline.load_norms()


def test_norms_keep_their_numbers():
    norms = timeline.load_norms()
    assert norms["hours"].dtype.kind == "i" and norms["share"].dtype.kind == "f"
    assert norms["share"].isna().any() and norms.index.name == "norm_id"


def test_not_utf8_after_a_byte_order_mark_names_the_line(tmp_path):  # the byte is counted after the mark, as ever
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n\xff,3\n")
    with pytest.raises(CsvFileError, match=r"t.csv, line 3: not valid UTF-8 text \(invalid start byte at byte 8\)"):
        read_rows(path, ("a", "b"))
