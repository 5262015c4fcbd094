"""Where the project's own files are, wherever the command is run from."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_DATA = PROJECT_ROOT / "data" / "raw" / "online_retail.csv.gz"
SQL_ROOT = PROJECT_ROOT / "sql"  # schema/ and procedures/, deployed to both engines
POWERBI_PROJECT = PROJECT_ROOT / "powerbi"  # the PBIP folder
DOCS = PROJECT_ROOT / "docs"
# Microsoft's Fabric/Power BI JSON schemas (MIT), for validating the PBIP project offline
FABRIC_SCHEMAS = PROJECT_ROOT / "vendor" / "fabric-json-schemas"
