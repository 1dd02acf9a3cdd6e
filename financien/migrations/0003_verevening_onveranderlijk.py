from django.db import migrations

FORWARD = """
CREATE FUNCTION financien_run_onveranderlijk() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'concept' THEN
            RAISE EXCEPTION 'Een % vereveningsrun kan niet worden verwijderd.', OLD.status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'vervangen' OR (OLD.status = 'vastgesteld' AND (
            NEW.status <> 'vervangen' OR NEW.vervangen_door_id IS NULL
            OR to_jsonb(NEW) - 'status' - 'vervangen_door_id'
               IS DISTINCT FROM to_jsonb(OLD) - 'status' - 'vervangen_door_id')) THEN
        RAISE EXCEPTION 'Een % vereveningsrun is onveranderlijk.', OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'concept' AND (
            to_jsonb(NEW) - 'status' - 'vastgesteld_door_id' - 'vastgesteld_op' - 'vervangen_door_id'
            IS DISTINCT FROM
            to_jsonb(OLD) - 'status' - 'vastgesteld_door_id' - 'vastgesteld_op' - 'vervangen_door_id') THEN
        RAISE EXCEPTION 'De invoer en uitkomst van een vereveningsrun veranderen niet; start een nieuwe run.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER financien_vereveningsrun_onveranderlijk
    BEFORE UPDATE OR DELETE ON financien_vereveningsrun
    FOR EACH ROW EXECUTE FUNCTION financien_run_onveranderlijk();

CREATE FUNCTION financien_regel_onveranderlijk() RETURNS trigger AS $$
DECLARE
    run_status text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'Vereveningsregels veranderen niet; start een nieuwe run.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT status INTO run_status FROM financien_vereveningsrun
        WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.run_id ELSE NEW.run_id END);
    IF run_status IS DISTINCT FROM 'concept' THEN
        RAISE EXCEPTION 'De regels van een % vereveningsrun zijn onveranderlijk.', run_status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER financien_vereveningsregel_onveranderlijk
    BEFORE INSERT OR UPDATE OR DELETE ON financien_vereveningsregel
    FOR EACH ROW EXECUTE FUNCTION financien_regel_onveranderlijk();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS financien_vereveningsregel_onveranderlijk ON financien_vereveningsregel;
DROP FUNCTION IF EXISTS financien_regel_onveranderlijk();
DROP TRIGGER IF EXISTS financien_vereveningsrun_onveranderlijk ON financien_vereveningsrun;
DROP FUNCTION IF EXISTS financien_run_onveranderlijk();
"""


class Migration(migrations.Migration):
    """A verevening run is a stored result: its inputs and lines never change; a vastgestelde
    run only moves on to 'vervangen' (pointing at the run that supersedes it), and is never
    deleted. A concept only moves to vastgesteld (or is deleted with its lines)."""

    dependencies = [("financien", "0002_verevening")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
