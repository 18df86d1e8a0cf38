"""The notice templates (templates/*.j2): one file per notice kind, rendered twice from
the same data, as plain text and as HTML.

A kind's template extends `_layout.<fmt>` and writes its content with the macros of
`_blocks.<fmt>` (a paragraph, a heading, label/value facts, a list), where `fmt` is
`txt` or `html`: the wording is written once, and each format lays it out its own way.
The HTML environment escapes every value (names, reasons and keys come from CSV files);
both are strict: a variable a template names but the data lacks is an error, never an
empty string.

Jinja2 is imported by the first notice rendered, not when this module is imported, so a
Lambda cold start that sends nothing does not pay for it (benchmarks/bench_imports.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockplan.notices import formatting as fmt

if TYPE_CHECKING:
    from jinja2 import Environment, Template

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("txt", "html")


def _count(value: int, singular: str, plural: str | None = None) -> str:
    return fmt.count_of(value, singular, plural)


def _one_line(value: Any) -> Any:
    """One line; markup stays markup (a macro's output is escaped once, not twice)."""
    if hasattr(value, "__html__"):
        return type(value)(fmt.one_line(str(value)))
    return fmt.one_line(str(value))


def _nowrap(render: Callable[[date], str], kept: Callable[[date], str]) -> Any:
    """The HTML form of a date filter: the part `kept` gives stays on one line (a phone
    never breaks 2002-08-31 at its hyphens); the rest of the text may wrap."""

    def wrapped(day: date) -> Any:
        from markupsafe import Markup, escape

        before, whole, after = render(day).partition(kept(day))
        span = Markup('<span style="white-space:nowrap;">{}</span>').format(whole)
        return escape(before) + span + escape(after)

    return wrapped


_FILTERS = {
    "iso": fmt.iso,
    "deadline": fmt.deadline,
    "closed_day": fmt.closed_day,
    "long_date": fmt.long_date,
    "money": fmt.money,
    "price": fmt.price,
    "shares": fmt.shares,
    "share_count": fmt.share_count,
    "plan_title": fmt.plan_title,
    "award_label": fmt.award_type_label,
    "fee_label": fmt.fee_label,
    "oneline": _one_line,
    "ratio": fmt.ratio,
    "split_name": fmt.split_name,
}


# A date written into a text (a figure row "Tuesday, 2002-12-31 -> Sunday, 2009-10-04",
# a list item): its weekday, if it has one, and the ISO date.
_DATE_IN_TEXT = re.compile(
    r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), )?\d{4}-\d{2}-\d{2}"
)


def _html_one_line(value: Any) -> Any:
    """`oneline` in HTML: also every date in the text kept on one line, as the date
    filters keep theirs (a phone broke "2003-01-31" as "2003-01-" / "31")."""
    if hasattr(value, "__html__"):
        return _one_line(value)
    from markupsafe import Markup, escape

    text = fmt.one_line(str(value))
    out, last = Markup(), 0
    for found in _DATE_IN_TEXT.finditer(text):
        kept = Markup('<span style="white-space:nowrap;">{}</span>').format(found.group(0))
        out += escape(text[last : found.start()]) + kept
        last = found.end()
    return out + escape(text[last:])


# In HTML a date never breaks inside (docs/plan-rules.md "Notices"): the weekday and the ISO
# date of a deadline stay together, as does the ISO date of any other date.
_HTML_DATES = {
    "iso": _nowrap(fmt.iso, fmt.iso),
    "long_date": _nowrap(fmt.long_date, fmt.iso),
    "deadline": _nowrap(fmt.deadline, fmt.deadline),
    "oneline": _html_one_line,
}


# Where compiled templates are kept between processes: None compiles them in each
# process (a Lambda container compiles a template once, at its first notice of the kind).
_kept: list[Path | None] = [None]


def keep_compiled_templates(directory: Path | None) -> None:
    """Keep each template's compiled code in `directory` (Jinja's bytecode cache), for a
    process that renders every kind and starts often (`stockplan demo` and `simulate`
    compile the 34 templates in about 0.3 s of CPU otherwise). A template is compiled
    again when its source changes; the code of the two formats, of another Jinja
    version and of other environment options is kept apart. Call before rendering;
    None compiles in each process again."""
    _kept[0] = directory
    environment.cache_clear()


def _compiled_cache(kind: str, options: dict[str, Any]) -> Any:
    directory = _kept[0]
    if directory is None:
        return None
    import hashlib

    import jinja2
    from jinja2 import FileSystemBytecodeCache

    # The compiled code depends on the options too, which Jinja's own key leaves out.
    made_by = repr((jinja2.__version__, kind, sorted(options.items())))
    fingerprint = hashlib.sha256(made_by.encode()).hexdigest()[:16]
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None  # a folder that cannot be made: compiled in this process, as without

    class KeptWhereWritable(FileSystemBytecodeCache):
        """A template whose code cannot be written is compiled again next time: a full
        disk or a read-only folder never fails a notice. (Jinja drops a kept file it
        cannot read back: another version's, a cut one.)"""

        def dump_bytecode(self, bucket: Any) -> None:
            with suppress(OSError):
                super().dump_bytecode(bucket)

    return KeptWhereWritable(str(directory), f"stockplan-{kind}-{fingerprint}-%s.cache")


@cache
def environment(kind: str) -> Environment:
    """The Jinja environment of one format ("txt" or "html"), made once."""
    if kind not in FORMATS:
        raise ValueError(f"no such notice format: {kind!r}")
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    options: dict[str, Any] = {
        # The text part is not HTML: nothing in it is escaped (S701 is about HTML).
        "autoescape": kind == "html",
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": False,
    }
    env = Environment(  # noqa: S701 (autoescape is on for HTML, above)
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        auto_reload=False,
        bytecode_cache=_compiled_cache(kind, options),
        **options,
    )
    env.filters.update(_FILTERS)
    if kind == "html":
        env.filters.update(_HTML_DATES)
    env.filters["count"] = _count
    env.globals["fmt"] = kind
    return env


def template(kind: str, name: str) -> Template:
    return environment(kind).get_template(f"{name}.j2")


def render_subject(name: str, context: dict[str, Any]) -> str:
    """The kind's `subject` block, written as plain text on one line."""
    tmpl = template("txt", name)
    return fmt.one_line("".join(tmpl.blocks["subject"](tmpl.new_context(context))))


_BLANK_RUNS = re.compile(r"\n{3,}")


def render_text(name: str, context: dict[str, Any]) -> str:
    """The text part: one line per paragraph or fact, one blank line between blocks."""
    raw = template("txt", name).render(context)
    lines = [line.rstrip() for line in raw.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


def render_html(name: str, context: dict[str, Any]) -> str:
    raw = template("html", name).render(context)
    lines = [line.rstrip() for line in raw.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"
