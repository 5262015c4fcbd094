"""JSON-schema validation of the PBIR/PBIP files against a local copy of Microsoft's schemas.

Every PBIR/PBIP JSON file names its schema in ``$schema``, a
``https://developer.microsoft.com/json-schemas/fabric/...`` URL. :class:`SchemaStore` loads every
schema file of the schema folder (the folder holding ``fabric/``, setting
``CIP_POWERBI_SCHEMA_DIR``) into one ``referencing.Registry``, each under the URL its path gives
and under its ``$id``, so the schemas' cross-file ``$ref``s resolve offline and nothing is ever
fetched from the network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing.exceptions
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from powerbi.validate.json_files import JsonDocument
from powerbi.validate.problem import Problem

SCHEMA_URL_PREFIX = "https://developer.microsoft.com/json-schemas/"
MAX_MESSAGE = 400


class SchemaNotFound(LookupError):
    """A schema URL with no local file."""

    def __init__(self, url: str, local_path: Path | None, reason: str = ""):
        self.url = url
        self.local_path = local_path
        where = f"looked for {local_path}" if local_path is not None else reason
        super().__init__(f"schema {url} is not available offline: {where}")


class SchemaStore:
    """The schemas under ``schema_dir`` (the folder holding ``fabric/``), by URL, and a compiled
    draft-07 validator per schema used."""

    def __init__(self, schema_dir: Path | str):
        self.schema_dir = Path(schema_dir)
        if not self.schema_dir.is_dir():
            raise FileNotFoundError(
                f"no JSON schema folder ({self.schema_dir}): set CIP_POWERBI_SCHEMA_DIR to a copy of "
                "https://github.com/microsoft/json-schemas (the folder holding fabric/)"
            )
        self.registry = _registry(self.schema_dir)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}

    def local_path(self, url: str) -> Path | None:
        """The file a schema URL maps to (whether or not it exists); None off the prefix."""
        if not url.startswith(SCHEMA_URL_PREFIX):
            return None
        relative = url[len(SCHEMA_URL_PREFIX) :].split("#", 1)[0]
        if not relative or ".." in Path(relative).parts:
            return None
        return self.schema_dir / relative

    def validator(self, url: str) -> jsonschema.protocols.Validator:
        """A draft-07 validator of the schema at ``url``; raises :class:`SchemaNotFound`."""
        url = url.split("#", 1)[0]
        if url not in self._validators:
            try:
                schema = self.registry.contents(url)
            except referencing.exceptions.NoSuchResource:
                raise self._not_found(url) from None
            self._validators[url] = jsonschema.Draft7Validator(schema, registry=self.registry)
        return self._validators[url]

    def errors(self, url: str, instance: Any) -> list[ValidationError]:
        """Validation errors of ``instance`` against the schema at ``url`` (sorted by path);
        raises :class:`SchemaNotFound` when the schema or one it references is missing."""
        validator = self.validator(url)
        try:
            return sorted(validator.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))
        except referencing.exceptions.Unresolvable as error:
            # jsonschema wraps the registry's NoSuchResource, which names the absolute URL of the missing file
            cause: BaseException | None = error
            while cause is not None:
                if isinstance(cause, referencing.exceptions.NoSuchResource):
                    raise self._not_found(str(cause.ref).split("#", 1)[0]) from error
                cause = cause.__cause__ or cause.__context__
            raise SchemaNotFound(str(error.ref), None, f"unresolvable $ref: {error}") from error

    def _not_found(self, url: str) -> SchemaNotFound:
        local = self.local_path(url)
        if local is None:
            return SchemaNotFound(url, None, f"only {SCHEMA_URL_PREFIX}... URLs are resolved, from {self.schema_dir}")
        return SchemaNotFound(url, local)


def _registry(schema_dir: Path) -> Registry:
    """Every schema file of ``schema_dir`` under the URL its path gives, crawled (so each is also
    known by its ``$id``: every ``schema-embedded.json`` declares ``.../schema.embedded.json``,
    which its own ``#/definitions`` refs resolve against)."""
    by_url = []
    for path in sorted(schema_dir.rglob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8-sig"))
        by_url.append((SCHEMA_URL_PREFIX + path.relative_to(schema_dir).as_posix(), Resource.from_contents(contents, default_specification=DRAFT7)))
    # A few files declare the $id of another file (visualConfiguration 2.0.0/schema.json says
    # 2.1.0): added again after the crawl, each file's own URL wins whatever order the crawl took.
    return Registry().with_resources(by_url).crawl().with_resources(by_url)


@lru_cache(maxsize=8)
def schema_store(schema_dir: Path | str) -> SchemaStore:
    """One cached :class:`SchemaStore` per folder (schemas are read and compiled once)."""
    return SchemaStore(Path(schema_dir).resolve())


def schema_problems(document: JsonDocument, store: SchemaStore) -> list[Problem]:
    """What is wrong with a parsed document against the schema its ``$schema`` names."""
    relative, data = document.relative, document.data
    if not isinstance(data, dict):
        return [Problem.in_json(relative, "$", "the document is not a JSON object, so it names no $schema", "schema")]
    url = data.get("$schema")
    if url is None:
        return [Problem.in_json(relative, "$", "no $schema: every PBIR/PBIP file must name its JSON schema", "schema")]
    if not isinstance(url, str) or not url.startswith(SCHEMA_URL_PREFIX):
        return [Problem.in_json(relative, "$.$schema", f"$schema {url!r} is not a {SCHEMA_URL_PREFIX}... URL", "schema")]
    try:
        errors = store.errors(url, data)
    except SchemaNotFound as error:
        return [Problem.in_json(relative, "$.$schema", str(error), "schema")]
    return [Problem.in_json(relative, error.json_path, _shortened(_error_message(error)), "schema") for error in errors]


def _shortened(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def _error_message(error: ValidationError) -> str:
    """The error's message; for a failed anyOf/oneOf, what the alternatives expected."""
    if not error.context:
        return error.message
    instance = json.dumps(error.instance, ensure_ascii=False)
    instance = instance if len(instance) <= 80 else instance[:77] + "..."
    if all(sub.validator == "const" and not sub.relative_path for sub in error.context):
        allowed = ", ".join(json.dumps(sub.validator_value, ensure_ascii=False) for sub in error.context)
        return f"{instance} is not one of {allowed}"
    deepest = best_match(error.context)
    where = "" if deepest.json_path == error.json_path else f" at {deepest.json_path}"
    return f"{instance} matches none of the allowed schemas ({error.validator}); closest{where}: {deepest.message}"
