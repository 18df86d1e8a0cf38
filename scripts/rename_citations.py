"""Point the code's citations of the team's reading at the pages in docs/ (issue 17).

The code cites the plan rules as `rules.md "<heading>"` and the interfaces as
`interfaces.md §N`; both pages live in the repository as docs/plan-rules.md and
docs/interfaces.md. This script rewrites the bare names into those paths in the code,
the tests, the scenarios, the infrastructure and the README (never under docs/, whose
pages name each other by their own file names), and leaves alone what already is a
path (`docs/plan-rules.md`, `plan-rules.md`, `/some/where/rules.md`).

A Python comment that the longer name pushes over the line limit is wrapped onto a
comment line of its own; any other line it pushes over is listed, to be wrapped by hand
before `make lint`.

    python scripts/rename_citations.py           # rewrite, then list what it did
    python scripts/rename_citations.py --check   # change nothing; exit 1 if any is left
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What the citations test (tests/unit/test_citations.py) scans, and only that.
SCANNED = ("shared", "src", "functions", "tests", "scenarios", "infra", "README.md")
SKIPPED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".aws-sam"}
# Bare names on purpose: the forms the citations test must recognise, and this script's
# own examples in its test.
SKIPPED_FILES = {
    Path("tests/unit/test_citations.py"),
    Path("tests/unit/test_rename_citations.py"),
}
NEW_NAMES = {"rules.md": "docs/plan-rules.md", "interfaces.md": "docs/interfaces.md"}
# A bare name: not part of a longer name or path (plan-rules.md, docs/interfaces.md,
# spec/rules.md, my_rules.md, x.rules.md).
BARE = re.compile(r"(?<![\w./-])(rules|interfaces)\.md\b")
LINE_LIMIT = 100  # pyproject.toml [tool.ruff] line-length
_COMMENT = re.compile(r"^(\s*)# ")


def rename(text: str) -> tuple[str, int]:
    """The text with every bare name rewritten, and how many there were."""
    return BARE.subn(lambda match: NEW_NAMES[match.group(0)], text)


def _wrap_comment(line: str, limit: int) -> list[str] | None:
    """A Python comment line split at spaces into lines of at most `limit` characters,
    each a comment of the same indent; None for a line that is not a comment or has a
    word too long to split at."""
    match = _COMMENT.match(line)
    if match is None:
        return None
    lead = len(match.group(0))
    out: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", lead, limit + 1)
        if cut <= lead:
            return None
        out.append(line[:cut].rstrip())
        line = f"{match.group(1)}# {line[cut + 1 :]}"
    return [*out, line]


def rename_lines(text: str, *, python: bool, limit: int = LINE_LIMIT) -> tuple[str, int, list[int]]:
    """`rename` line by line. In Python, a line the longer names push over `limit` (it
    was within it) is wrapped when it is a comment, else its number (in the new text) is
    returned, to be wrapped by hand; lines that were long already are left as they are."""
    out: list[str] = []
    total = 0
    too_long: list[int] = []
    for line in text.split("\n"):
        new, count = rename(line)
        total += count
        if python and count and len(new) > limit >= len(line):
            wrapped = _wrap_comment(new, limit)
            if wrapped is None:
                too_long.append(len(out) + 1)
            else:
                out += wrapped[:-1]
                new = wrapped[-1]
        out.append(new)
    return "\n".join(out), total, too_long


def scanned_files(root: Path = ROOT) -> Iterator[Path]:
    for name in SCANNED:
        top = root / name
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            relative = path.relative_to(root)
            if not path.is_file() or relative in SKIPPED_FILES:
                continue
            if SKIPPED_DIRS.intersection(relative.parts) or relative.parts[0] == "docs":
                continue
            yield path


def rewrite(path: Path, *, write: bool) -> tuple[int, list[int]]:
    """How many names `path` has to rewrite, and the numbers of its lines still over the
    limit after the rewrite (Python files); writes the file when `write`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return 0, []  # binary files cite nothing
    new, count, long_lines = rename_lines(text, python=path.suffix == ".py")
    if count == 0:
        return 0, []
    if write:
        path.write_text(new, encoding="utf-8")
    return count, long_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    total = files = 0
    too_long: list[str] = []
    for path in scanned_files(args.root):
        count, long_lines = rewrite(path, write=not args.check)
        if count:
            total += count
            files += 1
            relative = path.relative_to(args.root)
            too_long += [f"{relative}:{n}" for n in long_lines]
    verb = "to rewrite" if args.check else "rewritten"
    print(f"{total} citations in {files} files {verb}")
    for where in too_long:
        print(f"over {LINE_LIMIT} characters, wrap by hand: {where}")
    if args.check:
        return 1 if total else 0
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
