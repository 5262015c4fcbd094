"""Read a Power BI semantic model from TMDL (the `definition/` folder of a PBIP
`<Name>.SemanticModel`) into a `SemanticModel` (powerbi.validate.tmdl_objects).

It reads what this project's model uses - database, model (with `ref` lines), tables (columns,
measures, partitions), relationships, roles (table permissions, members) and shared expressions -
and keeps the file and line of everything, so checks can say `file:line: what is wrong`; the
line grammar is in powerbi.validate.tmdl_syntax. Problems met while reading (a BOM, bad
indentation, unreadable lines, an object declared twice) are collected on
`SemanticModel.problems`, never raised; the model checks report them with the rest.
"""

from __future__ import annotations

from pathlib import Path

from powerbi.validate.encoding import decode_utf8
from powerbi.validate.problem import Location, Problem
from powerbi.validate.tmdl_objects import (
    Column,
    Measure,
    NamedExpression,
    Partition,
    Ref,
    Relationship,
    Role,
    RoleMember,
    SemanticModel,
    Table,
    TablePermission,
)
from powerbi.validate.tmdl_syntax import Node, parse_tmdl, split_qualified_name


def read_model(folder: str | Path) -> SemanticModel:
    """Read a TMDL folder: a `<Name>.SemanticModel` folder (its `definition/` is read) or the
    `definition/` folder itself."""
    folder = Path(folder)
    definition = folder / "definition" if (folder / "definition").is_dir() else folder
    model = SemanticModel(folder=folder, definition=definition)
    if not definition.is_dir():
        model.problems.append(Problem.at(Location(folder.as_posix(), 0), "no TMDL folder here", "syntax"))
        return model
    for path in sorted(definition.rglob("*.tmdl")):
        display = model.display_path(path)
        model.files.append(display)
        decoded = decode_utf8(path.read_bytes(), display)
        model.problems.extend(decoded.problems)
        nodes, problems = parse_tmdl(decoded.text, display)
        model.problems.extend(problems)
        for node in nodes:
            _add_top_level(model, node)
    return model


def _add_top_level(model: SemanticModel, node: Node) -> None:
    if not node.is_object:
        model.problems.append(Problem.at(node.location, f"property {node.kind} outside of any object", "syntax"))
        return
    if node.kind == "ref":
        model.refs.append(Ref(node.value or "", node.name or "", node.location))
    elif node.kind == "database":
        level = node.properties().get("compatibilityLevel")
        model.compatibility_level = int(level) if level and level.isdigit() else None
    elif node.kind == "model":
        model.model_properties.update(node.properties())
        for child in node.children:
            if child.is_object and child.kind == "ref":
                model.refs.append(Ref(child.value or "", child.name or "", child.location))
    elif node.kind == "table":
        _add_table(model, node)
    elif node.kind == "relationship":
        _add_relationship(model, node)
    elif node.kind == "role":
        _add_role(model, node)
    elif node.kind == "expression":
        if node.name in model.expressions:
            model.problems.append(Problem.at(node.location, f"expression {node.name} declared twice", "syntax"))
        properties = node.properties()
        model.expressions[node.name or ""] = NamedExpression(
            name=node.name or "",
            location=node.location,
            expression=node.value or "",
            expression_location=node.value_location or node.location,
            kind=properties.get("kind"),
            description=node.description,
            properties=properties,
        )
    # annotations, cultures, perspectives, data sources ...: not needed by the checks


def _add_table(model: SemanticModel, node: Node) -> None:
    name = node.name or ""
    table = model.tables.get(name)
    if table is None:
        table = model.tables[name] = Table(name=name, location=node.location, description=node.description)
    table.files.append(node.location.file)
    properties = node.properties()
    table.properties.update(properties)
    table.is_hidden = table.is_hidden or _true(properties.get("isHidden"))
    table.data_category = properties.get("dataCategory", table.data_category)
    for child in node.children:
        if not child.is_object:
            continue
        if child.kind == "column":
            if child.name in table.columns:
                model.problems.append(Problem.at(child.location, f"column {name}[{child.name}] declared twice", "syntax"))
            props = child.properties()
            table.columns[child.name or ""] = Column(
                name=child.name or "",
                location=child.location,
                data_type=props.get("dataType"),
                source_column=props.get("sourceColumn"),
                is_hidden=_true(props.get("isHidden")),
                is_key=_true(props.get("isKey")),
                data_category=props.get("dataCategory"),
                format_string=props.get("formatString"),
                summarize_by=props.get("summarizeBy"),
                sort_by_column=_unquote_reference(props.get("sortByColumn")),
                expression=child.value,
                description=child.description,
                properties=props,
            )
        elif child.kind == "measure":
            if child.name in table.measures:
                model.problems.append(Problem.at(child.location, f"measure {name}[{child.name}] declared twice", "syntax"))
            props = child.properties()
            table.measures[child.name or ""] = Measure(
                name=child.name or "",
                location=child.location,
                expression=child.value or "",
                expression_location=child.value_location or child.location,
                format_string=props.get("formatString"),
                display_folder=props.get("displayFolder"),
                description=child.description,
                properties=props,
            )
        elif child.kind == "partition":
            source = next((c for c in child.children if not c.is_object and c.kind == "source"), None)
            props = child.properties()
            table.partitions.append(
                Partition(
                    name=child.name or "",
                    location=child.location,
                    source_type=child.value,
                    mode=props.get("mode"),
                    expression=source.value if source else None,
                    expression_location=(source.value_location if source else None),
                    properties=props,
                )
            )


def _add_relationship(model: SemanticModel, node: Node) -> None:
    relationship = Relationship(name=node.name or "", location=node.location, properties=node.properties())
    for child in node.children:
        if child.is_object or child.kind not in ("fromColumn", "toColumn"):
            continue
        parts = split_qualified_name(child.value or "")
        if parts is None or len(parts) != 2:
            message = f"{child.kind} must read Table.Column (quote names with spaces): {child.value!r}"
            model.problems.append(Problem.at(child.location, message, "syntax"))
            continue
        if child.kind == "fromColumn":
            relationship.from_table, relationship.from_column = parts
            relationship.from_location = child.location
        else:
            relationship.to_table, relationship.to_column = parts
            relationship.to_location = child.location
    model.relationships.append(relationship)


def _add_role(model: SemanticModel, node: Node) -> None:
    name = node.name or ""
    if name in model.roles:
        model.problems.append(Problem.at(node.location, f"role {name} declared twice", "syntax"))
    properties = node.properties()
    role = model.roles[name] = Role(
        name=name,
        location=node.location,
        model_permission=properties.get("modelPermission"),
        description=node.description,
        properties=properties,
    )
    for child in node.children:
        if child.is_object and child.kind == "tablePermission":
            if child.name in role.table_permissions:
                model.problems.append(Problem.at(child.location, f"two table permissions on {child.name} in role {name}", "syntax"))
            role.table_permissions[child.name or ""] = TablePermission(
                table=child.name or "",
                location=child.location,
                expression=child.value,
                expression_location=child.value_location or child.location,
            )
        elif child.is_object and child.kind == "member":
            role.members.append(RoleMember(child.name or "", child.location))


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() != "false"


def _unquote_reference(value: str | None) -> str | None:
    if value is None:
        return None
    parts = split_qualified_name(value)
    return parts[-1] if parts else value
