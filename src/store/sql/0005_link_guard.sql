-- 0005_link_guard.sql — a referral may name only a patient its author may know
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A patient becomes visible through any referral that names them, and a
-- foreign key needs no read access: without this rule a specialist could
-- create referrals naming arbitrary patient ids and so read every patient.
-- Now a referral's patient_id may be set (on insert or update) only to a
-- patient the person can already see, or one that a duplicate search showed
-- them within the last twelve hours (read from audit.log). Administrators
-- and superusers (bulk loads) are not limited.

CREATE FUNCTION rd.may_link_patient(p_patient bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT rd.is_admin()
      OR EXISTS (SELECT 1 FROM rd.referral r
                 WHERE r.patient_id = p_patient AND r.queue_id = ANY (rd.my_queue_ids()))
      OR EXISTS (SELECT 1 FROM rd.patient p
                 WHERE p.id = p_patient AND p.created_by = session_user
                   AND NOT EXISTS (SELECT 1 FROM rd.referral r WHERE r.patient_id = p.id))
      OR EXISTS (SELECT 1 FROM audit.log a
                 WHERE a.who = session_user AND a.at > now() - interval '12 hours'
                   AND a.operation = 'SEARCH' AND a.table_name = 'patient'
                   AND a.after -> 'shown' @> to_jsonb(p_patient))
$$;
REVOKE ALL ON FUNCTION rd.may_link_patient(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rd.may_link_patient(bigint) TO rd_specialist;

CREATE OR REPLACE FUNCTION rd.referral_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, rd
AS $$
DECLARE
  me text := session_user;
  old_status text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END;
  old_assignee text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.assignee END;
  old_claimed_by text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.claimed_by END;
  old_claim_live boolean := TG_OP = 'UPDATE' AND OLD.claimed_by IS NOT NULL
                            AND OLD.claimed_until > now();
  is_lead boolean;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
    IF NOT rd.lifecycle_can_transition(OLD.status, NEW.status) THEN
      RAISE EXCEPTION 'a referral cannot go from status "%" to "%"', OLD.status, NEW.status
        USING ERRCODE = 'RD001',
              HINT = 'See DESIGN.md §5 for the allowed status changes.';
    END IF;
  END IF;

  -- closed_at follows the status; reopening clears the close reason.
  IF rd.status_is_open(NEW.status) THEN
    NEW.closed_at := NULL;
    IF TG_OP = 'UPDATE' AND NOT rd.status_is_open(OLD.status) THEN
      NEW.close_reason := NULL;
    END IF;
  ELSIF TG_OP = 'INSERT' OR rd.status_is_open(old_status) THEN
    NEW.closed_at := coalesce(NEW.closed_at, now());
  END IF;
  IF NEW.status IN ('declined', 'cancelled') AND coalesce(btrim(NEW.close_reason), '') = '' THEN
    RAISE EXCEPTION 'a referral that is % needs a close reason', NEW.status
      USING ERRCODE = '23514', CONSTRAINT = 'referral_close_reason',
            HINT = 'Give the reason the referral was declined or cancelled.';
  END IF;

  -- Only changes of who works on it need the checks below (and the queries
  -- they make): a bulk load or an ordinary edit stops here.
  IF NEW.assignee IS NOT DISTINCT FROM old_assignee
     AND NEW.patient_id IS NOT DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.patient_id END)
     AND NEW.claimed_by IS NOT DISTINCT FROM old_claimed_by
     AND NEW.claimed_until IS NOT DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.claimed_until END)
     AND (TG_OP = 'INSERT' OR NEW.queue_id = OLD.queue_id) THEN
    RETURN NEW;
  END IF;
  IF rd.session_is_superuser() THEN
    RETURN NEW;
  END IF;

  -- Naming a patient on a referral makes the patient visible: allowed only
  -- for a patient the person may see already, or was shown by a duplicate
  -- search (rd.find_patient_candidates(), rd.find_patient_by_mrn()).
  IF NEW.patient_id IS NOT NULL
     AND NEW.patient_id IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.patient_id END)
     AND NOT rd.may_link_patient(NEW.patient_id) THEN
    RAISE EXCEPTION 'patient % is not one you may add to a referral', NEW.patient_id
      USING ERRCODE = '42501',
            HINT = 'Find the patient with the duplicate search first.';
  END IF;

  IF NEW.assignee IS DISTINCT FROM old_assignee OR
     (TG_OP = 'UPDATE' AND NEW.queue_id <> OLD.queue_id AND NEW.assignee IS NOT NULL) THEN
    is_lead := (TG_OP = 'INSERT' OR OLD.queue_id = ANY (rd.my_lead_queue_ids()))
               AND NEW.queue_id = ANY (rd.my_lead_queue_ids());
    IF NOT is_lead AND NOT ((old_assignee IS NULL AND NEW.assignee = me) OR
                            (old_assignee = me AND NEW.assignee IS NULL) OR
                            (old_assignee IS NOT DISTINCT FROM NEW.assignee)) THEN
      RAISE EXCEPTION 'only a lead of the team may assign a referral to someone else'
        USING ERRCODE = '42501';
    END IF;
    IF NEW.assignee IS NOT NULL AND NOT rd.staff_serves_queue(NEW.assignee, NEW.queue_id) THEN
      RAISE EXCEPTION 'the assignee is not an active member of the team of work queue %', NEW.queue_id
        USING ERRCODE = '42501';
    END IF;
  END IF;

  IF NEW.claimed_by IS DISTINCT FROM old_claimed_by OR
     NEW.claimed_until IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.claimed_until END) THEN
    IF NEW.claimed_by IS NULL THEN
      IF old_claim_live AND old_claimed_by <> me
         AND NOT (NEW.queue_id = ANY (rd.my_lead_queue_ids())) THEN
        RAISE EXCEPTION 'only the holder of a claim may release it'
          USING ERRCODE = '42501';
      END IF;
    ELSIF NEW.claimed_by <> me THEN
      RAISE EXCEPTION 'a claim can only be taken for oneself'
        USING ERRCODE = '42501';
    ELSIF old_claim_live AND old_claimed_by <> me THEN
      RAISE EXCEPTION 'the referral is claimed by someone else until %', OLD.claimed_until
        USING ERRCODE = '42501';
    END IF;
  END IF;

  RETURN NEW;
END
$$;

DROP TRIGGER referral_10_guard_update ON rd.referral;
CREATE TRIGGER referral_10_guard_update BEFORE UPDATE ON rd.referral
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.assignee IS DISTINCT FROM NEW.assignee
        OR OLD.queue_id IS DISTINCT FROM NEW.queue_id
        OR OLD.patient_id IS DISTINCT FROM NEW.patient_id
        OR OLD.claimed_by IS DISTINCT FROM NEW.claimed_by
        OR OLD.claimed_until IS DISTINCT FROM NEW.claimed_until)
  EXECUTE FUNCTION rd.referral_guard();
