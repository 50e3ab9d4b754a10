"""Configuration as data (dashboard/input_kinds.csv, input_columns.csv, kpis.csv): loaded at import into the same
InputKind, Column and Kpi objects the Python definitions were, and refused with the file, line and column when wrong."""

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from dashboard import config
from dashboard.config import INPUT_COLUMNS_FILE, INPUT_KINDS_FILE, ConfigFileError, load_input_kinds, load_kpis

# Captured once from the Python definitions the CSV files replaced (commit cdcd6d6): the SHA-256 of every kind's
# name, label, signature, key and every column's name, label, type, required, aliases and aux, in order.
BEFORE_CSV = "ac43feb4ff33c9726f738fc49cdf951b134204c8d9fc1785564a17a72a190b97"


def _canonical(kinds) -> str:
    return json.dumps([[k.name, k.label, list(k.signature), list(k.key), sorted(k.extra.items()),
                        [[c.name, c.label, c.type, c.required, list(c.aliases), c.aux] for c in k.columns]]
                       for k in kinds], ensure_ascii=False)


def test_loaded_kinds_equal_the_former_definitions():
    assert hashlib.sha256(_canonical(config.INPUT_KINDS).encode()).hexdigest() == BEFORE_CSV


def test_contract_names_and_counts():
    kinds = {k.name: k for k in config.INPUT_KINDS}
    assert list(kinds) == ["units", "unit_changes", "holidays", "procedures", "targets", "portal_results",
                           "par_index", "plan_tasks", "surveys", "petitions", "dossiers", "events"]
    assert sum(len(k.columns) for k in kinds.values()) == 92
    assert [c.name for c in kinds["dossiers"].columns if c.required] == [
        "dossier_id", "unit_code", "procedure_code", "field", "channel", "received_at", "due_at"]
    assert sum(c.aux for c in kinds["dossiers"].columns) == 8
    assert kinds["events"].key == ("start_date", "label", "unit_code")
    assert kinds["dossiers"].columns[1].aliases == ("don vi", "ma co quan")


def test_storage_orders_are_those_merge_staged_spelled():
    # the ORDER BY of each reference table's block in queries/merge_staged.sql before it became one rule
    assert {k.name: " ".join(k.order) for k in config.INPUT_KINDS} == {
        "units": "level unit_code", "targets": "year kpi scope", "surveys": "answered_at", "par_index": "year rank",
        "plan_tasks": "year area task_id", "holidays": "date", "petitions": "received_at",
        "portal_results": "period unit_code indicator", "procedures": "procedure_code", "events": "start_date label",
        "unit_changes": "effective_date old_code new_code", "dossiers": ""}


@pytest.fixture()
def copies(tmp_path):
    return Path(shutil.copy(INPUT_KINDS_FILE, tmp_path)), Path(shutil.copy(INPUT_COLUMNS_FILE, tmp_path))


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copies_load_alike(copies):
    assert load_input_kinds(*copies) == config.INPUT_KINDS


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    (1, "units,unit_code,Mã đơn vị,text,x", "units,unit_code,Mã đơn vị,texte,x",
     "input_columns.csv, dòng 2, cột type: 'texte'"),
    (1, "units,unit_name,Tên đơn vị,text,x", "units,unit_name,Tên đơn vị,text,yes",
     "input_columns.csv, dòng 3, cột required: 'x' hoặc trống"),
    (0, "holidays,Ngày nghỉ lễ,date name,date,date", "holidays,Ngày nghỉ lễ,date name,day,date",
     "input_kinds.csv, dòng 4, cột key: holidays không có cột day"),
    (0, "holidays,Ngày nghỉ lễ,date name,date,date", "holidays,Ngày nghỉ lễ,,date,date",
     "input_kinds.csv, dòng 4, cột signature: trống"),
    (0, "kind,label,signature", "kind,name,signature", "input_kinds.csv, dòng 1: tiêu đề phải là"),
    (1, "units,unit_kind,Loại đơn vị,enum,,,", "units,unit_code,Loại đơn vị,enum,,,",
     "input_columns.csv, dòng 4, cột column: 'unit_code' trùng trong units"),
    (0, "holidays,Ngày nghỉ lễ,date name,date,date,", "holiday,Ngày nghỉ lễ,date name,date,date,",
     "input_kinds.csv, dòng 4: 'holiday' không có cột nào"),
])
def test_a_wrong_schema_file_is_refused_with_file_line_and_column(copies, file, old, new, message):
    _edit(copies[file], old, new)
    with pytest.raises(ConfigFileError) as exc:
        load_input_kinds(*copies)
    assert message in str(exc.value)


# Captured once from the Python KPI catalogue that kpis.csv replaced (commit cdcd6d6): every field of every KPI.
KPIS_BEFORE_CSV = "fba63e12bd273c0b6b60b14ce9e76f7d61ed7f85dcbac2b495b62f1c31fae0e1"


def test_loaded_kpis_equal_the_former_catalogue():
    canonical = json.dumps([dataclasses.astuple(k) for k in config.KPIS], ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == KPIS_BEFORE_CSV
    assert [k.name for k in config.KPIS if not k.card] == ["portal_on_time_rate"]
    assert config.KPI_BY_NAME["par_index_rank"].margin == 2 and config.KPI_BY_NAME["on_time_rate"].weekly


@pytest.mark.parametrize(("old", "new", "message"), [
    (",0.03,x,satisfaction,", ",3%,x,satisfaction,", "kpis.csv, dòng 3, cột margin: '3%' không phải là số"),
    (",0.03,x,satisfaction,", ",0.03,có,satisfaction,", "kpis.csv, dòng 3, cột by_unit: 'x' hoặc trống"),
])
def test_a_wrong_kpi_file_is_refused_with_line_and_column(tmp_path, old, new, message):
    path = Path(shutil.copy(config.KPIS_FILE, tmp_path))
    _edit(path, old, new)
    with pytest.raises(ConfigFileError) as exc:
        load_kpis(path)
    assert message in str(exc.value)
