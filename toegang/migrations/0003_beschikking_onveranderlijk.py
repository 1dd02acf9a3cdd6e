from django.db import migrations

FORWARD = """
CREATE FUNCTION toegang_beschikking_onveranderlijk() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ('vastgesteld', 'bekendgemaakt', 'gewijzigd', 'ingetrokken', 'verlopen') THEN
            RAISE EXCEPTION 'een vastgestelde beschikking wordt niet verwijderd (beschikking %)', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
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

CREATE TRIGGER toegang_beschikking_onveranderlijk
    BEFORE UPDATE OR DELETE ON toegang_beschikking
    FOR EACH ROW EXECUTE FUNCTION toegang_beschikking_onveranderlijk();

CREATE FUNCTION toegang_beschiktproduct_onveranderlijk() RETURNS trigger AS $$
DECLARE
    status_beschikking varchar;
BEGIN
    SELECT status INTO status_beschikking FROM toegang_beschikking
     WHERE id = COALESCE(NEW.beschikking_id, OLD.beschikking_id);
    IF status_beschikking IN ('vastgesteld', 'bekendgemaakt', 'gewijzigd', 'ingetrokken', 'verlopen') THEN
        -- Only the 'actief' flag may follow the beschikking (ended by a new version or withdrawal).
        IF TG_OP <> 'UPDATE' OR
           (NEW.beschikking_id, NEW.product_id, NEW.toegekend, NEW.ingangsdatum, NEW.einddatum,
            NEW.volume, NEW.eenheid, NEW.frequentie, NEW.client_id, NEW.productcategorie)
           IS DISTINCT FROM
           (OLD.beschikking_id, OLD.product_id, OLD.toegekend, OLD.ingangsdatum, OLD.einddatum,
            OLD.volume, OLD.eenheid, OLD.frequentie, OLD.client_id, OLD.productcategorie)
        THEN
            RAISE EXCEPTION 'de producten van een vastgestelde beschikking zijn onveranderlijk'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER toegang_beschiktproduct_onveranderlijk
    BEFORE INSERT OR UPDATE OR DELETE ON toegang_beschiktproduct
    FOR EACH ROW EXECUTE FUNCTION toegang_beschiktproduct_onveranderlijk();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS toegang_beschiktproduct_onveranderlijk ON toegang_beschiktproduct;
DROP FUNCTION IF EXISTS toegang_beschiktproduct_onveranderlijk();
DROP TRIGGER IF EXISTS toegang_beschikking_onveranderlijk ON toegang_beschikking;
DROP FUNCTION IF EXISTS toegang_beschikking_onveranderlijk();
"""


class Migration(migrations.Migration):
    """A vastgestelde beschikking and its products are immutable in the database itself: only
    the status may move on (bekendgemaakt, gewijzigd, ingetrokken, verlopen), with its dates,
    the letter once, and the products' 'actief' flag."""

    dependencies = [("toegang", "0002_client_melding_beschikking_toewijzing")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
