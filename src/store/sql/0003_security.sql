-- 0003_security.sql — row-level security, grants, and the functions people call
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Who sees what (DESIGN.md §6; enforced here, never only by the client):
--
--  * Identity is session_user: each person logs in as their own role, a
--    member of rd_specialist, rd_lead or rd_admin (rd_admin is a member of
--    rd_lead, rd_lead of rd_specialist). SET ROLE does not change who you are
--    for these rules.
--  * A referral is visible and changeable when its work queue belongs to a
--    team the person is in (rd.my_queue_ids()); administrators see all.
--    Giving work to someone else is for the leads of the queue's team (the
--    guard trigger of 0002); the lead functions below work only there.
--  * Everything hanging off a referral (events, authorizations, appointments,
--    tasks, missing items, barriers, communications, complaints) follows the
--    referral. A document is visible when it waits in the inbox of one of
--    the person's queues or belongs to a visible referral; its bytes are read
--    only through rd.read_document(), which logs the read.
--  * A patient is visible when one of their referrals is visible, or to the
--    person who registered them while no referral names them yet (so the
--    intake form can save the patient first). Coverage follows the patient.
--
-- Minimum necessary when searching for duplicates: before creating a patient
-- a specialist must find out whether the person already exists, possibly
-- with referrals in other teams that the specialist may not see. Neither the
-- patient table nor a broad search is opened for that. Instead
-- rd.find_patient_candidates(family, given, dob) (SECURITY DEFINER) returns,
-- for an exact date of birth and a similar name only, at most ten rows of
-- four facts — id, MRN, names, date of birth — and rd.find_patient_by_mrn()
-- the same for an exact MRN. Each search is written to audit.log (who, when,
-- which patient ids were shown). Linking the new referral to the found id is
-- then allowed (a foreign key needs no read access), and from that moment the
-- patient is visible through the referral, as for anyone else.
--
-- Speed: policies compare queue_id with an array computed once per statement
-- (`queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[])` becomes an InitPlan), so the
-- worklist index of 0001 still serves the list.

-- Enable and force RLS on every table holding PHI ------------------------------

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rd.patient', 'rd.coverage', 'rd.referral', 'rd.referral_event',
                           'rd.document', 'rd.document_blob', 'rd.authorization',
                           'rd.appointment', 'rd.task', 'rd.missing_item', 'rd.barrier',
                           'rd.communication', 'rd.complaint', 'audit.log'] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    -- The owner acts only inside the SECURITY DEFINER functions below, which
    -- check visibility themselves.
    EXECUTE format('CREATE POLICY owner_all ON %s TO rd_owner USING (true) WITH CHECK (true)', t);
  END LOOP;
END
$$;

-- Whether any referral, visible or not, names the patient.
CREATE FUNCTION rd.patient_has_referral(patient_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT EXISTS (SELECT 1 FROM rd.referral r WHERE r.patient_id = $1)
$$;

-- Referrals
CREATE POLICY staff_select ON rd.referral FOR SELECT TO rd_specialist
  USING (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]));
CREATE POLICY staff_insert ON rd.referral FOR INSERT TO rd_specialist
  WITH CHECK (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]));
CREATE POLICY staff_update ON rd.referral FOR UPDATE TO rd_specialist
  USING (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]))
  WITH CHECK (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]));
CREATE POLICY admin_delete ON rd.referral FOR DELETE TO rd_admin USING (true);

-- Patients
CREATE POLICY staff_select ON rd.patient FOR SELECT TO rd_specialist
  USING (EXISTS (SELECT 1 FROM rd.referral r WHERE r.patient_id = patient.id)
         OR (created_by = session_user AND NOT rd.patient_has_referral(id))
         OR (SELECT rd.is_admin()));
CREATE POLICY staff_insert ON rd.patient FOR INSERT TO rd_specialist
  WITH CHECK (true);
CREATE POLICY staff_update ON rd.patient FOR UPDATE TO rd_specialist
  USING (EXISTS (SELECT 1 FROM rd.referral r WHERE r.patient_id = patient.id)
         OR (created_by = session_user AND NOT rd.patient_has_referral(id))
         OR (SELECT rd.is_admin()));
CREATE POLICY admin_delete ON rd.patient FOR DELETE TO rd_admin USING (true);

-- Coverage follows the patient.
CREATE POLICY staff_all ON rd.coverage FOR ALL TO rd_specialist
  USING (EXISTS (SELECT 1 FROM rd.patient p WHERE p.id = coverage.patient_id))
  WITH CHECK (EXISTS (SELECT 1 FROM rd.patient p WHERE p.id = coverage.patient_id));

-- Documents: an inbox of one's queues, or a visible referral.
CREATE POLICY staff_select ON rd.document FOR SELECT TO rd_specialist
  USING (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[])
         OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id));
CREATE POLICY staff_insert ON rd.document FOR INSERT TO rd_specialist
  WITH CHECK (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[])
              OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id));
CREATE POLICY staff_update ON rd.document FOR UPDATE TO rd_specialist
  USING (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[])
         OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id))
  WITH CHECK (queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[])
              OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id));
CREATE POLICY admin_delete ON rd.document FOR DELETE TO rd_admin USING (true);

-- Bytes may be added to a visible document; reading goes through rd.read_document().
CREATE POLICY staff_insert ON rd.document_blob FOR INSERT TO rd_specialist
  WITH CHECK (EXISTS (SELECT 1 FROM rd.document d WHERE d.id = document_blob.document_id));
CREATE POLICY admin_delete ON rd.document_blob FOR DELETE TO rd_admin USING (true);

-- Everything that hangs off a referral follows it.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['authorization', 'appointment', 'task', 'missing_item', 'barrier',
                           'communication', 'complaint'] LOOP
    EXECUTE format('CREATE POLICY staff_all ON rd.%I FOR ALL TO rd_specialist '
                   'USING (EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = %I.referral_id)) '
                   'WITH CHECK (EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = %I.referral_id))',
                   t, t, t);
  END LOOP;
END
$$;
CREATE POLICY staff_select ON rd.referral_event FOR SELECT TO rd_specialist
  USING (EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = referral_event.referral_id));

-- Administrators read the audit log; nobody writes it but the owner's functions.
CREATE POLICY admin_select ON audit.log FOR SELECT TO rd_admin USING (true);

-- Functions people call -----------------------------------------------------------

-- Duplicate search for the intake form: exact date of birth and a similar
-- name; four facts per row; audited. See the top of this file.
CREATE FUNCTION rd.find_patient_candidates(p_family_name text, p_given_name text, p_dob date)
RETURNS TABLE (id bigint, mrn text, family_name text, given_name text, dob date, score real)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
DECLARE
  wanted text := btrim(coalesce(p_given_name, '') || ' ' || coalesce(p_family_name, ''));
  ids bigint[];
BEGIN
  IF coalesce(btrim(p_family_name), '') = '' OR p_dob IS NULL THEN
    RAISE EXCEPTION 'a duplicate search needs a family name and a date of birth'
      USING ERRCODE = '22023';
  END IF;

  SELECT coalesce(array_agg(c.id ORDER BY c.s DESC, c.id), '{}') INTO ids
  FROM (SELECT p.id, greatest(public.similarity(p.full_name, wanted),
                              public.similarity(p.family_name, p_family_name)) AS s
        FROM rd.patient p
        WHERE p.dob = p_dob) AS c
  WHERE c.s >= 0.3;
  ids := ids[1:10];

  INSERT INTO audit.log (table_name, row_id, operation, after)
  VALUES ('patient', NULL, 'SEARCH',
          jsonb_build_object('kind', 'duplicate', 'shown', to_jsonb(ids)));

  RETURN QUERY
  SELECT p.id, p.mrn, p.family_name, p.given_name, p.dob,
         greatest(public.similarity(p.full_name, wanted),
                  public.similarity(p.family_name, p_family_name))
  FROM rd.patient p
  WHERE p.id = ANY (ids)
  ORDER BY 6 DESC, 1;
END
$$;

CREATE FUNCTION rd.find_patient_by_mrn(p_mrn text)
RETURNS TABLE (id bigint, mrn text, family_name text, given_name text, dob date)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
DECLARE
  ids bigint[];
BEGIN
  IF coalesce(btrim(p_mrn), '') = '' THEN
    RAISE EXCEPTION 'give an MRN to search for' USING ERRCODE = '22023';
  END IF;

  SELECT coalesce(array_agg(p.id ORDER BY p.id), '{}') INTO ids
  FROM rd.patient p WHERE p.mrn = btrim(p_mrn);
  ids := ids[1:10];

  INSERT INTO audit.log (table_name, row_id, operation, after)
  VALUES ('patient', NULL, 'SEARCH', jsonb_build_object('kind', 'mrn', 'shown', to_jsonb(ids)));

  RETURN QUERY
  SELECT p.id, p.mrn, p.family_name, p.given_name, p.dob
  FROM rd.patient p WHERE p.id = ANY (ids) ORDER BY p.id;
END
$$;

-- The bytes of a visible document; every call leaves one READ record.
-- Raises P0002 (no_data_found) for a document that does not exist or is not
-- visible, without telling the two apart.
CREATE FUNCTION rd.read_document(p_id bigint) RETURNS bytea
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
DECLARE
  mine bigint[] := rd.my_queue_ids();
  bytes bytea;
BEGIN
  PERFORM 1 FROM rd.document d
  WHERE d.id = p_id
    AND (d.queue_id = ANY (mine)
         OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = d.referral_id AND r.queue_id = ANY (mine)));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'document % not found', p_id USING ERRCODE = 'P0002';
  END IF;

  SELECT b.data INTO bytes FROM rd.document_blob b WHERE b.document_id = p_id;
  INSERT INTO audit.log (table_name, row_id, operation, after)
  VALUES ('document', p_id, 'READ', jsonb_build_object('bytes', octet_length(bytes)));
  RETURN bytes;
END
$$;

-- Claims ------------------------------------------------------------------------------
-- A claim is a lease: claimed_by = the session user until claimed_until.
-- Taking or renewing it does not change the referral's version.

-- Takes or renews the claim. Returns the row, or no row when someone else
-- holds a live claim (or the referral is not visible): read claimed_by then.
CREATE FUNCTION rd.claim_referral(p_id bigint, p_lease interval DEFAULT '10 minutes')
RETURNS SETOF rd.referral
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, rd
AS $$
  UPDATE rd.referral
  SET claimed_by = session_user,
      claimed_until = now() + least(greatest(p_lease, interval '30 seconds'), interval '8 hours')
  WHERE id = p_id
    AND (claimed_by IS NULL OR claimed_by = session_user OR claimed_until <= now())
  RETURNING *
$$;

-- Releases one's own claim; TRUE when there was one.
CREATE FUNCTION rd.release_referral(p_id bigint) RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, rd
AS $$
  WITH released AS (
    UPDATE rd.referral SET claimed_by = NULL, claimed_until = NULL
    WHERE id = p_id AND claimed_by = session_user
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM released)
$$;

-- Hands out and claims the most urgent unclaimed NEW referral of a queue
-- (NULL: of all one's queues) that is unassigned or assigned to oneself.
-- FOR UPDATE SKIP LOCKED: two people never get the same referral.
CREATE FUNCTION rd.next_referral(p_queue_id bigint DEFAULT NULL,
                                 p_lease interval DEFAULT '10 minutes')
RETURNS SETOF rd.referral
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, rd
AS $$
DECLARE
  picked bigint;
BEGIN
  IF p_queue_id IS NOT NULL THEN
    SELECT r.id INTO picked FROM rd.referral r
    WHERE r.queue_id = p_queue_id AND r.status = 'new' AND r.claimed_by IS NULL
      AND (r.assignee IS NULL OR r.assignee = session_user)
    ORDER BY r.priority_rank DESC, r.due_at, r.id
    LIMIT 1 FOR UPDATE SKIP LOCKED;
  ELSE
    SELECT r.id INTO picked FROM rd.referral r
    WHERE r.status = 'new' AND r.claimed_by IS NULL
      AND (r.assignee IS NULL OR r.assignee = session_user)
    ORDER BY r.priority_rank DESC, r.due_at, r.id
    LIMIT 1 FOR UPDATE SKIP LOCKED;
  END IF;

  -- Then leases that ran out.
  IF picked IS NULL THEN
    SELECT r.id INTO picked FROM rd.referral r
    WHERE r.claimed_by IS NOT NULL AND r.claimed_until <= now() AND r.status = 'new'
      AND (p_queue_id IS NULL OR r.queue_id = p_queue_id)
      AND (r.assignee IS NULL OR r.assignee = session_user)
    ORDER BY r.priority_rank DESC, r.due_at, r.id
    LIMIT 1 FOR UPDATE SKIP LOCKED;
  END IF;

  IF picked IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY SELECT * FROM rd.claim_referral(picked, p_lease);
END
$$;

-- Status ------------------------------------------------------------------------------

-- Changes the status of the referral @p_id at @p_version, with a reason for
-- the event log (the close reason when declining or cancelling). Returns the
-- new row, or no row when the version is stale or the referral not visible.
-- A change DESIGN.md §5 does not allow raises RD001, also for a repeat of
-- the same state (only SCHEDULED → SCHEDULED, a rebooking, is one).
CREATE FUNCTION rd.set_referral_status(p_id bigint, p_version bigint, p_status text,
                                       p_reason text DEFAULT NULL)
RETURNS SETOF rd.referral
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, rd
AS $$
DECLARE
  current text;
BEGIN
  SELECT r.status INTO current FROM rd.referral r
  WHERE r.id = p_id AND r.version = p_version
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  IF current = p_status AND NOT rd.lifecycle_can_transition(current, p_status) THEN
    RAISE EXCEPTION 'a referral cannot go from status "%" to "%"', current, p_status
      USING ERRCODE = 'RD001',
            HINT = 'See DESIGN.md §5 for the allowed status changes.';
  END IF;

  PERFORM set_config('rd.status_reason', coalesce(p_reason, ''), true);
  PERFORM set_config('rd.status_repeat', CASE WHEN current = p_status THEN p_id::text ELSE '' END, true);

  IF p_status IN ('declined', 'cancelled') THEN
    RETURN QUERY UPDATE rd.referral SET status = p_status, close_reason = p_reason
                 WHERE id = p_id AND version = p_version RETURNING *;
  ELSE
    RETURN QUERY UPDATE rd.referral SET status = p_status
                 WHERE id = p_id AND version = p_version RETURNING *;
  END IF;

  PERFORM set_config('rd.status_reason', '', true);
  PERFORM set_config('rd.status_repeat', '', true);
END
$$;

-- Leads: reassigning ------------------------------------------------------------------
-- Each call is one transaction: a row that may not be given (not the caller's
-- team, assignee outside the team) raises and nothing changes.

-- One referral at a known version; no row when the version is stale.
CREATE FUNCTION rd.reassign_referral(p_id bigint, p_version bigint, p_assignee text,
                                     p_queue_id bigint DEFAULT NULL)
RETURNS SETOF rd.referral
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, rd
AS $$
  UPDATE rd.referral
  SET assignee = p_assignee, queue_id = coalesce(p_queue_id, queue_id)
  WHERE id = p_id AND version = p_version
  RETURNING *
$$;

-- A selection, to one person (NULL: unassign) and optionally another queue.
-- Returns how many changed; raises P0002 when one of them is not visible.
CREATE FUNCTION rd.reassign_referrals(p_ids bigint[], p_assignee text,
                                      p_queue_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, rd
AS $$
DECLARE
  wanted integer := (SELECT count(DISTINCT x) FROM unnest(p_ids) AS x);
  locked integer;
  changed integer;
BEGIN
  SELECT count(*) INTO locked
  FROM (SELECT 1 FROM rd.referral WHERE id = ANY (p_ids) ORDER BY id FOR UPDATE) AS l;
  IF locked <> wanted THEN
    RAISE EXCEPTION '% of the % referrals are not visible to you', wanted - locked, wanted
      USING ERRCODE = 'P0002';
  END IF;

  UPDATE rd.referral
  SET assignee = p_assignee, queue_id = coalesce(p_queue_id, queue_id)
  WHERE id = ANY (p_ids);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END
$$;

-- "Cover for Maria today": everything open assigned to @p_from in the queues
-- the caller leads, split evenly (round-robin in worklist order) among @p_to.
CREATE FUNCTION rd.cover_for(p_from text, p_to text[]) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, rd
AS $$
DECLARE
  n integer := coalesce(cardinality(p_to), 0);
  lead_queues bigint[] := rd.my_lead_queue_ids();
  changed integer;
BEGIN
  IF n = 0 OR array_position(p_to, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'name at least one person to take the work' USING ERRCODE = '22023';
  END IF;

  PERFORM 1 FROM rd.referral r
  WHERE r.assignee = p_from AND r.queue_id = ANY (lead_queues)
    AND r.status IN ('new', 'triage', 'pending_info', 'pending_auth',
                     'accepted', 'scheduled', 'no_show', 'seen')
  ORDER BY r.id FOR UPDATE;

  UPDATE rd.referral r
  SET assignee = p_to[(w.i % n) + 1]
  FROM (SELECT x.id, row_number() OVER (ORDER BY x.priority_rank DESC, x.due_at, x.id) - 1 AS i
        FROM rd.referral x
        WHERE x.assignee = p_from AND x.queue_id = ANY (lead_queues)
          AND x.status IN ('new', 'triage', 'pending_info', 'pending_auth',
                           'accepted', 'scheduled', 'no_show', 'seen')) AS w
  WHERE r.id = w.id;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END
$$;

-- Distributes the open, unassigned referrals of a queue round-robin among @p_to.
CREATE FUNCTION rd.distribute_unassigned(p_queue_id bigint, p_to text[]) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, rd
AS $$
DECLARE
  n integer := coalesce(cardinality(p_to), 0);
  changed integer;
BEGIN
  IF n = 0 OR array_position(p_to, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'name at least one person to take the work' USING ERRCODE = '22023';
  END IF;
  IF NOT (p_queue_id = ANY (rd.my_lead_queue_ids())) THEN
    RAISE EXCEPTION 'only a lead of the team may distribute the work of queue %', p_queue_id
      USING ERRCODE = '42501';
  END IF;

  PERFORM 1 FROM rd.referral r
  WHERE r.queue_id = p_queue_id AND r.assignee IS NULL
    AND r.status IN ('new', 'triage', 'pending_info', 'pending_auth',
                     'accepted', 'scheduled', 'no_show', 'seen')
  ORDER BY r.id FOR UPDATE;

  UPDATE rd.referral r
  SET assignee = p_to[(w.i % n) + 1]
  FROM (SELECT x.id, row_number() OVER (ORDER BY x.priority_rank DESC, x.due_at, x.id) - 1 AS i
        FROM rd.referral x
        WHERE x.queue_id = p_queue_id AND x.assignee IS NULL
          AND x.status IN ('new', 'triage', 'pending_info', 'pending_auth',
                           'accepted', 'scheduled', 'no_show', 'seen')) AS w
  WHERE r.id = w.id;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END
$$;

-- The worklist row: a referral with the names lists show. security_invoker:
-- the reader's own row-level security applies.
CREATE VIEW rd.worklist WITH (security_invoker = true) AS
SELECT r.*,
       p.full_name AS patient_name, p.dob AS patient_dob, p.mrn AS patient_mrn,
       rp.name AS referring_name, xp.name AS receiving_name,
       py.name AS payer_name,
       sa.display_name AS assignee_name,
       sc.display_name AS claimed_by_name,
       (r.claimed_by IS NOT NULL AND r.claimed_until > now()) AS claim_live,
       q.name AS queue_name
FROM rd.referral r
JOIN rd.work_queue q ON q.id = r.queue_id
LEFT JOIN rd.patient p ON p.id = r.patient_id
LEFT JOIN rd.provider rp ON rp.id = r.referring_provider_id
LEFT JOIN rd.provider xp ON xp.id = r.receiving_provider_id
LEFT JOIN rd.coverage cv ON cv.id = r.coverage_id
LEFT JOIN rd.payer_plan pp ON pp.id = cv.payer_plan_id
LEFT JOIN rd.payer py ON py.id = pp.payer_id
LEFT JOIN rd.staff sa ON sa.login_name = r.assignee
LEFT JOIN rd.staff sc ON sc.login_name = r.claimed_by;

-- Grants --------------------------------------------------------------------------------

GRANT USAGE ON SCHEMA rd TO rd_specialist;
GRANT USAGE ON SCHEMA audit TO rd_admin;

GRANT SELECT ON rd.schema_version, rd.staff, rd.team, rd.team_member, rd.work_queue,
                rd.organization, rd.payer, rd.payer_plan, rd.provider, rd.provider_plan,
                rd.community_resource, rd.worklist
  TO rd_specialist;
-- An unknown referring office on a fax may be added by whoever files it.
GRANT INSERT ON rd.organization, rd.provider TO rd_specialist;

GRANT SELECT, INSERT ON rd.patient, rd.referral TO rd_specialist;
GRANT UPDATE (organization_id, mrn, family_name, given_name, middle_name, dob, sex,
              phone_home, phone_mobile, email, address_line1, address_line2, city, state,
              zip, language, contact_preference)
  ON rd.patient TO rd_specialist;
GRANT UPDATE (direction, channel, received_at, patient_id, coverage_id,
              referring_provider_id, receiving_provider_id, specialty, reason, diagnoses,
              procedures, priority, status, queue_id, assignee, due_at, claimed_by,
              claimed_until, close_reason, notes)
  ON rd.referral TO rd_specialist;
GRANT SELECT, INSERT, UPDATE ON rd.coverage, rd.document, rd.authorization, rd.appointment,
                                rd.task, rd.missing_item, rd.barrier, rd.communication,
                                rd.complaint
  TO rd_specialist;
GRANT SELECT ON rd.referral_event TO rd_specialist;
GRANT INSERT ON rd.document_blob TO rd_specialist;
GRANT USAGE ON SEQUENCE rd.referral_number_seq TO rd_specialist;

GRANT INSERT, UPDATE, DELETE ON rd.staff, rd.team, rd.team_member, rd.work_queue,
                                rd.organization, rd.payer, rd.payer_plan, rd.provider,
                                rd.provider_plan, rd.community_resource
  TO rd_admin;
GRANT DELETE ON rd.patient, rd.coverage, rd.referral, rd.document, rd.document_blob,
                rd.authorization, rd.appointment, rd.task, rd.missing_item, rd.barrier,
                rd.communication, rd.complaint
  TO rd_admin;
GRANT SELECT ON audit.log TO rd_admin;

-- Functions: nothing for PUBLIC; trigger functions for nobody (triggers do
-- not need EXECUTE); the rest for the group that uses them.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA rd, audit FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
  rd.npi_is_valid(text), rd.codes_match(text[], text), rd.priority_rank(text),
  rd.status_is_open(text), rd.lifecycle_can_transition(text, text),
  rd.session_is_superuser(), rd.is_admin(), rd.my_queue_ids(), rd.my_lead_queue_ids(),
  rd.staff_serves_queue(text, bigint), rd.patient_has_referral(bigint),
  rd.find_patient_candidates(text, text, date), rd.find_patient_by_mrn(text),
  rd.read_document(bigint),
  rd.claim_referral(bigint, interval), rd.release_referral(bigint),
  rd.next_referral(bigint, interval),
  rd.set_referral_status(bigint, bigint, text, text)
  TO rd_specialist;

GRANT EXECUTE ON FUNCTION
  rd.reassign_referral(bigint, bigint, text, bigint),
  rd.reassign_referrals(bigint[], text, bigint),
  rd.cover_for(text, text[]),
  rd.distribute_unassigned(bigint, text[])
  TO rd_lead;
