"""scripts/rename_citations.py: the bare page names of the code's citations become the
docs/ paths, everywhere but docs/ and text already renamed (issue 17)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "rename_citations", ROOT / "scripts/rename_citations.py"
)
assert _spec is not None and _spec.loader is not None
script: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('(rules.md "Corrections")', '(docs/plan-rules.md "Corrections")'),
        ("(interfaces.md §1a, §1b)", "(docs/interfaces.md §1a, §1b)"),
        ("`rules.md` and `interfaces.md`", "`docs/plan-rules.md` and `docs/interfaces.md`"),
        (
            'rules.md "Notices"; interfaces.md §3',
            'docs/plan-rules.md "Notices"; docs/interfaces.md §3',
        ),
        # Already renamed, or another file of that name: left alone.
        ('docs/plan-rules.md "Share pools"', 'docs/plan-rules.md "Share pools"'),
        ("docs/interfaces.md §2", "docs/interfaces.md §2"),
        ("see plan-rules.md", "see plan-rules.md"),
        ("/work/shared/spec/rules.md", "/work/shared/spec/rules.md"),
        ("my_rules.md, x.interfaces.md, rules.mdx", "my_rules.md, x.interfaces.md, rules.mdx"),
    ],
)
def test_bare_names_become_docs_paths_and_nothing_else_changes(text: str, expected: str) -> None:
    assert script.rename(text)[0] == expected


def test_renaming_twice_changes_nothing_more() -> None:
    once, count = script.rename('# interfaces.md §1a; rules.md "Exercises"')
    assert count == 2
    assert script.rename(once) == (once, 0)


def test_a_comment_pushed_over_the_line_limit_is_wrapped_other_lines_are_listed() -> None:
    comment = "    # " + "word " * 13 + '(rules.md "Notices")'
    code = '    x = "' + "w" * 70 + ' interfaces.md §1"'
    already_long = "    # " + "long " * 25 + "interfaces.md §1"
    text, count, too_long = script.rename_lines(
        "\n".join([comment, code, already_long]), python=True, limit=100
    )
    lines = text.split("\n")
    assert count == 3
    # 91 characters before, 101 after: wrapped (the citations test reads a citation
    # wrapped over two comment lines as one).
    assert lines[0] == "    # " + "word " * 13 + "(docs/plan-rules.md"
    assert lines[1] == '    # "Notices")'
    assert lines[2] == code.replace("interfaces.md", "docs/interfaces.md")
    # The code line is listed; a line that was over the limit before is not the script's.
    assert too_long == [3]
    assert lines[3] == already_long.replace("interfaces.md", "docs/interfaces.md")


def test_the_run_rewrites_the_scanned_folders_but_never_docs(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    page = tmp_path / "docs" / "plan-rules.md"
    page.write_text("cited as `rules.md` (interfaces.md §1)\n", encoding="utf-8")
    code = tmp_path / "shared" / "rule.py"
    code.write_text('"""A rule (rules.md "Exercises")."""\n', encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("see interfaces.md §3\n", encoding="utf-8")
    citations_test = tmp_path / "tests" / "unit" / "test_citations.py"
    citations_test.write_text('FORMS = ["rules.md \\"A\\""]\n', encoding="utf-8")
    binary = tmp_path / "shared" / "blob.bin"
    binary.write_bytes(b"\xff\xfe rules.md")

    assert script.main(["--check", "--root", str(tmp_path)]) == 1
    assert "rules.md" in code.read_text(encoding="utf-8")  # --check changes nothing
    assert script.main(["--root", str(tmp_path)]) == 0
    assert code.read_text(encoding="utf-8") == '"""A rule (docs/plan-rules.md "Exercises")."""\n'
    assert readme.read_text(encoding="utf-8") == "see docs/interfaces.md §3\n"
    assert page.read_text(encoding="utf-8") == "cited as `rules.md` (interfaces.md §1)\n"
    assert citations_test.read_text(encoding="utf-8") == 'FORMS = ["rules.md \\"A\\""]\n'
    assert binary.read_bytes() == b"\xff\xfe rules.md"
    assert script.main(["--check", "--root", str(tmp_path)]) == 0
