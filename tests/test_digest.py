"""`cchc digest`: one e-mail received by a real SMTP server on 127.0.0.1 — subject, both bodies, the PDF — with the
figures of `cchc kpi` / `cchc report`, a ward recipient's scope, and a refused connection reported and audited."""
import io
import json
import shutil


import pytest
from conftest import cchc
from pypdf import PdfReader
from smtp_sink import free_port, smtp_sink

from dashboard.metrics.status import scorecard

BASE = "https://cchc.tayninh.example"
OTHERS = ["Phường 3", "Xã Thạnh Tân", "Phường Ninh Sơn", "Phòng Tài nguyên và Môi trường", "Xã Tân Bình"]


@pytest.fixture
def db(demo_db, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    cchc("settings", f"base_url={BASE}", "mail_from=cchc@tayninh.example", db=db)
    return db


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%".replace(".", ",")


def _parts(msg):
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    return text, html, pdfs


def _pdf_text(data: bytes) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


@pytest.mark.browser
def test_city_digest_received_with_cli_figures(db):
    kpis = json.loads(cchc("kpi", "--period", "2026-Q3", db=db).stdout)
    city = {r["kpi"]: r for r in kpis if r["unit_code"] == "ALL"}
    met, judged = scorecard(r["status"] for r in city.values())
    form = json.loads(cchc("report", "quarterly", "--period", "2026-Q3", db=db).stdout)["total"]
    with smtp_sink() as (port, sink):
        r = cchc("digest", "--period", "2026-Q3", "--to", "chutich@tayninh.example", "ct2@tayninh.example",
                 "--smtp", f"127.0.0.1:{port}", db=db)
        assert "Đã gửi" in r.stdout.decode()
    assert len(sink.messages) == 1 and sink.envelopes[0][1] == ["chutich@tayninh.example", "ct2@tayninh.example"]
    msg = sink.messages[0]
    assert msg["From"] == "cchc@tayninh.example"
    assert "Quý 3/2026" in msg["Subject"] and f"{met}/{judged} chỉ tiêu đạt" in msg["Subject"]
    assert judged == 8
    text, html, pdfs = _parts(msg)
    on_time = _pct(city["on_time_rate"]["actual"])
    icon = {"met": "✔", "at_risk": "▲", "missed": "✖"}[city["on_time_rate"]["status"]]
    assert f"{icon} Tỷ lệ hồ sơ giải quyết đúng hạn: {on_time}" in text
    assert on_time in html and "Tỷ lệ hồ sơ giải quyết đúng hạn" in html
    # the worst unit, linked into the dashboard at the configured base URL
    link = f"{BASE}/don-vi?period=2026-Q3&unit=W08&kpi=on_time_rate"
    assert "1. Xã Bình Minh:" in text and link in text
    assert f'<a href="{link.replace("&", "&amp;")}">Xã Bình Minh</a>' in html
    assert f"Hồ sơ đang quá hạn: {form['pending_overdue']} " in text
    assert f"Đã giải quyết trễ hạn: {form['resolved_late']} " in text
    assert "Sắp đến hạn:" in text and f"{BASE}/ho-so-tre-han?period=2026-Q3&view=overdue" in text
    assert len(pdfs) == 1
    pdf = pdfs[0].get_content()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert on_time in _pdf_text(pdf)


@pytest.mark.browser
def test_ward_recipient_gets_only_his_ward(db, tmp_path):
    from dashboard.auth import UserStore

    UserStore(tmp_path / "users.json").add("p8", "don_vi", "mat-khau-p8!", units=["W08"])
    kpis = json.loads(cchc("kpi", "--period", "2026-Q3", "--unit", "W08", db=db).stdout)
    w08 = next(r for r in kpis if r["kpi"] == "on_time_rate")
    with smtp_sink() as (port, sink):
        cchc("digest", "--period", "2026-Q3", "--to", "p8@tayninh.example", "--as", "p8",
             "--smtp", f"127.0.0.1:{port}", db=db)
    msg = sink.messages[0]
    assert "Xã Bình Minh" in msg["Subject"]
    text, html, pdfs = _parts(msg)
    pdf_text = _pdf_text(pdfs[0].get_content())
    assert "Xã Bình Minh" in pdf_text and _pct(w08["actual"]) in pdf_text
    assert not [o for o in OTHERS if o in pdf_text + text + html]
    assert "ĐƠN VỊ CÓ TỶ LỆ ĐÚNG HẠN THẤP NHẤT" not in text  # one ward: no ranking of others
    # a unit outside his scope is refused before anything is built
    r = cchc("digest", "--period", "2026-Q3", "--unit", "W03", "--to", "p8@tayninh.example", "--as", "p8",
             "--smtp", f"127.0.0.1:{port}", db=db, check=False)
    assert r.returncode == 2 and "W03" in r.stderr.decode()


@pytest.mark.browser
def test_refused_connection_is_retried_reported_and_audited(db, monkeypatch):
    monkeypatch.setenv("CCHC_SMTP_BACKOFF", "0.05")
    port = free_port()  # nothing listens there
    r = cchc("digest", "--period", "2026-Q3", "--to", "chutich@tayninh.example", "--smtp", f"127.0.0.1:{port}",
             db=db, check=False)
    err = r.stderr.decode()
    assert r.returncode == 1 and "kết nối bị từ chối" in err and "3 lần thử" in err, err
    audit = json.loads(cchc("audit", "--format", "json", db=db).stdout)
    failed = [a for a in audit if a["event"] == "digest_failed"]
    assert len(failed) == 1 and failed[0]["attempts"] == 3 and failed[0]["server"] == f"127.0.0.1:{port}"
    assert failed[0]["period"] == "2026-Q3" and failed[0]["recipients"] == 1
    assert not [a for a in audit if a["event"] == "digest_sent"]


def test_transient_refusal_is_retried_then_delivered(monkeypatch):
    """A 451 (try later) is retried with a pause; the third attempt goes through. A 550 is not retried."""
    from dashboard import mail

    pauses = []
    with smtp_sink() as (port, sink):
        answers = iter(["451 4.3.0 busy", "451 4.3.0 busy"])
        orig = type(sink).handle_DATA

        async def flaky(self, server, session, envelope):
            nxt = next(answers, None)
            return nxt if nxt else await orig(self, server, session, envelope)

        monkeypatch.setattr(type(sink), "handle_DATA", flaky)
        monkeypatch.setenv("CCHC_SMTP_BACKOFF", "1.5")
        msg = mail.new_message("Thử", "a@b.vn", ["c@d.vn"], "nội dung")
        assert mail.deliver(msg, mail.Server("127.0.0.1", port), sleep=pauses.append) == 3
        assert pauses == [1.5, 3.0] and len(sink.messages) == 1

        async def refuse(self, server, session, envelope):
            return "550 5.7.1 no"

        monkeypatch.setattr(type(sink), "handle_DATA", refuse)
        with pytest.raises(mail.MailError) as exc:
            mail.deliver(msg, mail.Server("127.0.0.1", port), sleep=pauses.append)
        assert exc.value.attempts == 1 and "550" in str(exc.value) and pauses == [1.5, 3.0]


def test_digest_refuses_bad_input_in_one_line(db):
    for args, needle in [(["--to", "not-an-address"], "không hợp lệ"), (["--to", "a@b.vn", "--as", "nobody"], "nobody"),
                         (["--to", "a@b.vn", "--period", "2026-Q9"], "kỳ"), ([], "--to")]:
        r = cchc("digest", "--period", "2026-Q3", *args, "--smtp", "127.0.0.1:1", db=db, check=False,
                 process=False)  # refused before any app or PDF: in this process
        err = r.stderr.decode()
        assert r.returncode == 2 and needle in err and "Traceback" not in err, (args, err)


def test_mail_settings_are_checked_on_input(db):
    for pair, needle in [("smtp_port=abc", "smtp_port"), ("smtp_port=70000", "smtp_port"),
                         ("base_url=ftp://cchc", "base_url"), ("base_url=http://a b", "base_url")]:
        r = cchc("settings", pair, db=db, check=False)
        assert r.returncode == 2 and needle in r.stderr.decode(), pair
    out = cchc("settings", "smtp_host=mail.tayninh.example", "smtp_port=587", db=db).stdout.decode()
    assert "smtp_host=mail.tayninh.example" in out and "smtp_port=587" in out


@pytest.fixture
def tls_server():
    """A test CA (trustme) and a certificate it signed for 127.0.0.1: (server ssl context, the CA's PEM file)."""
    import ssl

    import trustme

    ca = trustme.CA()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    return ctx, ca


def test_starttls_delivers_over_tls_and_refuses_an_untrusted_certificate(tls_server, tmp_path, monkeypatch):
    """STARTTLS against a real aiosmtpd server on 127.0.0.1 that requires it: delivered encrypted when the CA is
    trusted (CCHC_SMTP_CAFILE); refused at once, with a clear message, when the certificate is not trusted."""
    from dashboard import mail

    ctx, ca = tls_server
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    other = tmp_path / "other-ca.pem"
    import trustme

    trustme.CA().cert_pem.write_to_path(str(other))
    msg = mail.new_message("Thử TLS", "a@b.vn", ["c@d.vn"], "nội dung")
    pauses = []
    with smtp_sink(tls_context=ctx) as (port, sink):
        server = mail.Server("127.0.0.1", port, starttls=True)
        for cafile in ("", str(other)):  # the system's CAs, another CA: neither signed the server's certificate
            monkeypatch.setenv("CCHC_SMTP_CAFILE", cafile)
            with pytest.raises(mail.MailError) as exc:
                mail.deliver(msg, server, sleep=pauses.append)
            assert exc.value.attempts == 1 and pauses == []  # not retried: a certificate does not get better
            assert "không tin được chứng chỉ của máy chủ thư" in str(exc.value) and "CCHC_SMTP_CAFILE" in str(exc.value)
        monkeypatch.setenv("CCHC_SMTP_CAFILE", str(tmp_path / "missing.pem"))
        with pytest.raises(mail.MailError, match="không phải là tệp"):
            mail.deliver(msg, server, sleep=pauses.append)
        monkeypatch.setenv("CCHC_SMTP_CAFILE", str(ca_file))
        with pytest.raises(mail.MailError) as exc:  # without STARTTLS this server refuses the mail
            mail.deliver(msg, mail.Server("127.0.0.1", port), sleep=pauses.append)
        assert "530" in str(exc.value) and not sink.messages
        assert mail.deliver(msg, server, sleep=pauses.append) == 1
    assert sink.tls == [True] and sink.messages[0]["Subject"] == "Thử TLS"


@pytest.mark.browser  # the digest carries the PDF printed by chromium
def test_cli_digest_starttls_arrives_over_tls(db, tls_server, tmp_path, monkeypatch):
    ctx, ca = tls_server
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("CCHC_SMTP_BACKOFF", "0.05")
    with smtp_sink(tls_context=ctx) as (port, sink):
        smtp = ["--to", "chutich@tayninh.example", "--smtp", f"127.0.0.1:{port}", "--starttls"]
        r = cchc("digest", "--period", "2026-Q3", *smtp, db=db, check=False)  # the CA is not trusted
        err = r.stderr.decode()
        assert r.returncode == 1 and "không tin được chứng chỉ" in err and "1 lần thử" in err, err
        assert "Traceback" not in err and not sink.messages
        monkeypatch.setenv("CCHC_SMTP_CAFILE", str(ca_file))
        r = cchc("digest", "--period", "2026-Q3", *smtp, db=db)
        assert "Đã gửi" in r.stdout.decode()
    assert sink.tls == [True] and "Quý 3/2026" in sink.messages[0]["Subject"]
    audit = json.loads(cchc("audit", "--format", "json", db=db).stdout)
    assert [a["event"] for a in audit if a["event"].startswith("digest_")] == ["digest_sent", "digest_failed"]


@pytest.mark.browser  # the digest prints its PDF with chromium; in-process sibling: test_alerts.py's starttls test
def test_the_smtp_starttls_setting_upgrades_every_send(db, tls_server, tmp_path, monkeypatch):
    """smtp_starttls=1 in the settings: the digest without --starttls (as `cchc digest --due` and the page's test
    send call it) and the alerts' server both go over TLS; 0 (the default) does not; other values are refused."""
    from dashboard import mail

    ctx, ca = tls_server
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("CCHC_SMTP_CAFILE", str(ca_file))
    assert mail.server_from({"smtp_host": "h", "smtp_port": "25", "smtp_starttls": "0"}).starttls is False
    assert mail.server_from({"smtp_host": "h", "smtp_port": "25", "smtp_starttls": "1"}).starttls is True
    assert mail.server_from({"smtp_host": "h", "smtp_port": "25"}, starttls=True).starttls is True
    r = cchc("settings", "smtp_starttls=yes", db=db, check=False)
    assert r.returncode != 0 and "smtp_starttls: 1 (dùng STARTTLS) hoặc 0" in r.stderr.decode()
    with smtp_sink(tls_context=ctx) as (port, sink):
        cchc("settings", "smtp_host=127.0.0.1", f"smtp_port={port}", "smtp_starttls=1", db=db)
        r = cchc("digest", "--period", "2026-Q3", "--to", "chutich@tayninh.example", db=db)
        assert "Đã gửi" in r.stdout.decode()
    assert sink.tls == [True]
