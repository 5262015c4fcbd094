"""Configuration from environment variables (prefix ``CIP_``) and a ``.env`` file.

Every setting is documented in ``.env.example``. Command-line options and flow parameters
override these values. There is one way to build settings: `load_settings(**overrides)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import UserError
from core.paths import BUNDLED_DATA, FABRIC_SCHEMAS

SUPPORTED_WAREHOUSE_SCHEMES = ("duckdb", "mssql+pyodbc")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIP_", env_file=".env", extra="ignore")

    inputs: list[Path] = Field(
        default_factory=lambda: [BUNDLED_DATA],
        description="Raw export files to ingest (JSON list in the environment).",
    )
    work_dir: Path = Field(Path(".cip"), description="Working folder for the embedded warehouse and intermediate files.")
    warehouse_url: str = Field("", description="SQLAlchemy URL of the warehouse; empty means an embedded DuckDB file in work_dir.")
    landing_dir: Path = Field(Path("landing"), description="Landing folder: drops of raw export files, each loaded once (by content hash).")
    output_dir: Path = Field(Path("output"), description="Where reports and extracts are written.")
    chunk_rows: int = Field(100_000, ge=1_000, description="Rows read and cleaned at a time; bounds memory use.")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")

    # Power BI: the refresh is configured when tenant, client, secret, workspace and dataset are all set.
    powerbi_tenant_id: str = Field("", description="Entra tenant (directory) id of the service principal.")
    powerbi_client_id: str = Field("", description="Application (client) id of the service principal.")
    powerbi_client_secret: SecretStr = Field(SecretStr(""), description="Client secret of the service principal.")
    powerbi_workspace_id: str = Field("", description="Power BI workspace (group) id holding the semantic model.")
    powerbi_dataset_id: str = Field("", description="Semantic model (dataset) id to refresh.")
    powerbi_refresh_type: Literal["standard", "enhanced"] = Field(
        "standard", description="standard (any capacity) or enhanced (Premium/PPU/Fabric: refresh id, type, commit mode)."
    )
    powerbi_refresh_timeout_seconds: int = Field(
        3600, ge=60, description="Give up waiting for the refresh after this long (the refresh itself is not cancelled)."
    )
    powerbi_authority_host: str = Field("https://login.microsoftonline.com", description="Entra authority host (sovereign clouds differ).")
    powerbi_api_url: str = Field("https://api.powerbi.com/v1.0/myorg", description="Power BI REST API base URL.")
    powerbi_ca_bundle: Path | None = Field(
        None, description="CA bundle for HTTPS to the identity and Power BI services (corporate proxies); empty = system default."
    )
    powerbi_schema_dir: Path = Field(
        FABRIC_SCHEMAS,
        description="Microsoft's fabric JSON schemas (the folder holding fabric/) for offline PBIR/PBIP validation; "
        "default: the copy in vendor/fabric-json-schemas.",
    )

    @field_validator("warehouse_url")
    @classmethod
    def _known_engine(cls, url: str) -> str:
        if url and not url.startswith(tuple(f"{s}://" for s in SUPPORTED_WAREHOUSE_SCHEMES)):
            raise ValueError(
                f"CIP_WAREHOUSE_URL / --warehouse must start with one of {', '.join(s + '://' for s in SUPPORTED_WAREHOUSE_SCHEMES)}; got {url!r}"
            )
        return url

    @field_validator("powerbi_ca_bundle", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("powerbi_schema_dir", mode="before")
    @classmethod
    def _empty_path_is_default(cls, value: object) -> object:
        return FABRIC_SCHEMAS if value in ("", None) else value

    @property
    def default_warehouse_file(self) -> Path:
        """The embedded DuckDB file used when no warehouse URL is set."""
        return self.work_dir / "warehouse.duckdb"

    @property
    def resolved_warehouse_url(self) -> str:
        """The warehouse URL, defaulting to an embedded DuckDB file under the working folder."""
        return self.warehouse_url or f"duckdb:///{self.default_warehouse_file.as_posix()}"


def load_settings(**overrides) -> Settings:
    """Settings from the environment and .env, with the overrides that are not None applied.

    An invalid value is a UserError naming the setting and where to fix it (the command line
    turns it into one line and exit code 2)."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise UserError(f"invalid setting - {problems}. Check the options, CIP_* variables and .env.") from exc
