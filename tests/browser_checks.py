"""The demo report in a real browser: headless Chromium through Selenium, 1 280 px wide.

These checks run inside ``tests/test_run.py`` (imported there), on that module's demo report
(its ``report`` fixture): one notebook run serves both, whichever worker runs them.

What a committee member meets when they open ``report.html``:

* no error in the browser's console (the DevTools log, level SEVERE);
* every image decodes, and says what it shows (an ``alt`` text other than "Figur") under a
  numbered caption;
* each outcome's verdict sentence ends on the first screen (above 900 px);
* with the ``<details>`` sections collapsed, as the page opens, it is at most a third of the
  ~17 500 px the report was before issue 13.

A full-page screenshot is saved under ``$EVALUATION_ARTEFACTS`` (default
``$EVALUATION_HOME/artefacts``; the test home is removed after the session unless
``EVALUATION_KEEP_TEST_HOME`` is set), and its path printed.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``,
``/usr/bin/chromedriver``; other paths through ``EVALUATION_CHROMIUM`` and
``EVALUATION_CHROMEDRIVER``) and the ``selenium`` package: skipped, saying which is missing,
without them. Selenium is given the driver's path, so it never looks for or downloads one.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from evaluation import paths

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("EVALUATION_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("EVALUATION_CHROMEDRIVER", "/usr/bin/chromedriver"))
WIDTH = 1280
#: The first screen: each verdict sentence must end above this (CSS px from the top).
FIRST_SCREEN = 900
#: The report was ~17 500 px tall at 1 280 px before issue 13; now at most a third of that,
#: with every <details> closed.
MAX_HEIGHT = 5800
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


def _missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install selenium)"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.is_file() or not os.access(path, os.X_OK):
            return (f"{path} not found: install Debian's {package} "
                    f"(apt-get install -y chromium chromium-driver)")
    return None


@pytest.fixture(scope="module")
def driver():
    reason = _missing()
    if reason:
        pytest.skip(f"browser test skipped: {reason}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                               options=options)
    try:
        browser.set_page_load_timeout(120)
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(driver, report):
    """The report opened in the browser (loaded, at the top), and its console log."""
    driver.get((report / "report.html").resolve().as_uri())
    driver.execute_script("window.scrollTo(0, 0)")
    return {"driver": driver, "log": driver.get_log("browser"),
            "summary": json.loads((report / "summary.json").read_text(encoding="utf-8"))}


def _height(driver) -> int:
    return int(driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"))


def test_window_is_1280_wide(page):
    assert page["driver"].execute_script("return window.innerWidth") == WIDTH


def test_no_console_errors(page):
    severe = [entry for entry in page["log"] if entry.get("level") == "SEVERE"]
    assert not severe, severe


def test_every_image_decodes_and_says_what_it_shows(page):
    driver = page["driver"]
    images = driver.execute_script(
        "return Array.from(document.images).map(i => ({complete: i.complete, "
        "width: i.naturalWidth, alt: i.alt || '', "
        "caption: (i.closest('figure') && i.closest('figure').querySelector('figcaption')) "
        "? i.closest('figure').querySelector('figcaption').textContent : ''}))")
    assert len(images) >= 8
    broken = [i for i in images if not (i["complete"] and i["width"] > 0)]
    assert not broken, f"{len(broken)} of {len(images)} images did not decode"
    for i, image in enumerate(images, start=1):
        assert image["alt"] not in ("", "Figur", "Figure") and len(image["alt"]) > 40, image["alt"]
        assert image["caption"].startswith(f"Figur {i}. "), image["caption"]


def test_each_verdict_ends_on_the_first_screen(page):
    driver = page["driver"]
    outcomes = list(page["summary"]["verdict"])
    assert outcomes
    for outcome in outcomes:
        bottom = driver.execute_script(
            "const e = document.getElementById(arguments[0]);"
            "return e ? e.getBoundingClientRect().bottom + window.scrollY : null;",
            f"verdict-{outcome}")
        assert bottom is not None, f"no element #verdict-{outcome}"
        assert bottom <= FIRST_SCREEN, f"{outcome}: the verdict ends at {bottom:.0f} px"


def test_contents_links_reach_their_sections(page):
    driver = page["driver"]
    missing = driver.execute_script(
        "return Array.from(document.querySelectorAll('nav.toc a[href^=\"#\"]'))"
        ".map(a => a.getAttribute('href').slice(1))"
        ".filter(id => !document.getElementById(id));")
    assert driver.execute_script("return document.querySelectorAll('nav.toc a').length") >= 6
    assert not missing, missing
    assert driver.execute_script("return document.scripts.length") == 0


def test_collapsed_page_is_at_most_a_third_of_before(page, evaluation_home, record_property):
    driver = page["driver"]
    assert driver.execute_script("return document.querySelectorAll('details[open]').length") == 0
    assert driver.execute_script("return document.querySelectorAll('details').length") >= 6
    height = _height(driver)
    folder = Path(os.environ.get("EVALUATION_ARTEFACTS") or evaluation_home / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "report-1280.png"
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    png = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    shot.write_bytes(base64.b64decode(png["data"]))
    record_property("screenshot", str(shot))
    record_property("page_height", height)
    print(f"\nreport.html at {WIDTH} px: {height} px tall with <details> closed; "
          f"full-page screenshot: {shot}")
    assert height <= MAX_HEIGHT, f"the page is {height} px tall (at most {MAX_HEIGHT})"
    # opened, everything is still there (the details hold the long parts)
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    try:
        assert _height(driver) > 2 * height
    finally:
        driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = false)")
