"""Screenshots of every page at 1920×1080, 1280×720 and 390×844 in Debian's chromium, for a person to look at:
`python -m bench.screens --base http://127.0.0.1:8050 --user chutich --out test-artifacts/screens`."""

from __future__ import annotations

import argparse
from pathlib import Path

PATHS = ["/", "/don-vi", "/ho-so-tre-han", "/bao-cao-quy", "/chi-tieu", "/phan-tich", "/trinh-chieu"]
SIZES = [(1920, 1080), (1280, 720), (390, 844)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8050")
    ap.add_argument("--user", default="chutich")
    ap.add_argument("--out", default="test-artifacts/screens")
    ap.add_argument("--query", default="period=2026-Q3")
    ap.add_argument("--paths", nargs="*", default=PATHS)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from dashboard.auth import DEMO_PASSWORDS

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for w, h in SIZES:
            ctx = b.new_context(viewport={"width": w, "height": h}, locale="vi-VN")
            p = ctx.new_page()
            p.goto(a.base + "/dang-nhap")
            p.fill("#username", a.user)
            p.fill("#password", DEMO_PASSWORDS[a.user])
            p.click("#login-submit")
            p.wait_for_url(lambda u: "/dang-nhap" not in u)
            for path in a.paths:
                p.goto(a.base + path + ("&" if "?" in path else "?") + a.query)
                p.wait_for_selector(".page")
                p.wait_for_load_state("networkidle")
                name = (path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "tong-quan")
                p.screenshot(path=str(out / f"{name}-{w}x{h}.png"), full_page=False)
            ctx.close()
        b.close()


if __name__ == "__main__":
    main()
