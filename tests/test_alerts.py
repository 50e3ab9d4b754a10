"""Threshold alerts: rules as data, evaluated after every import; one mail per crossing with the list as Excel, no
repeat while still crossed, a new mail after recovery and a new crossing (a real SMTP server on 127.0.0.1)."""
import io
import json
import shutil

import pytest
from conftest import cchc
from openpyxl import load_workbook
from smtp_sink import smtp_sink

from dashboard.alerts import AlertError, load_rules

HEAD = "dossier_id,unit_code,procedure_code,field,channel,received_at,due_at,completed_at,status,handler,updated_at\n"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    """A small demo city (4.000 dossiers): every import here republishes, so a small file keeps them quick."""
    import datetime as dt

    from dashboard.demo.build import build_demo

    db = tmp_path_factory.mktemp("alerts") / "small.duckdb"
    build_demo(db, n_dossiers=4000, as_of=dt.date(2026, 11, 20), city="legacy")
    return db


def _csv(path, ids, completed=False):
    rows = [f"{i},W08,2.000815,Chứng thực,truc_tiep,2026-10-01 08:00,2026-10-05 17:00,"
            f"{'2026-11-20 09:00' if completed else ''},{'da_giai_quyet' if completed else 'dang_xu_ly'},"
            f"Trần Mỹ Lan,2026-11-20 {'10' if completed else '09'}:30\n" for i in ids]
    path.write_text(HEAD + "".join(rows), encoding="utf-8")
    return str(path)


def _overdue_w08(db) -> int:
    """As `cchc report quarterly --period 2026-Q4 --unit W08` counts it (in-process: the same functions)."""
    from dashboard.db import Database
    from dashboard.metrics.form import quarterly_form
    from dashboard.metrics.period import Period
    from dashboard.reader import Reader

    reader = Reader(Database(db).snapshot())
    return quarterly_form(reader, Period.parse("2026-Q4").clipped(reader.as_of.date()), unit="W08")["total"][
        "pending_overdue"]


def _ingest(db, path):
    from dashboard.ingest.load import ingest

    (r,) = ingest([path], db)
    assert r.rejected == 0 and r.accepted == r.rows_read


def _sheet_ids(msg) -> list[str]:
    (xlsx,) = [p for p in msg.iter_attachments() if p.get_filename().endswith(".xlsx")]
    ws = load_workbook(io.BytesIO(xlsx.get_content()), read_only=True).active
    return [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]


def test_overdue_alert_fires_once_per_crossing(small_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_SMTP_BACKOFF", "0.05")
    db = tmp_path / "demo.duckdb"
    shutil.copy(small_db, db)
    n0 = _overdue_w08(db)
    with smtp_sink() as (port, sink):
        cchc("settings", "smtp_host=127.0.0.1", f"smtp_port={port}", "mail_from=cchc@tayninh.example", db=db)
        (tmp_path / "alerts.toml").write_text(
            f'[[rule]]\nid = "qua-han-w08"\nkind = "overdue_above"\nunit = "W08"\nmax = {n0 + 1}\n'
            'to = ["ct.binhminh@tayninh.example"]\n', encoding="utf-8")
        r = cchc("alerts", "check", db=db)
        assert "đã gửi 0" in r.stdout.decode() and sink.messages == []  # n0 ≤ max: not crossed

        _ingest(db, _csv(tmp_path / "a.csv", ["TEST-A1", "TEST-A2"]))  # n0 + 2 > max: crosses
        assert _overdue_w08(db) == n0 + 2 and len(sink.messages) == 1
        msg = sink.messages[0]
        assert "Hồ sơ quá hạn vượt" in msg["Subject"] and f"{n0 + 2} hồ sơ quá hạn" in msg["Subject"]
        ids = _sheet_ids(msg)
        assert len(ids) == n0 + 2 and {"TEST-A1", "TEST-A2"} <= set(ids)

        _ingest(db, _csv(tmp_path / "b.csv", ["TEST-B1"]))  # still crossed (n0 + 3): no repeat
        assert _overdue_w08(db) == n0 + 3 and len(sink.messages) == 1
        _ingest(db, _csv(tmp_path / "c.csv", ["TEST-A1", "TEST-A2", "TEST-B1"], completed=True))
        assert _overdue_w08(db) == n0 and len(sink.messages) == 1  # recovered: no mail
        listed = json.loads(cchc("alerts", "list", "--format", "json", db=db).stdout)
        assert listed[0]["crossings"]["W08"]["state"] == "ok"

        _ingest(db, _csv(tmp_path / "d.csv", ["TEST-D1", "TEST-D2"]))  # crosses again: a new mail
        assert len(sink.messages) == 2 and {"TEST-D1", "TEST-D2"} <= set(_sheet_ids(sink.messages[1]))
    audit = json.loads(cchc("audit", "--format", "json", db=db).stdout)
    assert [a["rule"] for a in audit if a["event"] == "alert_sent"] == ["qua-han-w08"] * 2


def test_unsent_alert_is_retried_by_the_next_evaluation(small_db, tmp_path, monkeypatch):
    from smtp_sink import free_port

    monkeypatch.setenv("CCHC_SMTP_BACKOFF", "0.05")
    db = tmp_path / "demo.duckdb"
    shutil.copy(small_db, db)
    (tmp_path / "alerts.toml").write_text(
        '[[rule]]\nid = "ke-hoach"\nkind = "kpi_below"\nkpi = "plan_completion_rate"\nto = ["ct@tayninh.example"]\n'
        '[[rule]]\nid = "sap-den-han"\nkind = "early_warning"\nhandler = "Trần Mỹ Lan"\nat = "07:00"\n'
        'to = ["ct@tayninh.example"]\n', encoding="utf-8")
    kpis = json.loads(cchc("kpi", "--period", "2026-Q4", db=db).stdout)
    plan = next(r for r in kpis if r["kpi"] == "plan_completion_rate" and r["unit_code"] == "ALL")
    assert plan["status"] in ("at_risk", "missed")  # the demo's plan is behind: the rule is crossed
    r = cchc("alerts", "check", "--now", "2026-11-24T06:59", "--smtp", f"127.0.0.1:{free_port()}", db=db, check=False)
    assert r.returncode == 1 and "kết nối bị từ chối" in r.stdout.decode() and "lỗi 1" in r.stdout.decode()
    with smtp_sink() as (port, sink):
        r = cchc("alerts", "check", "--now", "2026-11-24T06:59", "--smtp", f"127.0.0.1:{port}", db=db)
        assert len(sink.messages) == 1 and "kế hoạch" in sink.messages[0]["Subject"].lower()
        rows = _sheet_ids(sink.messages[0])
        assert rows[0] == "ALL" and "W08" in rows  # the KPI per unit, city first
        cchc("alerts", "check", "--now", "2026-11-24T07:00", "--smtp", f"127.0.0.1:{port}", db=db)
        at_risk = json.loads(cchc("at-risk", "--as-of", "2026-11-20T18:00", db=db).stdout)
        mine = [d["dossier_id"] for d in at_risk if d["handler"] == "Trần Mỹ Lan"]
        assert len(sink.messages) == (2 if mine else 1)  # the handler's early warning only from 07:00
        if mine:
            assert sorted(_sheet_ids(sink.messages[1])) == sorted(mine)


def test_bad_rules_are_refused_with_file_and_rule_number(tmp_path):
    db = tmp_path / "cchc.duckdb"
    for body, needle in [('[[rule]]\nkind = "nope"\nto = ["a@b.vn"]\n', "kind"),
                         ('[[rule]]\nkind = "overdue_above"\nmax = -1\nto = ["a@b.vn"]\n', "max"),
                         ('[[rule]]\nkind = "kpi_below"\nkpi = "x"\nto = ["a@b.vn"]\n', "kpi"),
                         ('[[rule]]\nkind = "early_warning"\nat = "25:00"\nto = ["a@b.vn"]\n', "at"),
                         ('[[rule]]\nkind = "early_warning"\nto = ["nobody"]\n', "to"),
                         ("[[rule]\n", "không đọc được")]:
        (tmp_path / "alerts.toml").write_text(body, encoding="utf-8")
        with pytest.raises(AlertError) as exc:
            load_rules(db)
        # the page's message names the rule and the reason; the command line's hint, the file
        assert needle in str(exc.value) and "alerts.toml" not in str(exc.value), body
        assert exc.value.cli_hint == str(tmp_path / "alerts.toml") and "alerts.toml" in exc.value.for_cli()


def test_the_smtp_starttls_setting_upgrades_the_alerts_send(small_db, tmp_path, monkeypatch):
    """The in-process sibling of test_digest.py's smtp_starttls test (the digest prints its PDF with Chromium: a
    browser test): the same settings through `cchc alerts check`: smtp_starttls=1 sends over STARTTLS (a server that
    requires it, its CA trusted through CCHC_SMTP_CAFILE), 0 (the default) plain; other values are refused."""
    import ssl

    import trustme

    from dashboard import mail

    ca = trustme.CA()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("CCHC_SMTP_CAFILE", str(tmp_path / "ca.pem"))
    assert mail.server_from({"smtp_host": "h", "smtp_port": "25", "smtp_starttls": "0"}).starttls is False
    assert mail.server_from({"smtp_host": "h", "smtp_port": "25", "smtp_starttls": "1"}).starttls is True
    assert mail.server_from({"smtp_host": "h", "smtp_port": "25"}, starttls=True).starttls is True
    db = tmp_path / "demo.duckdb"
    shutil.copy(small_db, db)
    r = cchc("settings", "smtp_starttls=yes", db=db, check=False)
    assert r.returncode != 0 and "smtp_starttls: 1 (dùng STARTTLS) hoặc 0" in r.stderr.decode()
    rule = '[[rule]]\nid = "{}"\nkind = "kpi_below"\nkpi = "plan_completion_rate"\nto = ["ct@tayninh.example"]\n'
    (tmp_path / "alerts.toml").write_text(rule.format("ke-hoach"), encoding="utf-8")  # crossed: the plan is behind
    with smtp_sink(tls_context=ctx) as (port, sink):
        cchc("settings", "smtp_host=127.0.0.1", f"smtp_port={port}", "smtp_starttls=1",
             "mail_from=cchc@tayninh.example", db=db)
        assert "đã gửi 1" in cchc("alerts", "check", "--now", "2026-11-24T06:59", db=db).stdout.decode()
    assert sink.tls == [True] and len(sink.messages) == 1 and "kế hoạch" in sink.messages[0]["Subject"].lower()
    with smtp_sink() as (port, sink):  # 0: plain SMTP (this server offers no STARTTLS); a rule crossed anew
        cchc("settings", f"smtp_port={port}", "smtp_starttls=0", db=db)
        (tmp_path / "alerts.toml").write_text(rule.format("ke-hoach-2"), encoding="utf-8")
        assert "đã gửi 1" in cchc("alerts", "check", "--now", "2026-11-24T06:59", db=db).stdout.decode()
    assert sink.tls == [False] and len(sink.messages) == 1
