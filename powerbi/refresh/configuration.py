"""From CIP_POWERBI_* settings to a refresh client; whether those settings are complete."""

from __future__ import annotations

import logging
from typing import Any

from core.settings import Settings
from powerbi.refresh.auth import ServicePrincipalToken
from powerbi.refresh.client import RefreshClient

# the settings a refresh needs, with the environment variable that sets each
REQUIRED = {
    "powerbi_tenant_id": "CIP_POWERBI_TENANT_ID",
    "powerbi_client_id": "CIP_POWERBI_CLIENT_ID",
    "powerbi_client_secret": "CIP_POWERBI_CLIENT_SECRET",
    "powerbi_workspace_id": "CIP_POWERBI_WORKSPACE_ID",
    "powerbi_dataset_id": "CIP_POWERBI_DATASET_ID",
}


def missing_settings(settings: Settings) -> list[str]:
    """The CIP_POWERBI_* variables a refresh needs that are empty."""
    missing = []
    for name, variable in REQUIRED.items():
        value = getattr(settings, name)
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        if not str(text or "").strip():
            missing.append(variable)
    return missing


def is_configured(settings: Settings) -> bool:
    return not missing_settings(settings)


def not_configured_message(settings: Settings) -> str:
    missing = missing_settings(settings)
    if not missing:
        return ""
    return f"Power BI is not configured (set {', '.join(missing)}); nothing was refreshed"


def client_from_settings(settings: Settings, *, logger: logging.Logger | logging.LoggerAdapter | None = None, **overrides: Any) -> RefreshClient:
    """A refresh client for the configured dataset; `overrides` go to `RefreshClient` (pacing, clock...)."""
    missing = missing_settings(settings)
    if missing:
        raise ValueError(not_configured_message(settings))
    verify = str(settings.powerbi_ca_bundle) if settings.powerbi_ca_bundle else True
    token = ServicePrincipalToken(
        settings.powerbi_tenant_id,
        settings.powerbi_client_id,
        settings.powerbi_client_secret,
        authority_host=settings.powerbi_authority_host,
        verify=verify,
    )
    options: dict[str, Any] = dict(
        api_url=settings.powerbi_api_url,
        workspace_id=settings.powerbi_workspace_id,
        dataset_id=settings.powerbi_dataset_id,
        token=token,
        refresh_type=settings.powerbi_refresh_type,
        timeout_seconds=settings.powerbi_refresh_timeout_seconds,
        verify=verify,
    )
    if logger is not None:
        options["logger"] = logger
    return RefreshClient(**(options | overrides))
