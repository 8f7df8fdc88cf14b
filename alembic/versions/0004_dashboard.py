"""dashboard in constant time: projects.health and .tools, per-organization tallies, indexes

Revision ID: 0004
Revises: 0003

``projects.health`` copies ``project_status.health``, ``projects.tools`` lists the tools the
project has resources in (",confluence,jira,", in this order), and ``project_tallies`` counts
projects per (organization, health, lifecycle, tools). Triggers keep both in the transaction that changes a project
or its status, whatever writes it (the sync, lifecycle changes, creation, deletion, bulk loads).
On PostgreSQL a change of health moves one tally down and another up; the two rows are always
locked in the same order, so two syncs moving projects in opposite directions cannot deadlock.
The tools are recomputed after locking the project row, in a statement of its own: it then sees
the resources that concurrent provisioning steps committed while it waited (read committed takes
a new snapshot per statement), so two steps linking different tools cannot lose one.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOOLS = ('confluence', 'graph', 'jira', 'productive')


def _tools_of(project_id: str) -> str:
    """The tools column's value for one project, the same on SQLite and PostgreSQL."""
    return "',' || " + " || ".join(
        f"(CASE WHEN EXISTS (SELECT 1 FROM project_resources r WHERE r.project_id = {project_id}"
        f" AND r.tool = '{tool}') THEN '{tool},' ELSE '' END)" for tool in TOOLS)


_SQLITE_TALLY_UP = """
    INSERT INTO project_tallies (organization_id, health, lifecycle, tools, projects)
    VALUES (NEW.organization_id, NEW.health, NEW.lifecycle, NEW.tools, 1)
    ON CONFLICT (organization_id, health, lifecycle, tools)
    DO UPDATE SET projects = projects + 1;"""
_SQLITE_TALLY_DOWN = """
    UPDATE project_tallies SET projects = projects - 1
    WHERE organization_id = OLD.organization_id AND health = OLD.health
      AND lifecycle = OLD.lifecycle AND tools = OLD.tools;"""

SQLITE = (
    f"""CREATE TRIGGER trg_projects_tally_insert AFTER INSERT ON projects
    BEGIN {_SQLITE_TALLY_UP} END""",
    f"""CREATE TRIGGER trg_projects_tally_delete AFTER DELETE ON projects
    BEGIN {_SQLITE_TALLY_DOWN} END""",
    f"""CREATE TRIGGER trg_projects_tally_update
    AFTER UPDATE OF organization_id, health, lifecycle, tools ON projects
    WHEN OLD.organization_id IS NOT NEW.organization_id OR OLD.health IS NOT NEW.health
      OR OLD.lifecycle IS NOT NEW.lifecycle OR OLD.tools IS NOT NEW.tools
    BEGIN {_SQLITE_TALLY_DOWN} {_SQLITE_TALLY_UP} END""",
    f"""CREATE TRIGGER trg_project_resources_tools_insert AFTER INSERT ON project_resources
    BEGIN UPDATE projects SET tools = {_tools_of('NEW.project_id')}
          WHERE id = NEW.project_id; END""",
    f"""CREATE TRIGGER trg_project_resources_tools_delete AFTER DELETE ON project_resources
    BEGIN UPDATE projects SET tools = {_tools_of('OLD.project_id')}
          WHERE id = OLD.project_id; END""",
    f"""CREATE TRIGGER trg_project_resources_tools_update
    AFTER UPDATE OF project_id, tool ON project_resources
    BEGIN UPDATE projects SET tools = {_tools_of('OLD.project_id')} WHERE id = OLD.project_id;
          UPDATE projects SET tools = {_tools_of('NEW.project_id')}
          WHERE id = NEW.project_id; END""",
    """CREATE TRIGGER trg_project_status_health_insert AFTER INSERT ON project_status
    BEGIN UPDATE projects SET health = NEW.health
          WHERE id = NEW.project_id AND health IS NOT NEW.health; END""",
    """CREATE TRIGGER trg_project_status_health_update AFTER UPDATE OF health ON project_status
    WHEN OLD.health IS NOT NEW.health
    BEGIN UPDATE projects SET health = NEW.health
          WHERE id = NEW.project_id AND health IS NOT NEW.health; END""",
)

POSTGRESQL = (
    """CREATE FUNCTION projecthub_project_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        up_first boolean := TG_OP = 'UPDATE'
            AND (NEW.organization_id, NEW.health, NEW.lifecycle, NEW.tools)
                < (OLD.organization_id, OLD.health, OLD.lifecycle, OLD.tools);
    BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.organization_id, NEW.health, NEW.lifecycle, NEW.tools)
                IS NOT DISTINCT FROM (OLD.organization_id, OLD.health, OLD.lifecycle, OLD.tools)
        THEN
            RETURN NULL;
        END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR up_first) THEN
            INSERT INTO project_tallies (organization_id, health, lifecycle, tools, projects)
            VALUES (NEW.organization_id, NEW.health, NEW.lifecycle, NEW.tools, 1)
            ON CONFLICT (organization_id, health, lifecycle, tools)
            DO UPDATE SET projects = project_tallies.projects + 1;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            UPDATE project_tallies SET projects = projects - 1
            WHERE organization_id = OLD.organization_id AND health = OLD.health
              AND lifecycle = OLD.lifecycle AND tools = OLD.tools;
        END IF;
        IF TG_OP = 'UPDATE' AND NOT up_first THEN
            INSERT INTO project_tallies (organization_id, health, lifecycle, tools, projects)
            VALUES (NEW.organization_id, NEW.health, NEW.lifecycle, NEW.tools, 1)
            ON CONFLICT (organization_id, health, lifecycle, tools)
            DO UPDATE SET projects = project_tallies.projects + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER trg_projects_tally
    AFTER INSERT OR DELETE OR UPDATE OF organization_id, health, lifecycle, tools ON projects
    FOR EACH ROW EXECUTE FUNCTION projecthub_project_tally()""",
    """CREATE FUNCTION projecthub_project_health() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE projects SET health = NEW.health
        WHERE id = NEW.project_id AND health IS DISTINCT FROM NEW.health;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER trg_project_status_health
    AFTER INSERT OR UPDATE OF health ON project_status
    FOR EACH ROW EXECUTE FUNCTION projecthub_project_health()""",
    # NO KEY UPDATE, not UPDATE: the resource row's foreign key already holds KEY SHARE on the
    # project, and two steps recording resources at once would each wait for the other's.
    f"""CREATE FUNCTION projecthub_project_tools() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM 1 FROM projects WHERE id = OLD.project_id FOR NO KEY UPDATE;
            UPDATE projects SET tools = {_tools_of('OLD.project_id')} WHERE id = OLD.project_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM 1 FROM projects WHERE id = NEW.project_id FOR NO KEY UPDATE;
            UPDATE projects SET tools = {_tools_of('NEW.project_id')} WHERE id = NEW.project_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER trg_project_resources_tools
    AFTER INSERT OR DELETE OR UPDATE OF project_id, tool ON project_resources
    FOR EACH ROW EXECUTE FUNCTION projecthub_project_tools()""",
)


def upgrade() -> None:
    op.add_column('projects', sa.Column('health', sa.String(length=10), nullable=False,
                                        server_default='unknown'))
    op.add_column('projects', sa.Column('tools', sa.String(length=60), nullable=False,
                                        server_default=','))
    op.execute(f"UPDATE projects SET tools = {_tools_of('projects.id')}")
    op.execute("UPDATE projects SET health = (SELECT s.health FROM project_status s "
               "WHERE s.project_id = projects.id) "
               "WHERE EXISTS (SELECT 1 FROM project_status s WHERE s.project_id = projects.id)")
    op.create_index('ix_projects_org_name', 'projects',
                    ['organization_id', sa.text('lower(name)'), 'id'], unique=False)
    op.create_index('ix_projects_org_end', 'projects', ['organization_id', 'end_date', 'id'],
                    unique=False)
    op.create_index('ix_projects_org_health_end', 'projects',
                    ['organization_id', 'health', 'end_date', 'id'], unique=False)
    op.create_table('project_tallies',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('health', sa.String(length=10), nullable=False),
    sa.Column('lifecycle', sa.String(length=20), nullable=False),
    sa.Column('tools', sa.String(length=60), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_project_tallies_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'health', 'lifecycle', 'tools', name=op.f('pk_project_tallies'))
    )
    op.execute("INSERT INTO project_tallies (organization_id, health, lifecycle, tools, projects) "
               "SELECT organization_id, health, lifecycle, tools, count(*) FROM projects "
               "GROUP BY organization_id, health, lifecycle, tools")
    for statement in SQLITE if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('trg_projects_tally_insert', 'trg_projects_tally_delete',
                     'trg_projects_tally_update', 'trg_project_status_health_insert',
                     'trg_project_status_health_update', 'trg_project_resources_tools_insert',
                     'trg_project_resources_tools_delete', 'trg_project_resources_tools_update'):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER trg_project_resources_tools ON project_resources")
        op.execute("DROP FUNCTION projecthub_project_tools()")
        op.execute("DROP TRIGGER trg_project_status_health ON project_status")
        op.execute("DROP TRIGGER trg_projects_tally ON projects")
        op.execute("DROP FUNCTION projecthub_project_health()")
        op.execute("DROP FUNCTION projecthub_project_tally()")
    op.drop_table('project_tallies')
    op.drop_index('ix_projects_org_health_end', table_name='projects')
    op.drop_index('ix_projects_org_end', table_name='projects')
    op.drop_index('ix_projects_org_name', table_name='projects')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('tools')
        batch_op.drop_column('health')
