from django.db import migrations

# Destruction of a dossier (toegang.privacy.bewaren.vernietig_dossier) must be able to wipe the
# free text of a vastgestelde beschikking's motivering and of a zorgbeweging's toelichting, which
# the database otherwise keeps immutable. It is allowed only inside a transaction that set
# ``SET LOCAL regiozorg.vernietiging = 'aan'``, and only as an UPDATE that empties that one column
# and changes nothing else.

FLAG = "coalesce(current_setting('regiozorg.vernietiging', true), '') = 'aan'"

FORWARD = f"""
CREATE OR REPLACE FUNCTION toegang_beschikking_onveranderlijk() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('vastgesteld', 'bekendgemaakt', 'gewijzigd', 'ingetrokken', 'verlopen') THEN
            RAISE EXCEPTION 'een vastgestelde beschikking wordt niet verwijderd (beschikking %)', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF {FLAG} AND NEW.motivering = ''
       AND (to_jsonb(NEW) - 'motivering') = (to_jsonb(OLD) - 'motivering') THEN
        RETURN NEW;
    END IF;
    IF OLD.status IN ('vastgesteld', 'bekendgemaakt', 'gewijzigd', 'ingetrokken', 'verlopen') THEN
        IF (NEW.dossier_id, NEW.aanvraag_id, NEW.perceel_id, NEW.vorige_id, NEW.besluit,
            NEW.motivering, NEW.ingangsdatum, NEW.einddatum, NEW.opgesteld_door_id,
            NEW.geaccordeerd_door_id, NEW.vastgesteld_op)
           IS DISTINCT FROM
           (OLD.dossier_id, OLD.aanvraag_id, OLD.perceel_id, OLD.vorige_id, OLD.besluit,
            OLD.motivering, OLD.ingangsdatum, OLD.einddatum, OLD.opgesteld_door_id,
            OLD.geaccordeerd_door_id, OLD.vastgesteld_op)
           OR NEW.status IN ('concept', 'ter_accordering')
           OR (OLD.brief_id IS NOT NULL AND NEW.brief_id IS DISTINCT FROM OLD.brief_id)
        THEN
            RAISE EXCEPTION 'een vastgestelde beschikking is onveranderlijk (beschikking %)', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION toegang_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'toegang_zorgbeweging' AND {FLAG}
       AND NEW.toelichting = ''
       AND (to_jsonb(NEW) - 'toelichting') = (to_jsonb(OLD) - 'toelichting') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("toegang", "0015_bewaartermijnen_plan")]

    # Backward keeps the new functions: they are stricter than nothing and the old migrations'
    # backward steps drop them.
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
