"""The Alembic history builds the schema the models describe, both ways."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from alembic import command
from portal_app.cli import alembic_config
from portal_app.db import make_engine
from portal_app.models.providers import outside_metadata
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not outside_metadata(name)}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_db_url):
    config = alembic_config(empty_db_url)
    command.upgrade(config, "head")
    assert _tables(empty_db_url) == set(SQLModel.metadata.tables)
    command.downgrade(config, "base")
    assert _tables(empty_db_url) == set()
    command.upgrade(config, "head")
    assert _tables(empty_db_url) == set(SQLModel.metadata.tables)


def test_models_and_head_revision_agree(empty_db_url):
    command.upgrade(alembic_config(empty_db_url), "head")
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": empty_db_url.startswith("sqlite"),
                    "include_name": lambda name, type_, _parents: not outside_metadata(name),
                },
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == [], f"Models differ from the migrations: {differences}"


def test_history_has_a_single_head(empty_db_url):
    script = ScriptDirectory.from_config(alembic_config(empty_db_url))
    assert len(script.get_heads()) == 1


def test_users_from_the_first_revision_survive_the_accounts_revision(empty_db_url):
    config = alembic_config(empty_db_url)
    command.upgrade(config, "0001")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (email, username, password_hash, full_name, phone, fax, role, status,"
                " failed_sign_ins, created_at, updated_at) VALUES ('a@example.test', 'a', 'x', 'A', '', '',"
                " 'nurse_reviewer', 'active', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            row = connection.exec_driver_sql("SELECT security_stamp, rejection_reason FROM users").one()
    finally:
        engine.dispose()
    assert tuple(row) == ("", "")


def test_the_single_commercial_line_becomes_hmo_pos_and_comes_back(empty_db_url):
    """Revision 0019: every stored "commercial" becomes "commercial_hmo_pos" (the mapping its docstring
    explains); downgrading maps both commercial lines back, one row per plan."""
    config = alembic_config(empty_db_url)
    before = ScriptDirectory.from_config(config).get_revision("0019").down_revision
    command.upgrade(config, str(before))
    engine = make_engine(empty_db_url)
    lines = "SELECT line_of_business FROM plan_lines_of_business ORDER BY 1"
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO health_plans (id, code, name, standard_review_days, pend_business_days,"
                " pend_urgent_hours, created_at) VALUES (1, 'TST', 'Test', 7, 5, 72, CURRENT_TIMESTAMP)"
            )
            connection.exec_driver_sql(
                "INSERT INTO plan_lines_of_business (plan_id, line_of_business) VALUES (1, 'commercial'),"
                " (1, 'medicare_advantage')"
            )
            connection.exec_driver_sql(
                "INSERT INTO plan_programs (plan_id, program, line_of_business, delegated_from)"
                " VALUES (1, 'imaging', 'commercial', '2026-01-01')"
            )
            connection.exec_driver_sql(
                "INSERT INTO members (plan_id, member_number, first_name, last_name, date_of_birth, sex,"
                " line_of_business, address_line, city, state, postal_code, phone, eligibility_start,"
                " created_at) VALUES (1, 'TST1', 'A', 'B', '1960-01-01', 'F', 'commercial', '1 Way', 'X',"
                " 'IL', '62701', '', '2024-01-01', CURRENT_TIMESTAMP)"
            )
        command.upgrade(config, "0019")
        with engine.begin() as connection:
            assert [r[0] for r in connection.exec_driver_sql(lines)] == [
                "commercial_hmo_pos",
                "medicare_advantage",
            ]
            assert (
                connection.exec_driver_sql("SELECT line_of_business FROM members").scalar()
                == "commercial_hmo_pos"
            )
            assert (
                connection.exec_driver_sql("SELECT line_of_business FROM plan_programs").scalar()
                == "commercial_hmo_pos"
            )
            connection.exec_driver_sql(
                "INSERT INTO plan_lines_of_business (plan_id, line_of_business)"
                " VALUES (1, 'commercial_ppo_epo')"
            )
        command.downgrade(config, str(before))
        with engine.connect() as connection:
            assert [r[0] for r in connection.exec_driver_sql(lines)] == ["commercial", "medicare_advantage"]
            assert connection.exec_driver_sql("SELECT line_of_business FROM members").scalar() == "commercial"
    finally:
        engine.dispose()


def test_crd_clients_get_no_fhir_servers_and_lose_the_column_going_down(empty_db_url):
    """Revision 0028: a client registered before it may read from no FHIR server (answered from
    prefetch alone until its servers are registered); downgrading drops the column."""
    config = alembic_config(empty_db_url)
    before = ScriptDirectory.from_config(config).get_revision("0028").down_revision
    command.upgrade(config, str(before))
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (id, email, username, password_hash, full_name, phone, fax, role, status,"
                " failed_sign_ins, security_stamp, rejection_reason, created_at, updated_at) VALUES (1,"
                " 'c@example.test', 'c', '!', 'C', '', '', 'ordering_provider_staff', 'disabled', 0, '', '',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
            connection.exec_driver_sql(
                "INSERT INTO crd_clients (client_id, name, jwks_url, npis, user_id, active, created_at)"
                " VALUES ('https://ehr.test', 'EHR', 'https://ehr.test/jwks', '[\"1990000006\"]', 1, true,"
                " CURRENT_TIMESTAMP)"
            )
        command.upgrade(config, "0028")
        with engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT fhir_servers FROM crd_clients").scalar()
        assert stored in ("[]", [])
        command.downgrade(config, str(before))
        assert "fhir_servers" not in {c["name"] for c in inspect(engine).get_columns("crd_clients")}
    finally:
        engine.dispose()
