"""The YAML reader: words stay words, duplicates and aliases are refused, positions are kept."""

from __future__ import annotations

from triage.errors import DUPLICATE_KEY, FILE_UNREADABLE, YAML_SYNTAX
from triage.knowledge.located import LocDict, location_of
from triage.knowledge.yaml_reader import decode, parse


def test_yes_no_on_off_stay_words_and_only_true_false_are_booleans() -> None:
    data, problems = parse(
        "a: yes\nb: no\nc: on\nd: off\ne: true\nf: False\ng: 2024-01-01\n", "f.yaml"
    )
    assert problems == []
    assert data == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": True,
        "f": False,
        "g": "2024-01-01",
    }


def test_a_duplicate_key_is_reported_with_both_lines_and_not_silently_dropped() -> None:
    _, problems = parse("rule:\n  when: {a: 1}\n  when: {b: 2}\n", "r.yaml")
    assert [(p.code, str(p.location)) for p in problems] == [(DUPLICATE_KEY, "r.yaml:3:3")]
    assert "duplicate key 'when' (first at line 2)" in problems[0].message


def test_values_remember_their_line_and_column() -> None:
    data, _ = parse("rules:\n  - id: one\n    tier: urgnt\n", "r.yaml")
    assert isinstance(data, LocDict)
    assert str(location_of(data, ["rules", 0, "tier"])) == "r.yaml:3:11"
    assert str(location_of(data, ["rules", 0, "tier"], key=True)) == "r.yaml:3:5"


def test_a_syntax_error_names_file_line_and_column() -> None:
    data, problems = parse("a: [1, 2\nb: 3\n", "bad.yaml")
    assert data is None
    assert problems[0].code == YAML_SYNTAX
    assert str(problems[0].location).startswith("bad.yaml:")
    assert problems[0].location.line >= 1


def test_aliases_are_refused_so_an_alias_chain_cannot_expand() -> None:
    _, problems = parse("a: &x [1, 2]\nb: *x\n", "a.yaml")
    assert [p.code for p in problems] == [YAML_SYNTAX]
    assert "aliases" in problems[0].message


def test_python_object_tags_are_not_constructed() -> None:
    data, problems = parse("a: !!python/object/apply:os.system ['echo hacked']\n", "t.yaml")
    assert data is None
    assert problems[0].code == YAML_SYNTAX


def test_invalid_utf8_and_binary_files_are_reported_not_guessed() -> None:
    text, problems = decode(b"a: \xff\xfe\n", "x.yaml")
    assert text is None and problems[0].code == FILE_UNREADABLE
    assert "not UTF-8" in problems[0].message
    _, problems = parse("a\x00b", "bin.yaml")
    assert problems[0].code == FILE_UNREADABLE


def test_windows_line_endings_and_a_bom_read_normally() -> None:
    text, _ = decode("\ufeffa: yes\r\nb: 2\r\n".encode(), "w.yaml")
    assert text is not None
    data, problems = parse(text, "w.yaml")
    assert problems == [] and data == {"a": "yes", "b": 2}
