"""The notice templates (issue 15): every kind renders from its template, the text and
the HTML part carry the same figures and dates, every figure of the notice's data is
shown, the HTML part escapes what came from CSV files, no template names a variable
its data lacks (StrictUndefined), and wording follows the plans (docs/plan-rules.md "Notices")."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from jinja2 import UndefinedError, meta
from notice_figures import figure_tokens, figures, visible_text

from stockplan.domain.model import AwardType, PlanCode, Role, TerminationReason
from stockplan.notices import templating
from stockplan.notices.letterhead import Letterhead
from stockplan.notices.model import (
    CoveredTransactionNotice,
    FeedRejectionSummary,
    Notice,
    RejectedRow,
    ReminderNotice,
    TerminationNotice,
)
from stockplan.notices.render import _context, render
from stockplan_cli.notice_samples import samples

SAMPLES = samples()
EVIL = "Eve <script>alert(1)</script> & Co"
KINDS = (
    "admin-alert",
    "correction",
    "covered-announcement",
    "covered-transaction",
    "deferred-award",
    "deferred-issue",
    "exercise",
    "expiry",
    "feed-rejections",
    "form-3921",
    "formula-grant",
    "grant",
    "monthly-report",
    "reminder",
    "split",
    "statement",
    "termination",
)
# To the plan administrator: no greeting by name, no governing documents.
ADMIN_KINDS = {"feed-rejections", "admin-alert", "monthly-report"}


def _variants() -> dict[str, Notice]:
    termination = SAMPLES["termination"]
    covered = SAMPLES["covered-transaction"]
    feed = SAMPLES["feed-rejections"]
    assert isinstance(termination, TerminationNotice)
    assert isinstance(covered, CoveredTransactionNotice)
    assert isinstance(feed, FeedRejectionSummary)
    reminder = SAMPLES["reminder"]
    assert isinstance(reminder, ReminderNotice)
    return {
        **SAMPLES,
        "termination-death-estate": dataclasses.replace(
            termination, reason=TerminationReason.DEATH, deceased=True, participant_name=EVIL
        ),
        "termination-consultant-other": dataclasses.replace(
            termination, reason=TerminationReason.OTHER, role=Role.CONSULTANT
        ),
        "termination-director": dataclasses.replace(
            termination,
            role=Role.DIRECTOR,
            awards=tuple(
                dataclasses.replace(line, plan=PlanCode.DIRECTORS_1999, section="Directors §6(i)")
                for line in termination.awards[:1]
            ),
        ),
        "covered-assumed": dataclasses.replace(
            covered,
            assumed=True,
            awards=tuple(
                dataclasses.replace(line, deadline_after=line.deadline_before)
                for line in covered.awards
            ),
        ),
        "reminder-estate": dataclasses.replace(reminder, deceased=True),
        "feed-whole-file": FeedRejectionSummary(
            "prices",
            "incoming/prices/<b>bad</b>.csv",
            0,
            0,
            0,
            "not UTF-8 <script>",
            ((None, "not UTF-8 <script>"),),
            None,
        ),
        "feed-nothing-new": dataclasses.replace(
            feed, rows_total=1, rows_accepted=0, rows_rejected=0, rows_unchanged=1, rejections=()
        ),
        # Rows applied as history at go-live (docs/plan-rules.md "Facts in time").
        "feed-history": dataclasses.replace(
            feed,
            rows_total=1200,
            rows_accepted=1200,
            rows_rejected=0,
            rows_unchanged=0,
            rejections=(),
            errors_key=None,
            rows_history=1187,
            go_live=date(2002, 5, 1),
        ),
        "feed-history-and-rejected": dataclasses.replace(
            feed, rows_history=3, go_live=date(2002, 5, 1)
        ),
    }


VARIANTS = _variants()


def test_there_is_one_template_per_notice_kind_and_a_sample_of_each() -> None:
    templates = {p.stem for p in templating.TEMPLATES.glob("*.j2") if not p.stem.startswith("_")}
    assert templates == set(KINDS)
    assert set(SAMPLES) == set(KINDS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_text_and_html_carry_the_same_figures_and_dates(name: str) -> None:
    out = render(VARIANTS[name])
    assert figure_tokens(out.text) == figure_tokens(visible_text(out.html))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_figure_and_date_of_the_notice_is_in_both_parts(name: str) -> None:
    notice = VARIANTS[name]
    out = render(notice)
    text, html = " ".join(out.text.split()), visible_text(out.html)
    expected = figures(notice)
    assert expected or isinstance(notice, FeedRejectionSummary | type(SAMPLES["admin-alert"]))
    for figure in expected:
        assert figure in text, f"{name}: {figure} not in the text part"
        assert figure in html, f"{name}: {figure} not in the HTML part"


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_text_part_writes_every_date_as_yyyy_mm_dd(name: str) -> None:
    import re

    text = render(VARIANTS[name]).text
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    for friendly in re.finditer(rf"\b(?:{months}) \d{{1,2}}, \d{{4}}\b", text):
        assert re.search(r"\d{4}-\d{2}-\d{2} \($", text[: friendly.start()]), friendly.group()


@pytest.mark.parametrize("kind", KINDS)
def test_no_template_names_a_variable_its_data_lacks(kind: str) -> None:
    """Static: every variable any branch of the kind's template (and the layout, blocks
    and shared wording it uses) reads is given; StrictUndefined would raise at render."""
    names = ["_layout.txt", "_layout.html", "_blocks.txt", "_blocks.html", "_common.j2"]
    context = _context(SAMPLES[kind], Letterhead())
    given = set(context) | {"fmt"}
    env = templating.environment("txt")
    for name in [f"{kind}.j2", *names]:
        source = (templating.TEMPLATES / name).read_text(encoding="utf-8")
        needed = meta.find_undeclared_variables(env.parse(source))
        # Macro arguments and `caller` are the macros' own.
        needed -= {"caller", "b", "w", "title", "label", "value", "text", "plans", "estate"}
        missing = needed - given
        assert not missing, f"{name} (for {kind}) names {sorted(missing)} not in its data"


def test_a_missing_variable_is_an_error_not_an_empty_string() -> None:
    context = _context(SAMPLES["grant"], Letterhead())
    del context["grant_noun"]
    with pytest.raises(UndefinedError, match="grant_noun"):
        templating.render_subject("grant", context)
    context = _context(SAMPLES["grant"], Letterhead())
    context["n"] = object()  # a notice without the fields the template reads
    with pytest.raises(UndefinedError):
        templating.render_html("grant", context)


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ADMIN_KINDS])
def test_html_escapes_a_participant_name_from_csv(kind: str) -> None:
    notice = dataclasses.replace(SAMPLES[kind], participant_name=EVIL)  # type: ignore[type-var]
    out = render(notice)
    assert "<script>" not in out.html
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in out.html
    assert EVIL in out.text  # the text part shows the name as written
    assert EVIL in visible_text(out.html)


def test_html_escapes_feed_keys_and_reasons_and_a_whole_file_shows_no_row_counts() -> None:
    out = render(VARIANTS["feed-whole-file"])
    assert "<script>" not in out.html and "<b>" not in out.html
    assert "incoming/prices/&lt;b&gt;bad&lt;/b&gt;.csv" in out.html
    assert "Whole file: not UTF-8 &lt;script&gt;" in out.html
    for part in (out.text, visible_text(out.html)):
        assert "Data rows" not in part and "Applied" not in part and "Unchanged" not in part
        assert "Rejected: 0" not in part and " rows" not in part and "row 1" not in part


def test_escaping_in_the_subject_title_and_admin_alert_lines() -> None:
    alert = dataclasses.replace(
        SAMPLES["admin-alert"],  # type: ignore[type-var]
        subject_line="Price <img src=x onerror=alert(1)>",
        body_lines=("<img src=x onerror=alert(1)>",),
    )
    out = render(alert)
    assert out.subject == "Price <img src=x onerror=alert(1)>"  # a header, not HTML
    assert "<img" not in out.html
    assert "<title>Price &lt;img src=x onerror=alert(1)&gt;</title>" in out.html


def test_one_row_and_two_rows() -> None:
    assert "has 1 row, and every one" in render(VARIANTS["feed-nothing-new"]).text
    feed = SAMPLES["feed-rejections"]
    assert render(feed).subject == (
        "Feed grants: 2 of 1,200 rows rejected (incoming/grants/2002-03-15.csv)"
    )
    one = dataclasses.replace(feed, rows_total=2, rows_accepted=1, rows_rejected=1)  # type: ignore[type-var]
    assert "1 of 2 rows rejected" in render(one).subject


# --- wording reviewed against the plans ----------------------------------------------


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_options_are_exercised_never_bought(name: str) -> None:
    out = render(VARIANTS[name])
    for word in (" buy", "bought", " purchase"):
        assert word not in out.text.lower(), f"{name}: {word!r}"


@pytest.mark.parametrize(
    ("name", "subject", "says"),
    [
        (
            "termination",
            "Your stock awards after your employment ended on 2002-03-15",
            "Your employment with CTC Communications Group, Inc. ended on 2002-03-15 "
            "(March 15, 2002): you resigned.",
        ),
        (
            "termination-consultant-other",
            "Your stock awards after your engagement ended on 2002-03-15",
            "Your engagement with CTC Communications Group, Inc. ended on 2002-03-15 "
            "(March 15, 2002).",
        ),
        (
            "termination-director",
            "Your stock awards after your service as a director ended on 2002-03-15",
            "Your service as a director of CTC Communications Group, Inc. ended on 2002-03-15 "
            "(March 15, 2002).",
        ),
    ],
)
def test_termination_says_what_ended_in_plain_words(name: str, subject: str, says: str) -> None:
    out = render(VARIANTS[name])
    assert out.subject == subject
    assert says in out.text
    assert "other" not in out.text.split("\n\n")[1]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_subjects_are_plain_and_do_not_lead_with_an_award_id(name: str) -> None:
    subject = render(VARIANTS[name]).subject
    assert subject[:1].isupper() and len(subject) <= 100
    for award_id in ("G-", "R-", "DO-", "FO-", "Award "):
        assert not subject.startswith(award_id), subject


@pytest.mark.parametrize(
    ("kind", "section"),
    [
        ("grant", "1998 §6.b.(1)"),
        ("reminder", "1998 §6.b.(1)"),
        ("termination", "1998 §6.b.(1)"),
        ("exercise", "1998 §6.b.(1)"),
        ("formula-grant", "Directors §6(e)(ii)"),
        ("covered-transaction", "Directors §6(e)(ii)"),
    ],
)
def test_notices_about_exercisable_shares_say_how_to_exercise(kind: str, section: str) -> None:
    text = render(SAMPLES[kind]).text
    (paragraph,) = [p for p in text.split("\n\n") if p.startswith("How to exercise:")]
    assert "written notice of exercise" in paragraph and section in paragraph


@pytest.mark.parametrize("kind", ["expiry", "deferred-award", "deferred-issue", "split"])
def test_notices_with_nothing_to_exercise_do_not(kind: str) -> None:
    assert "How to exercise" not in render(SAMPLES[kind]).text


def test_an_estate_is_told_it_may_be_asked_for_evidence_of_its_right() -> None:
    text = render(VARIANTS["reminder-estate"]).text
    assert "evidence of the right to do so (1998 §6.b.(1))" in text


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ADMIN_KINDS])
def test_participant_notices_close_with_the_governing_documents_and_contact_line(
    kind: str,
) -> None:
    letterhead = Letterhead(contact_line="Call Stock Plan Administration at 781-555-0100.")
    out = render(SAMPLES[kind], letterhead)
    for part in (out.text, visible_text(out.html)):
        assert "award agreement" in part and "govern" in part and "they prevail" in part
        assert "Call Stock Plan Administration at 781-555-0100." in part


@pytest.mark.parametrize("kind", sorted(ADMIN_KINDS))
def test_administrator_notices_have_neither(kind: str) -> None:
    out = render(SAMPLES[kind])
    assert "award agreement" not in out.text and "Reply to this email" not in out.text


def test_split_notice_lists_each_award_old_and_new_shares_and_price() -> None:
    out = render(SAMPLES["split"])
    assert out.subject == "Stock split 3-for-2 on 2005-04-15: your awards restated"
    text = out.text
    assert "Shares granted: 6,000 before, 9,000 after" in text
    assert "Shares outstanding: 4,000 before, 6,000 after" in text
    assert "Exercise price: $10.00 before, $6.666667 after, per share" in text
    assert "Shares: 37 before, 55 after" in text
    assert "Directors §4(c)" in text


def test_covered_transaction_not_assumed_gives_the_acceleration_and_the_new_deadline() -> None:
    out = render(SAMPLES["covered-transaction"])
    assert out.subject == (
        "Covered transaction on 2009-11-30: your awards vest in full and your options end that day"
    )
    text = out.text
    assert "Shares that vested because of the transaction: 2,500" in text
    assert "Last day to exercise: Monday, 2009-11-30; it was Thursday, 2014-01-02" in text
    assert "Directors §6(j)" in text and "Directors §7(b)(ii)" in text


def test_covered_transaction_assumed_keeps_the_deadlines() -> None:
    out = render(VARIANTS["covered-assumed"])
    assert out.subject == "Covered transaction on 2009-11-30: your awards vest in full"
    assert "Last day to exercise: Thursday, 2014-01-02, unchanged" in out.text
    assert "assumed the awards" in out.text


def test_the_layout_fits_a_phone_without_external_assets() -> None:
    html = render(SAMPLES["termination"]).html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width:600px" in html and "<style" not in html
    for external in ("http://", "https://", "src=", "<link", "url("):
        assert external not in html


def test_templates_ship_as_package_data(tmp_path: Path) -> None:
    """pyproject's package data and the layer's `cp -R stockplan` take templates/."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert "notices/templates/*" in project["tool"]["setuptools"]["package-data"]["stockplan"]
    makefile = (Path(__file__).parents[2] / "shared" / "Makefile").read_text()
    assert 'cp -R stockplan "$(LAYER_SITE)/"' in makefile


def test_rendering_is_deterministic_and_exact() -> None:
    assert render(SAMPLES["split"]) == render(SAMPLES["split"])
    assert render(SAMPLES["deferred-award"]).text.count("$17.6875") == 1
    assert Decimal("17.6875") == SAMPLES["deferred-award"].cash_in_lieu  # type: ignore[union-attr]
    assert date(2004, 1, 2) == SAMPLES["deferred-issue"].issued_on  # type: ignore[union-attr]
    assert AwardType.NSO is SAMPLES["grant"].award_type  # type: ignore[union-attr]
    assert RejectedRow(3, "x").row == 3
