"""Every HTML notice in a real browser (issue 15): Debian's Chromium, driven by Selenium
through Debian's chromedriver (nothing downloads a browser build), opens each notice at
600 px (a desktop mail pane) and 375 px (a phone) wide, checks that the page does not
scroll sideways and that every figure of the notice's data is visible text, and saves a
screenshot under build/notice-screenshots/ for people to look at.

`make test` installs chromium and chromium-driver first (scripts/install_browser.sh).
Where they cannot be had, these tests FAIL with the reason; they never skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notice_figures import figures

from stockplan.notices.model import FeedRejectionSummary, Notice
from stockplan.notices.render import render
from stockplan_cli.notice_samples import LETTERHEAD, samples

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SHOTS = BUILD / "notice-screenshots"
WIDTHS = (600, 375)


def _notices() -> dict[str, Notice]:
    notices: dict[str, Notice] = dict(samples())
    # A long key without a blank must wrap, not push the page sideways on a phone.
    notices["feed-rejections-long-key"] = FeedRejectionSummary(
        feed_kind="unknown",
        key="incoming/exercises/" + "2002-06-03_exercises_from_the_broker_export_" * 4 + ".csv",
        rows_total=0,
        rows_accepted=0,
        rows_rejected=0,
        file_reason="not a .csv file",
        rejections=((None, "not a .csv file"),),
        errors_key=None,
    )
    notices.update(_decisions())
    return notices


def _decisions() -> dict[str, Notice]:
    """An extension and an acceleration (docs/plan-rules.md "Administrator decisions"):
    figure rows of two dates each, the longest lines a phone must wrap between dates."""
    from datetime import date
    from decimal import Decimal

    from stockplan.domain.model import AwardType, PlanCode, Tranche
    from stockplan.notices.model import AwardFigures, ChangedAward, CorrectionNotice

    def figures_(exercisable: int, deadline: date, ahead: tuple[Tranche, ...]) -> AwardFigures:
        return AwardFigures(1000, 0, 0, 0, 1000, exercisable, Decimal("12.50"), deadline, ahead)

    ahead = (Tranche(date(2003, 6, 30), 250), Tranche(date(2004, 6, 30), 250))
    made = {
        "decision-extension": (
            "extend_exercise_period",
            PlanCode.INCENTIVE_1998,
            figures_(1000, date(2003, 1, 31), ()),
            figures_(1000, date(2003, 5, 31), ()),
        ),
        "decision-acceleration": (
            "accelerate_vesting",
            PlanCode.DIRECTORS_1999,
            figures_(500, date(2010, 2, 1), ahead),
            figures_(750, date(2010, 2, 1), ahead[1:]),
        ),
    }
    return {
        name: CorrectionNotice(
            participant_id="D1",
            participant_name="Dana Fox",
            request_id="DEC-1",
            action=action,
            awards=(ChangedAward("D-7", AwardType.NSO, before, after, plan),),
            effective_on=date(2002, 12, 31),
        )
        for name, (action, plan, before, after) in made.items()
    }


NOTICES = _notices()


def _unavailable() -> str | None:
    """Why the browser cannot run here, or None."""
    recorded = BUILD / "browser-unavailable.txt"
    if recorded.is_file():
        return recorded.read_text(encoding="utf-8").strip()
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    if missing:
        return (
            f"{' and '.join(missing)} not on PATH: run `make test` (it installs Debian's "
            "chromium and chromium-driver as root) or `apt-get install -y chromium "
            "chromium-driver`"
        )
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason is not None:
        pytest.fail(f"the browser test cannot run: {reason}", pytrace=False)
    # Selenium Manager must not look for (or download) a driver or browser: both paths
    # are given, and it is told to stay offline.
    os.environ["SE_OFFLINE"] = "true"
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:  # pragma: no cover - requirements.lock pins selenium
        pytest.fail(f"selenium is not installed ({error}): make .venv", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--allow-file-access-from-files",
    ):
        options.add_argument(argument)
    service = Service(executable_path=str(shutil.which("chromedriver")))
    try:
        driver = webdriver.Chrome(options=options, service=service)
    except Exception as error:
        pytest.fail(f"Chromium did not start through chromedriver: {error}", pytrace=False)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, path: Path, width: int, height: int = 900) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(path.as_uri())


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(NOTICES))
def test_notice_fits_the_width_and_shows_every_figure(browser: Any, name: str, width: int) -> None:
    notice = NOTICES[name]
    html = render(notice, LETTERHEAD).html
    pages = BUILD / "notice-pages"
    pages.mkdir(parents=True, exist_ok=True)
    page = pages / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    _open(browser, page, width)

    viewport = browser.execute_script("return window.innerWidth")
    assert viewport == width
    sizes = browser.execute_script(
        "const d = document.documentElement, b = document.body;"
        "return [d.scrollWidth, d.clientWidth, b.scrollWidth, b.clientWidth];"
    )
    scroll_width, client_width, body_scroll, body_client = sizes
    assert scroll_width <= client_width, f"{name} at {width} px scrolls sideways: {sizes}"
    assert body_scroll <= body_client, f"{name} at {width} px: the body overflows: {sizes}"

    visible = " ".join(str(browser.execute_script("return document.body.innerText")).split())
    for figure in figures(notice):
        assert figure in visible, f"{name} at {width} px: {figure} is not visible"
    if notice.kind == "feed-rejections":
        assert notice.key in visible.replace(" ", "")  # type: ignore[union-attr]

    # The whole page, for people to look at.
    height = int(browser.execute_script("return document.documentElement.scrollHeight"))
    _open(browser, page, width, max(height, 200))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{name}-{width}px.png"
    assert browser.save_screenshot(str(shot)), shot
    assert shot.stat().st_size > 1000


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_no_date_breaks_inside_at_375_px(browser: Any, name: str) -> None:
    """docs/plan-rules.md "Notices": on a phone "2003-01-31" broke as "2003-01-" / "31";
    every date the HTML keeps whole renders on one line."""
    pages = BUILD / "notice-pages"
    pages.mkdir(parents=True, exist_ok=True)
    page = pages / f"{name}-375.html"
    page.write_text(render(NOTICES[name], LETTERHEAD).html, encoding="utf-8")
    _open(browser, page, 375)
    lines = browser.execute_script(
        "return [...document.querySelectorAll('span')]"
        ".filter(s => s.style.whiteSpace === 'nowrap')"
        ".map(s => [s.textContent, s.getClientRects().length]);"
    )
    if name.startswith("decision-"):
        assert len(lines) >= 3, f"{name}: its figure rows' dates are not kept whole: {lines}"
    broken = [text for text, rects in lines if rects != 1]
    assert broken == [], f"{name} at 375 px: dates broken across lines: {broken}"
