"""PDF export: page count, Vietnamese text extractable, fonts embedded, the same numbers as the CLI."""
import json
import shutil
import subprocess

import pytest
from conftest import cchc
from pypdf import PdfReader

pytestmark = pytest.mark.browser  # the PDF is the deck page printed by Chromium


def _text(pdf) -> str:
    """Text as a reader extracts it (poppler; pypdf spaces out words whose glyphs span font subsets)."""
    assert shutil.which("pdftotext"), "make test installs poppler-utils"
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()


def test_deck_pdf_pages_text_fonts_and_png(demo_db, tmp_path):
    out = tmp_path / "deck.pdf"
    r = cchc("export", "deck", "--period", "2026-Q3", "--out", str(out), db=demo_db)
    assert "9 trang" in r.stdout.decode()  # no map slide: the legacy town has neither boundaries nor catalogue codes
    reader = PdfReader(out)
    assert len(reader.pages) == 9
    text = _text(out)
    for phrase in ("Tổng quan", "Tỷ lệ hồ sơ giải quyết đúng hạn", "Tỷ lệ hài lòng của người dân", "Hồ sơ trễ hạn",
                   "Kế hoạch CCHC", "Quý 3/2026", "Dữ liệu đến"):
        assert phrase in text, phrase
    fonts = {f["/BaseFont"] for page in reader.pages for f in
             (page["/Resources"].get("/Font") or {}).values() if "/BaseFont" in f.get_object()
             for f in [f.get_object()]}
    assert any("BeVietnamPro" in str(f) for f in fonts), fonts
    assert shutil.which("pdftoppm"), "make test installs poppler-utils"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "pg")], check=True)
    assert len(list(tmp_path.glob("pg-*.png"))) == 9
    assert "Bản đồ phường, xã" not in text and "Chưa có toạ độ" not in text


def test_one_page_pdf_prints_filters_and_cli_numbers(demo_db, tmp_path):
    out = tmp_path / "tong-quan.pdf"
    cchc("export", "pdf", "--period", "2026-Q3", "--unit", "W08", "--out", str(out), db=demo_db)
    assert len(PdfReader(out).pages) == 1
    text = _text(out)
    assert "Bộ lọc: kỳ 2026-Q3" in text and "Xã Bình Minh" in text
    kpis = json.loads(cchc("kpi", "--period", "2026-Q3", "--unit", "W08", db=demo_db).stdout)
    on_time = next(r["actual"] for r in kpis if r["kpi"] == "on_time_rate" and r["unit_code"] == "W08")
    assert f"{on_time * 100:.2f}%".replace(".", ",") in text


def test_export_refuses_unknown_unit(demo_db, tmp_path):
    r = cchc("export", "pdf", "--period", "2026-Q3", "--unit", "NOPE", "--out", str(tmp_path / "x.pdf"), db=demo_db,
             check=False)
    assert r.returncode != 0 and "NOPE" in r.stderr.decode()


def test_deck_as_a_ward_user_holds_only_that_ward(demo_db, tmp_path):
    """The PDF is rendered through the same scoped data layer as the screen: exported as a ward's account it
    shows that ward and no other; another ward's unit is refused before anything is printed."""
    from dashboard.auth import UserStore

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    UserStore(tmp_path / "users.json").add("p8", "don_vi", "mat-khau-p8!", units=["W08"])
    refused = cchc("export", "pdf", "--period", "2026-Q3", "--unit", "W03", "--as", "p8", "--out",
                   str(tmp_path / "x.pdf"), db=db, check=False)
    assert refused.returncode == 2 and "ngoài phạm vi" in refused.stderr.decode()
    out = tmp_path / "phuong.pdf"
    cchc("export", "deck", "--period", "2026-Q3", "--as", "p8", "--out", str(out), db=db)
    text = _text(out)
    assert "Xã Bình Minh" in text
    others = ["Phường 3", "Xã Thạnh Tân", "Phường Ninh Sơn", "Phòng Tài nguyên và Môi trường", "Xã Tân Bình"]
    assert not [o for o in others if o in text]
    full = tmp_path / "thanh-pho.pdf"
    cchc("export", "deck", "--period", "2026-Q3", "--out", str(full), db=db)
    assert [o for o in others if o in _text(full)]  # the same deck for the city names other units


TWO_PDFS = """
import json, sys, urllib.error, urllib.request
from pathlib import Path
from dashboard import app as app_module, export_pdf
from dashboard.auth import SYSTEM
from dashboard.db import Database
from dashboard.metrics.period import Period
from dashboard.reader import Reader
from dashboard.security import INTERNAL_HEADER

built = []
create_app = app_module.create_app
app_module.create_app = lambda *a, **k: built.append(1) or create_app(*a, **k)
db, out = Path(sys.argv[1]), Path(sys.argv[2])
period = Period.parse("2026-Q3")
pages = [export_pdf.export_pdf(db, "pdf", period, unit, out / f"{unit}.pdf") for unit in ("W08", "W03")]
printer = export_pdf._printer(db)

def status(token):
    req = urllib.request.Request(printer.base + "/chi-tieu", headers={INTERNAL_HEADER: token})
    try:
        return urllib.request.urlopen(req).geturl()
    except urllib.error.HTTPError as exc:
        return exc.code

token = printer.passes.grant(SYSTEM)
granted = status(token)
printer.passes.revoke(token)
print(json.dumps({"pages": pages, "apps": len(built), "granted": granted, "revoked": status(token)}))
"""


def test_pdfs_of_one_process_share_one_app_and_its_tokens_expire(demo_db, tmp_path):
    """The second PDF of a process (the "Tải PDF" button, a digest per subscription) reuses the export's app and
    server; a token opens its pages only while its export runs."""
    import sys

    from harness import ROOT

    r = subprocess.run([sys.executable, "-c", TWO_PDFS, str(demo_db), str(tmp_path)], capture_output=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr.decode()[-3000:]
    got = json.loads(r.stdout.decode().strip().splitlines()[-1])
    assert got["pages"] == [1, 1] and got["apps"] == 1, got
    assert got["granted"].endswith("/chi-tieu"), got  # served to the token's holder
    assert "/dang-nhap" in str(got["revoked"]) or got["revoked"] == 401, got  # revoked: sent to the sign-in page
    assert "Xã Bình Minh" in _text(tmp_path / "W08.pdf") and "Phường 3" in _text(tmp_path / "W03.pdf")
