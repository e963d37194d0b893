"""Screenshot built pages in Debian's Chromium: `python scripts/screenshot.py OUT page.html[#anchor]…`.

Used by developers to look at what the handbook shows a reader (light, dark, phone width).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


def main(out: str, pages: list[str], width: int = 1280, scheme: str = "light", full: bool = True) -> None:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
        for spec in pages:
            path, _, hover = spec.partition("@")
            url = Path(path.split("#")[0]).resolve().as_uri() + ("#" + path.split("#")[1] if "#" in path else "")
            page.goto(url)
            if hover:
                page.hover(hover)
            name = Path(path.split("#")[0]).stem + f"-{scheme}-{width}.png"
            page.screenshot(path=str(target / name), full_page=full and not hover)
            print(target / name)
        browser.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    width = int(args.pop(0)[8:]) if args and args[0].startswith("--width=") else 1280
    scheme = args.pop(0)[9:] if args and args[0].startswith("--scheme=") else "light"
    main(args[0], args[1:], width, scheme)
