"""The console in a real browser: `cmconsole serve` on a demo workspace, opened in Debian's
chromium driven by Playwright; the demo's lead signs in, opens an alias and reads a fan.

The page draws the terminal with xterm.js on a canvas, so there is no text in the DOM to read.
The test reads what xterm.js displays from its own buffer: an init script catches the page's
`Terminal` object as xterm's addons receive it (`addon._terminal = terminal`), without changing
a byte of what the server sends. It skips when chromium is missing, except under CI.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmconsole.wiring import open_demo
from tests.served import ROOT, Served
from tests.test_pty import TIMEOUT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "docs" / "browser.png"  # shown in the README; see `_keep_screenshot`
# As the machine notes say: no sandbox as root, and none of chromium's background calls home.
INBOX = "On shift now:"  # the alias screen's banner, above its inbox
TO_READ = "(window.cmScreen().split('\\n').find(row => row.includes('Before you speak')) || '')"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Runs in the page before textual-serve's script: keeps xterm's Terminal, and reads its screen.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "_terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && value.buffer.active && !window.cmTerminal) {
      window.cmTerminal = value;
    }
    Object.defineProperty(this, "_terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
window.cmScreen = () => {
  const terminal = window.cmTerminal;
  if (!terminal) return "";
  const buffer = terminal.buffer.active, rows = [];
  for (let row = 0; row < terminal.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
};
"""


def _needs(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the browser test must run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        _needs(f"Debian's chromium is not installed ({CHROMIUM}): apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _needs("Playwright for Python is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    """The demo console (its title says so, not a temporary path) served on a seeded copy."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    services, _ = open_demo(url)
    services.close()
    server = Served(tmp_path, "serve", "--demo", "--db", url)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.close()


def _page(browser, served: Served):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    # Nothing leaves the machine: the page asks Google for a font, which is refused here.
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(served.url) else route.abort()
        ),
    )
    page.add_init_script(CATCH_TERMINAL)
    page.goto(served.url, wait_until="domcontentloaded")
    return page


def _screen(page) -> str:
    return str(page.evaluate("window.cmScreen()"))


def _shows(page, *texts: str) -> str:
    """Wait until the terminal shows every one of `texts`; return the screen."""
    try:
        page.wait_for_function(
            "texts => texts.every(text => window.cmScreen().includes(text))",
            arg=list(texts),
            timeout=TIMEOUT * 1000,
            polling=100,
        )
    except Exception as error:
        raise AssertionError(f"never shown: {texts!r}\n{_screen(page)}") from error
    return _screen(page)


def _shows_one_of(page, *texts: str) -> str:
    try:
        page.wait_for_function(
            "texts => texts.some(text => window.cmScreen().includes(text))",
            arg=list(texts),
            timeout=TIMEOUT * 1000,
            polling=100,
        )
    except Exception as error:
        raise AssertionError(f"none shown: {texts!r}\n{_screen(page)}") from error
    return _screen(page)


def test_the_lead_signs_in_in_a_browser_and_reads_a_fan(browser, served, tmp_path):
    page = _page(browser, served)
    _shows(page, "Sign in", "operator name", "passphrase")
    page.focus(".xterm-helper-textarea")  # the keyboard goes to the terminal
    page.keyboard.type("lea")
    _shows(page, "lea ")
    page.keyboard.press("Enter")
    page.keyboard.type("lead-demo-pass")
    page.keyboard.press("Enter")
    # The home lists the lead's aliases once loaded, most urgent first, and focuses them.
    home = _shows(page, "Signed in as lea. Speak as:", "@acmehelp  Acme Support", "@bellehelene")

    # Another browser gets a console of its own, at its sign-in screen: nothing is shared.
    other = _page(browser, served)
    first = _shows(other, "Sign in", "operator name")
    assert "Signed in" not in first and "Speak as" not in first and "@kim_r" not in first
    other.close()

    if home.index("@bellehelene") < home.index("@acmehelp"):
        page.keyboard.press("ArrowDown")  # Acme Support is second: a tie in urgency
    page.keyboard.press("Enter")  # Acme Support
    # Before speaking, the lead reads what is waiting (a handover, the guide); then the inbox.
    # Its header counts what is left ("2 left to read · handover 3"); other lines tick.
    while "Before you speak" in _shows_one_of(page, "Before you speak", INBOX):
        before = page.evaluate(f"() => {TO_READ}")
        page.keyboard.press("Enter")  # "I have read it"
        page.wait_for_function(
            f"before => {TO_READ} !== before", arg=before, timeout=TIMEOUT * 1000, polling=100
        )
    # A fan's message, in the inbox the lead now answers from.
    screen = _shows(page, INBOX, "you: lea (lead)", "@kim_r", "@acmehelp Is the API down?")
    assert "Sign in" not in screen

    page.screenshot(path=str(tmp_path / "browser.png"))
    assert (tmp_path / "browser.png").stat().st_size > 10_000
    _keep_screenshot(tmp_path / "browser.png")
    page.close()


def _keep_screenshot(taken: Path) -> None:
    """The README's picture changes only when asked (its clock and waits differ every run)."""
    if os.environ.get("CMCONSOLE_UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(taken, SCREENSHOT)
