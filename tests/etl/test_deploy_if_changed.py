"""The pipeline deploys sql/ only when it changed since the warehouse's last deploy."""

from __future__ import annotations

import shutil

import warehouse
from core.paths import SQL_ROOT
from etl.deploy import deploy_if_changed, sql_fingerprint


def test_the_first_run_deploys_the_next_skips_and_a_changed_sql_folder_deploys_again(tmp_path):
    with warehouse.connect(f"duckdb:///{(tmp_path / 'w.duckdb').as_posix()}") as engine:
        first = deploy_if_changed(engine)
        again = deploy_if_changed(engine)
        engine.execute("etl.RecordDeployment", sql_fingerprint="0" * 64, files_run=1)  # as if sql/ had changed since
        after_a_change = deploy_if_changed(engine)
        history = engine.query("SELECT sql_fingerprint, files_run FROM etl.deployment ORDER BY deployment_id;")
    assert (first.changed, again.changed, after_a_change.changed) == (True, False, True)
    assert first.files_run == len(list(SQL_ROOT.glob("schema/**/*.sql"))) + len(list(SQL_ROOT.glob("procedures/**/*.sql")))
    assert again.files_run == 0 and "unchanged" in again.summary()
    assert history["sql_fingerprint"].tolist() == [sql_fingerprint(), "0" * 64, sql_fingerprint()]


def test_the_fingerprint_follows_every_file_path_and_byte(tmp_path):
    copy = tmp_path / "sql"
    shutil.copytree(SQL_ROOT, copy)
    assert sql_fingerprint(copy) == sql_fingerprint(SQL_ROOT)
    procedure = copy / "procedures" / "etl" / "StartBatch.sql"
    procedure.write_text(procedure.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = sql_fingerprint(copy)
    procedure.rename(procedure.with_name("StartBatch2.sql"))
    assert len({sql_fingerprint(SQL_ROOT), changed, sql_fingerprint(copy)}) == 3
