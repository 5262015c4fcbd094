"""Row-level security in SQL: the sec.user_access grants, the procedures DBAs maintain them with,
and the expansion to countries (sec.user_country_access) that Power BI's dynamic role reads.

Hand-checked fixture: five countries in the three regions.
"""

from __future__ import annotations

import pytest

import warehouse
from warehouse.sql_files import DEPLOY_FOLDERS, SQL_SERVER_ONLY_FOLDERS, deployment_order

COUNTRIES = [  # country_key, country_name, display_name, region
    (1, "United Kingdom", "United Kingdom", "United Kingdom"),
    (2, "France", "France", "Europe"),
    (3, "EIRE", "Ireland", "Europe"),
    (4, "Australia", "Australia", "Rest of World"),
    (5, "Japan", "Japan", "Rest of World"),
]


@pytest.fixture
def engine():
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        values = ", ".join(f"({key}, N'{name}', N'{shown}', N'{region}', 1)" for key, name, shown, region in COUNTRIES)
        engine.query(f"INSERT INTO dw.dim_country (country_key, country_name, display_name, region, batch_id) VALUES {values};")
        yield engine


def countries_of(engine, upn: str) -> list[str]:
    rows = engine.query(f"SELECT country_name FROM sec.user_country_access WHERE user_principal_name = N'{upn}' ORDER BY country_key;")
    return rows["country_name"].tolist()


def grants(engine) -> list[tuple[str, str, str]]:
    rows = engine.query("SELECT user_principal_name, scope_type, scope_value FROM sec.user_access ORDER BY 1, 2, 3;")
    return [tuple(row) for row in rows.itertuples(index=False)]


def test_a_country_grant_accepts_the_exported_or_the_shown_name_and_stores_the_exported_one(engine):
    result = engine.execute("sec.GrantUserAccess", user_principal_name="Ann@Contoso.com", country="Ireland")
    assert result.rows[["user_principal_name", "scope_type", "scope_value"]].values.tolist() == [["ann@contoso.com", "country", "EIRE"]]
    engine.execute("sec.GrantUserAccess", user_principal_name="ann@contoso.com", country="France")
    assert countries_of(engine, "ann@contoso.com") == ["France", "EIRE"]


def test_a_region_grant_covers_the_region_countries_including_ones_added_later(engine):
    engine.execute("sec.GrantUserAccess", user_principal_name="bob@contoso.com", region="Rest of World")
    assert countries_of(engine, "bob@contoso.com") == ["Australia", "Japan"]
    engine.query(
        "INSERT INTO dw.dim_country (country_key, country_name, display_name, region, batch_id) "
        "VALUES (6, N'Brazil', N'Brazil', N'Rest of World', 2);"
    )
    assert countries_of(engine, "bob@contoso.com") == ["Australia", "Japan", "Brazil"]


def test_an_all_countries_grant_sees_every_country_and_overlapping_grants_count_once(engine):
    engine.execute("sec.GrantUserAccess", user_principal_name="cfo@contoso.com", all_countries=1)
    engine.execute("sec.GrantUserAccess", user_principal_name="cfo@contoso.com", country="France")
    assert countries_of(engine, "cfo@contoso.com") == [name for _, name, _, _ in COUNTRIES]


def test_granting_twice_changes_nothing(engine):
    first = engine.execute("sec.GrantUserAccess", user_principal_name="ann@contoso.com", region="Europe").rows
    again = engine.execute("sec.GrantUserAccess", user_principal_name="ANN@contoso.com", region="Europe").rows
    assert again.to_dict("records") == first.to_dict("records")  # granted_at kept
    assert grants(engine) == [("ann@contoso.com", "region", "Europe")]


@pytest.mark.parametrize(
    ("arguments", "number", "named"),
    [
        (dict(country="France"), 50301, "@user_principal_name"),
        (dict(user_principal_name="ann", country="France"), 50301, "ann@contoso.com"),
        (dict(user_principal_name="ann@contoso.com"), 50302, "exactly one"),
        (dict(user_principal_name="ann@contoso.com", country="France", region="Europe"), 50302, "exactly one"),
        (dict(user_principal_name="ann@contoso.com", country="Atlantis"), 50303, "Atlantis"),
        (dict(user_principal_name="ann@contoso.com", region="Asia"), 50304, "Rest of World"),
    ],
)
def test_a_bad_grant_is_refused_with_a_numbered_error_and_writes_nothing(engine, arguments, number, named):
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute("sec.GrantUserAccess", **arguments)
    assert raised.value.number == number
    assert named in raised.value.message
    assert grants(engine) == []


def test_revoke_one_grant_or_all_of_a_user(engine):
    for scope in (dict(country="France"), dict(country="Japan"), dict(region="United Kingdom")):
        engine.execute("sec.GrantUserAccess", user_principal_name="ann@contoso.com", **scope)
    engine.execute("sec.GrantUserAccess", user_principal_name="bob@contoso.com", country="France")

    one = engine.execute("sec.RevokeUserAccess", user_principal_name="Ann@contoso.com", country="Japan").rows
    assert one[["revoked", "remaining"]].values.tolist() == [[1, 2]]
    assert countries_of(engine, "ann@contoso.com") == ["United Kingdom", "France"]

    nothing = engine.execute("sec.RevokeUserAccess", user_principal_name="ann@contoso.com", country="Japan").rows
    assert nothing[["revoked", "remaining"]].values.tolist() == [[0, 2]]

    everything = engine.execute("sec.RevokeUserAccess", user_principal_name="ann@contoso.com").rows
    assert everything[["revoked", "remaining"]].values.tolist() == [[2, 0]]
    assert grants(engine) == [("bob@contoso.com", "country", "France")]


def test_revoke_accepts_the_shown_country_name(engine):
    engine.execute("sec.GrantUserAccess", user_principal_name="ann@contoso.com", country="EIRE")
    engine.execute("sec.RevokeUserAccess", user_principal_name="ann@contoso.com", country="Ireland")
    assert grants(engine) == []


def test_the_security_policy_is_sql_server_only_and_deploys_after_what_it_filters():
    duckdb_files = [f.relative for f in deployment_order()]
    assert not any(name.startswith("sqlserver/") for name in duckdb_files)

    sql_server_files = [f.relative for f in deployment_order(None, DEPLOY_FOLDERS + SQL_SERVER_ONLY_FOLDERS)]
    policy = sql_server_files.index("sqlserver/sec/country_access_policy.sql")
    for needed in ("schema/sec/user_access.sql", "schema/mart/customer_whale.sql", "sqlserver/sec/fn_customer_access.sql"):
        assert sql_server_files.index(needed) < policy
    assert sql_server_files.index("sqlserver/sec/fn_country_access.sql") < sql_server_files.index("sqlserver/sec/fn_customer_access.sql")
