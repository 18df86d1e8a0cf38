"""The notice templates' compiled code kept between processes (templating.
keep_compiled_templates, what `stockplan demo` and `simulate` use): the same notices,
a template not compiled again, the two formats' code never mixed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from stockplan.notices import templating
from stockplan.notices.render import render
from stockplan_cli.notice_samples import samples

NAME = "Eve <b>O'Neil</b> & Co"  # escaped in the HTML part, as written in the text part


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "compiled"
    templating.keep_compiled_templates(folder)
    try:
        yield folder
    finally:
        templating.keep_compiled_templates(None)


def _notice() -> object:
    return dataclasses.replace(samples()["grant"], participant_name=NAME)  # type: ignore[type-var]


def test_a_kept_template_renders_as_a_fresh_one_and_is_not_compiled_again(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templating.keep_compiled_templates(None)
    fresh = render(_notice())  # type: ignore[arg-type]
    templating.keep_compiled_templates(kept)
    assert render(_notice()) == fresh  # type: ignore[arg-type]
    assert list(kept.glob("stockplan-txt-*.cache")) and list(kept.glob("stockplan-html-*.cache"))

    templating.keep_compiled_templates(kept)  # as a new process: new environments
    monkeypatch.setattr(jinja2.Environment, "_parse", lambda *a: pytest.fail("compiled again"))
    again = render(_notice())  # type: ignore[arg-type]

    assert again == fresh
    assert "Eve &lt;b&gt;O&#39;Neil&lt;/b&gt; &amp; Co" in again.html
    assert NAME in again.text


def test_a_changed_template_is_compiled_again(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "templates"
    sources.mkdir()
    (sources / "probe.j2").write_text("one {{ n }}")
    monkeypatch.setattr(templating, "TEMPLATES", sources)
    templating.keep_compiled_templates(kept)
    assert templating.template("txt", "probe").render(n=1) == "one 1"

    (sources / "probe.j2").write_text("two {{ n }}")
    templating.keep_compiled_templates(kept)

    assert templating.template("txt", "probe").render(n=1) == "two 1"


def test_the_formats_and_the_options_keep_their_code_apart(kept: Path) -> None:
    options = {"autoescape": True, "trim_blocks": True}
    html = templating._compiled_cache("html", options)
    assert html.pattern != templating._compiled_cache("txt", options).pattern
    untrimmed = templating._compiled_cache("html", options | {"trim_blocks": False})
    assert html.pattern != untrimmed.pattern


def test_a_folder_that_cannot_be_made_compiles_in_the_process(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    templating.keep_compiled_templates(blocker / "compiled")
    try:
        assert templating._compiled_cache("txt", {}) is None
        assert render(_notice()).subject  # type: ignore[arg-type]
    finally:
        templating.keep_compiled_templates(None)


def test_a_folder_that_cannot_be_written_compiles_in_the_process(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.NamedTemporaryFile", full_disk)
    templating.keep_compiled_templates(kept)

    assert render(_notice()).subject  # type: ignore[arg-type]
    assert not list(kept.glob("*.cache"))
