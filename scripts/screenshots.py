"""Screenshots of the demo at 390 × 844 (a phone), in Chinese, for docs/.

Serve the demo first (`make run`), then:

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [docs]

It logs in as the demo's county staff, township head, village head and volunteer with
Debian's Chromium, takes each one's home, the volunteer list and the open menu, and puts
four of them side by side in docs/screenshot.png (the README's picture).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "civic-demo-2026"
PHONE = {"width": 390, "height": 844}
SHOTS = [
    # (file, login, page, what to do first: "menu" opens it, "table" scrolls to the first table)
    ("phone-home-county.png", "county_staff", "/", ""),
    ("phone-home-township.png", "township_head", "/", ""),
    ("phone-home-village.png", "village_head", "/", ""),
    ("phone-home-volunteer.png", "13973010000", "/", ""),
    ("phone-volunteers.png", "county_staff", "/volunteers/", "table"),
    ("phone-menu.png", "township_head", "/volunteers/", "menu"),
]
SIDE_BY_SIDE = ["phone-home-county.png", "phone-home-township.png", "phone-home-volunteer.png", "phone-volunteers.png"]
GAP = 24
SCROLL_TO_TABLE = "scrollTo(0, document.querySelector('table').getBoundingClientRect().top + scrollY - 90)"


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            for name, login, path, first in SHOTS:
                context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", login)
                page.fill("input[name=password]", PASSWORD)
                page.click("main form button[type=submit]")
                page.wait_for_load_state("networkidle")
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                if first == "menu":
                    page.click("[data-menu]")
                elif first == "table":
                    page.evaluate(SCROLL_TO_TABLE)
                page.screenshot(path=str(out / name))
                context.close()
                print(out / name)
        finally:
            browser.close()
    shots = [Image.open(out / name) for name in SIDE_BY_SIDE]
    width = sum(shot.width for shot in shots) + GAP * (len(shots) + 1)
    height = max(shot.height for shot in shots) + 2 * GAP
    sheet = Image.new("RGB", (width, height), (236, 230, 222))
    x = GAP
    for shot in shots:
        sheet.paste(shot, (x, GAP))
        x += shot.width + GAP
    sheet.save(out / "screenshot.png", optimize=True)
    print(out / "screenshot.png")


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    main(base, Path(sys.argv[2] if len(sys.argv) > 2 else "docs"))
