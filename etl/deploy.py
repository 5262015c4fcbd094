"""Deploy `sql/` to a warehouse only when it changed since the warehouse's last deploy.

Every pipeline run calls `deploy_if_changed`: the fingerprint of `sql/` (SHA-256 of every file's
path and content) is compared with the one `etl.RecordDeployment` stored at the last deploy, so
an unchanged warehouse costs one query instead of a deploy of every file. `cip sql deploy` (and
a DBA) deploys unconditionally.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from core.paths import SQL_ROOT
from warehouse.engine import Engine
from warehouse.errors import WarehouseError

LAST_FINGERPRINT = "SELECT TOP (1) d.sql_fingerprint AS sql_fingerprint FROM etl.deployment AS d ORDER BY d.deployment_id DESC;"


@dataclass(frozen=True)
class Deployment:
    """What `deploy_if_changed` did: how many files it ran (0 when sql/ was unchanged)."""

    fingerprint: str
    files_run: int
    changed: bool

    def summary(self) -> str:
        if not self.changed:
            return f"sql/ unchanged since the last deploy (fingerprint {self.fingerprint[:12]}): nothing to deploy"
        return f"{self.files_run} sql/ files run (fingerprint {self.fingerprint[:12]})"


def sql_fingerprint(sql_root: Path = SQL_ROOT) -> str:
    """SHA-256 over every .sql file under `sql_root`: its path (with /) and its bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(sql_root.rglob("*.sql")):
        digest.update(path.relative_to(sql_root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def deploy_if_changed(engine: Engine) -> Deployment:
    """Deploy sql/ unless the warehouse's last recorded deploy has the same fingerprint."""
    fingerprint = sql_fingerprint()
    if _last_fingerprint(engine) == fingerprint:
        return Deployment(fingerprint, 0, changed=False)
    files = engine.deploy()
    engine.execute("etl.RecordDeployment", sql_fingerprint=fingerprint, files_run=len(files))
    return Deployment(fingerprint, len(files), changed=True)


def _last_fingerprint(engine: Engine) -> str | None:
    try:
        rows = engine.query(LAST_FINGERPRINT)
    except WarehouseError:  # a new warehouse: no etl.deployment yet
        return None
    return None if rows.empty else str(rows["sql_fingerprint"].iloc[0])
