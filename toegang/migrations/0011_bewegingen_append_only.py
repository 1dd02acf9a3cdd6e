from django.db import migrations

TABLES = ("toegang_wachtlijstgebeurtenis", "toegang_zorgbeweging")

FORWARD = """
CREATE FUNCTION toegang_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION toegang_append_only();
"""
    for table in TABLES
)

BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};\n" for table in TABLES
) + "DROP FUNCTION IF EXISTS toegang_append_only();\n"


class Migration(migrations.Migration):
    """The waiting list's events and the in-, door- and uitstroom of care are the history the
    reports read: the database refuses UPDATE and DELETE on them (a correction is a new row)."""

    dependencies = [("toegang", "0010_regie_doorstroom_wachtstatus")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
