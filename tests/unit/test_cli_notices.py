"""`stockplan notices --out DIR` (issue 15): one example of every notice kind, as the
.eml that would be sent and its HTML and text parts, for people to review."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from stockplan.notices import templating
from stockplan_cli.main import main


def test_notices_command_writes_eml_html_and_txt_of_every_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "review"
    assert main(["notices", "--out", str(out)]) == 0
    kinds = {p.stem for p in templating.TEMPLATES.glob("*.j2") if not p.stem.startswith("_")}
    assert {p.name for p in out.iterdir()} == {
        f"{kind}{suffix}" for kind in kinds for suffix in (".eml", ".html", ".txt")
    }
    assert f"Wrote {3 * len(kinds)} files for {len(kinds)} notice kinds" in capsys.readouterr().out
    for kind in kinds:
        message = email.message_from_bytes(
            (out / f"{kind}.eml").read_bytes(), policy=policy.default
        )
        assert isinstance(message, EmailMessage)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert plain is not None and html is not None
        # The .eml's lines end in CRLF (RFC 5322); the review files in LF.
        text = plain.get_content().replace("\r\n", "\n")
        assert text == (out / f"{kind}.txt").read_text(encoding="utf-8")
        page = html.get_content().replace("\r\n", "\n")
        assert page == (out / f"{kind}.html").read_text(encoding="utf-8")
        assert message["From"].addresses[0].display_name == "CTC Stock Plan Administration"
        assert message["Reply-To"] == "plan-admin@ctc.example.com"


def test_notices_command_needs_an_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["notices"])
    assert exit_.value.code == 2
    assert "--out" in capsys.readouterr().err
