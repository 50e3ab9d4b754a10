"""The "Tải PDF" button: the one-page overview printed through the signed-in reader's own scope."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser


def _text(data: bytes) -> str:
    assert shutil.which("pdftotext"), "make test installs poppler-utils"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(["pdftotext", "-layout", fh.name, "-"], capture_output=True, check=True).stdout.decode()


def test_ward_reader_downloads_its_own_overview_pdf(new_page):
    w = new_page("phuong")  # the demo ward account: W08, Xã Bình Minh
    p = w.goto("/?period=2026-Q3")
    link = p.locator("#pdf-button")
    assert link.inner_text().strip().endswith("Tải PDF")
    with p.expect_download(timeout=90_000) as dl:
        link.click()
    data = Path(dl.value.path()).read_bytes()
    assert data[:5] == b"%PDF-" and len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _text(data)
    assert "Xã Bình Minh" in text and "Quý 3/2026" in text
    assert "Thành phố Tây Ninh" not in text.split("Bộ lọc")[0]  # a ward's PDF is about the ward
    # another ward through the same button's address: refused
    r = p.request.get(w.base + "/tai-pdf?kind=pdf&period=2026-Q3&unit=W03")
    assert r.status == 403
    r = p.request.get(w.base + "/tai-pdf?kind=xls")
    assert r.status == 400


def test_deck_pdf_button_one_page_per_slide_in_the_ward_scope(new_page):
    """The deck's own "Tải PDF": the whole deck, one PDF page per slide, each naming the ward (the reader's
    scope), and a ward's deck never shows the city or another ward."""
    w = new_page("phuong")
    p = w.goto("/trinh-chieu?period=2026-Q3&slide=4")
    slides = int(p.locator("#deck").get_attribute("data-count"))
    link = p.locator(".deck-controls #pdf-button")
    assert link.inner_text().strip().endswith("Tải PDF")
    assert "kind=deck" in link.get_attribute("href") and "unit=W08" in link.get_attribute("href")
    with p.expect_download(timeout=180_000) as dl:
        link.click()
    data = Path(dl.value.path()).read_bytes()
    assert data[:5] == b"%PDF-" and len(PdfReader(io.BytesIO(data)).pages) == slides == 9  # no map slide
    pages = _text(data).split("\f")[:slides]
    assert len(pages) == slides
    for i, text in enumerate(pages, start=1):
        assert "Xã Bình Minh · Quý 3/2026" in text, (i, text[:300])
        assert f"{i}/{slides}" in text, i
        assert "Thành phố Tây Ninh" not in text.split("Bộ lọc")[0], i
    assert "Phường 3" not in "".join(pages)  # another ward's name appears nowhere (ranking, late dossiers)
