"""The HTML check report in a real browser (issue 14.4): headless Chromium driven by selenium loads the demo
report without script errors, the filter narrows the rows, a column sorts, a circuit's bar shows its allocation.

Needs the Debian packages chromium and chromium-driver and selenium (test extras); .ci/run installs them.
Without them the tests are skipped with a message saying what is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecpartner.check import run_check
from ecpartner.cli import main
from ecpartner.inventory_loader import load_inventory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")
if not (CHROMIUM and DRIVER):
    pytest.skip("headless browser tests need the Debian packages chromium and chromium-driver "
                "(apt-get install chromium chromium-driver; .ci/run does)", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

DEMO_INVENTORY = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "inventory.yaml"


@pytest.fixture(scope="module")
def page(tmp_path_factory, demo_inventory_path):
    report = tmp_path_factory.mktemp("html") / "report.html"
    assert main(["check", str(demo_inventory_path), "--format", "html", "--output", str(report)]) == 3
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))     # a driver path: no download
    try:
        driver.get(report.as_uri())
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def demo_inventory_path():
    return DEMO_INVENTORY


def _visible_rows(driver, table_css: str) -> list[str]:
    """The text of the rows the filter leaves shown (the page lays out only what is on screen, so
    selenium's is_displayed would also say no for rows merely scrolled away)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        ".filter(tr => !tr.hidden && !tr.closest('section').hidden).map(tr => tr.textContent)", table_css)


def _filter(driver, text: str) -> None:
    """Type into the filter and wait for it to apply (it waits for a pause in the typing)."""
    box = driver.find_element(By.ID, "filter")
    box.clear()
    box.send_keys(text)
    WebDriverWait(driver, 20).until(
        lambda d: d.find_element(By.ID, "shown").text.endswith("rows match") if text.strip() else
        d.find_element(By.ID, "shown").text == "")


def test_the_page_loads_without_script_errors_or_policy_violations(page):
    errors = [e for e in page.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert page.find_element(By.ID, "circuits").is_displayed()
    circuits = load_inventory(DEMO_INVENTORY).circuits
    assert page.execute_script("return document.querySelectorAll('section.circuit').length") == len(circuits)


def test_the_filter_narrows_the_rows_and_clearing_it_brings_them_back(page):
    everything = len(_visible_rows(page, "#problem-table"))
    assert everything == sum(f.is_problem for f in run_check(load_inventory(DEMO_INVENTORY))) > 40
    _filter(page, "pc-hc09")
    shown = _visible_rows(page, "#problem-table")
    assert 0 < len(shown) < everything and all("pc-hc09" in text for text in shown)
    circuits = page.execute_script("return Array.from(document.querySelectorAll('section.circuit'))"
                                   ".filter(s => !s.hidden).map(s => s.id)")
    assert circuits == ["circuit-pc-hz03"]                  # pc-hc09's circuit only
    _filter(page, " ")       # an input event with an empty query
    assert len(_visible_rows(page, "#problem-table")) == everything


def test_a_click_on_a_heading_sorts_the_column(page):
    table = "#circuit-pc-hz03 table"
    page.execute_script("document.querySelector(arguments[0]).scrollIntoView()", table)
    heading = [th for th in page.find_elements(By.CSS_SELECTOR, f"{table} th") if th.text.startswith("VLAN")][0]

    def vlans() -> list[int]:
        return page.execute_script("return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
                                   ".map(tr => parseInt(tr.cells[2].textContent))", table)
    before = vlans()
    heading.click()
    assert vlans() == sorted(before) and len(before) == 4 and before != sorted(before)
    heading.click()
    assert vlans() == sorted(before, reverse=True)


def test_a_circuits_bar_shows_its_allocation_by_status(page):
    """pc-hz01: 1G capacity, 700M enabled and 300M disabled: the bar is full, seven tenths green."""
    page.execute_script("document.getElementById('circuit-pc-hz01').scrollIntoView()")
    bar = page.find_element(By.CSS_SELECTOR, "#circuit-pc-hz01 .bar")
    assert (bar.get_attribute("data-allocated"), bar.get_attribute("data-capacity")) == ("1000000000", "1000000000")
    enabled = bar.find_element(By.CSS_SELECTOR, ".enabled").size["width"]
    disabled = bar.find_element(By.CSS_SELECTOR, ".disabled").size["width"]
    assert enabled == pytest.approx(0.7 * (enabled + disabled), rel=0.02)
    assert enabled + disabled == pytest.approx(bar.size["width"], abs=4)    # border only
    assert "Allocated 1G of 1G (100%): enabled 700M, disabled 300M." in page.find_element(By.ID, "circuit-pc-hz01").text
