from django.db import migrations

FORWARD = """
CREATE FUNCTION regio_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'regio_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER regio_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON regio_auditentry
    FOR EACH ROW EXECUTE FUNCTION regio_auditentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS regio_auditentry_no_update_delete ON regio_auditentry;
DROP FUNCTION IF EXISTS regio_auditentry_append_only();
"""


class Migration(migrations.Migration):
    """The audit log refuses UPDATE and DELETE in the database itself (BIO 8.15)."""

    dependencies = [("regio", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
