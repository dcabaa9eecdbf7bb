"""CRD clients: the FHIR server base URLs Precert may read from (issue 22, SSRF fix).

* ``crd_clients.fhir_servers``: JSON list of base URLs registered for the client. A hook call's
  ``fhirServer`` is fetched from only when it is one of them. Clients registered before this
  revision get an empty list: their calls are answered from prefetch alone until the operator
  registers their servers (``python -m portal_app.cli crd-client --client-id ISS --fhir-server URL``).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crd_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fhir_servers", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("crd_clients", schema=None) as batch_op:
        batch_op.alter_column("fhir_servers", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("crd_clients", schema=None) as batch_op:
        batch_op.drop_column("fhir_servers")
