"""The monthly report's HTML (reports/YYYY-MM.html, issue 16) in a real browser: the
same Debian Chromium as the notices' browser test. The page is the sample report of
`stockplan notices` with every row, as the daily job writes it to the bucket.

It checks that each plan's pool chart is drawn: an inline <svg> (no script) with 24
months, each month with figures as visible bars of a positive height, and the months
without figures marked; that the page does not scroll sideways; and it saves a
screenshot to build/ and, when docs/monthly-report.png is missing or
UPDATE_DOCS_SCREENSHOT=1, to docs/ (the README shows that one)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from test_notices_in_browser import _open, browser  # noqa: F401 - the shared fixture

from stockplan.domain.periodic import CHART_MONTHS
from stockplan.service.periodic import render_report
from stockplan_cli.notice_samples import monthly_report_document

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "build" / "monthly-report" / "2002-12.html"
SHOT = ROOT / "build" / "monthly-report" / "2002-12.png"
DOCS_SHOT = ROOT / "docs" / "monthly-report.png"
FILES = ("reports/2002-12.html", "reports/2002-12.csv", "reports/2002-12.json")


def _page() -> Path:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(render_report(monthly_report_document(), FILES), encoding="utf-8")
    return PAGE


def test_the_monthly_report_draws_24_months_of_each_pool_as_svg_bars(browser: Any) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    document = monthly_report_document()
    _open(browser, _page(), 600)
    assert browser.find_elements(By.TAG_NAME, "script") == []
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.pool-chart")
    assert [c.get_attribute("data-plan") for c in charts] == list(document["pools"])
    for chart in charts:
        assert chart.is_displayed() and chart.size["height"] > 100, chart.size
        plan = chart.get_attribute("data-plan")
        history = document["pools"][plan]["history"]
        months = chart.find_elements(By.CSS_SELECTOR, "g.month")
        assert len(months) == CHART_MONTHS == len(history)
        assert [m.get_attribute("data-month") for m in months] == [h["month"] for h in history]
        for month, kept in zip(months, history, strict=True):
            if "reserved" not in kept:
                assert month.get_attribute("data-missing") == "true"
                continue
            # Delivered and outstanding are drawn in proportion to the figures.
            heights = {
                kind: float(
                    month.find_element(By.CSS_SELECTOR, f"rect.{kind}").get_attribute("height")
                )
                for kind in ("delivered", "outstanding")
            }
            assert heights["delivered"] > 0 and heights["outstanding"] > 0, heights
            ratio = heights["outstanding"] / heights["delivered"]
            assert abs(ratio - kept["outstanding"] / kept["delivered"]) < 0.05, (plan, kept)
            rendered = month.find_element(By.CSS_SELECTOR, "rect.delivered").size
            assert rendered["height"] > 0 and rendered["width"] > 0
        assert sum(1 for h in history if "reserved" in h) == 21


def test_the_monthly_report_fits_a_phone_and_lists_every_section(browser: Any) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    for width in (600, 375):
        _open(browser, _page(), width)
        sizes = browser.execute_script(
            "const d = document.documentElement; return [d.scrollWidth, d.clientWidth];"
        )
        assert sizes[0] <= sizes[1], f"the report at {width} px scrolls sideways: {sizes}"
    lists = browser.find_elements(By.CSS_SELECTOR, "table.report-list")
    assert {t.get_attribute("data-section") for t in lists} == {
        "deadlines",
        "changes",
        "rejections",
        "undelivered",
    }
    text = browser.execute_script("return document.body.innerText")
    assert "decision R-7 (extend_exercise_period)" in text
    assert "award G-0099 is not recorded" in text


def test_a_screenshot_of_the_monthly_report(browser: Any) -> None:  # noqa: F811
    _open(browser, _page(), 600)
    height = int(browser.execute_script("return document.documentElement.scrollHeight"))
    # The top of the report: the pools and their charts, as the README shows them.
    _open(browser, _page(), 600, min(height, 1400))
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOT)), SHOT
    assert SHOT.stat().st_size > 10_000
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1" or not DOCS_SHOT.exists():
        shutil.copyfile(SHOT, DOCS_SHOT)
    assert DOCS_SHOT.stat().st_size > 10_000
