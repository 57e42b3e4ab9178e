"""Playwright driving Debian's Chromium (scripts/ensure-chromium.sh), for tests/browser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page

#: Where the README's screenshots live; tests write there only with CROUPIER_SCREENSHOTS=1.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_executable() -> str | None:
    """The Chromium to drive: CROUPIER_CHROMIUM, else Debian's ``chromium`` on the PATH."""
    return os.environ.get("CROUPIER_CHROMIUM") or shutil.which("chromium")


def screenshot(page: Page, name: str, tmp_dir: Path) -> Path:
    """A PNG of the page: into docs/screenshots/ when CROUPIER_SCREENSHOTS=1 (to refresh the
    README's pictures), else into ``tmp_dir`` (every run still renders it)."""
    folder = SCREENSHOTS if os.environ.get("CROUPIER_SCREENSHOTS") == "1" else tmp_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
