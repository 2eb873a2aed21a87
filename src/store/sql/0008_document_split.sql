-- 0008_document_split.sql — one fax, several referrals: a document split into parts
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A fax server often puts two or three patients' referrals in one
-- transmission. The client prints each page range into a new PDF and, in
-- one transaction, inserts the parts (rd.document rows with parent_id,
-- page_from, page_to, and their bytes) and then calls
-- rd.split_document(), which checks the parts, files each one to its
-- destination (a new referral, an existing referral, or back into the
-- inbox) and marks the original 'split'. Any failure rolls everything back.
--
-- The original leaves the inbox (it is no longer 'unfiled') but keeps its
-- queue, so the inbox's team can still read it through rd.read_document();
-- it is the record of what was received and can never be deleted, its
-- bytes neither, and it stays 'split'. The audit trail is the usual one:
-- the INSERT of each part (with parent_id and pages), the UPDATE that
-- files it (referral_id, status), the INSERT of each new referral, and the
-- UPDATE of the original (status unfiled → split), all by session_user.

ALTER TABLE rd.document
  ADD COLUMN parent_id bigint REFERENCES rd.document,
  ADD COLUMN page_from integer,
  ADD COLUMN page_to integer,
  ADD CONSTRAINT document_part_pages CHECK
    ((parent_id IS NULL AND page_from IS NULL AND page_to IS NULL)
     OR (parent_id IS NOT NULL AND parent_id <> id AND page_from >= 1 AND page_to >= page_from));

ALTER TABLE rd.document DROP CONSTRAINT document_status_check;
ALTER TABLE rd.document ADD CONSTRAINT document_status_check
  CHECK (status IN ('unfiled', 'filed', 'split'));

CREATE INDEX document_parent_idx ON rd.document (parent_id, page_from) WHERE parent_id IS NOT NULL;

-- Whether document @p_id waits (or waited) in the inbox of one of the
-- caller's queues. SECURITY DEFINER: a policy on rd.document cannot query
-- rd.document itself.
CREATE FUNCTION rd.document_in_my_queues(p_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT EXISTS (SELECT 1 FROM rd.document d
                 WHERE d.id = p_id AND d.queue_id = ANY (rd.my_queue_ids()))
$$;

-- A part may name only an original in one of the writer's inboxes (the
-- rules of 0003 and 0006 otherwise unchanged).
ALTER POLICY staff_insert ON rd.document
  WITH CHECK ((queue_id IS NULL OR queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]))
              AND (referral_id IS NULL
                   OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id))
              AND (parent_id IS NULL OR rd.document_in_my_queues(parent_id)));

-- An original stays as it was received: 'split' only through
-- rd.split_document(), never back, never deleted; parts keep their pages.
CREATE FUNCTION rd.document_split_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, rd
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'split' THEN
      RAISE EXCEPTION 'document % was split and is kept as received', OLD.id
        USING ERRCODE = '42501',
              HINT = 'A split fax is the record of what was received; it cannot be deleted.';
    END IF;
    RETURN OLD;
  END IF;

  IF OLD.status = 'split' AND NEW.status <> 'split' THEN
    RAISE EXCEPTION 'document % was split and stays split', OLD.id USING ERRCODE = '42501';
  END IF;
  IF NEW.status = 'split' AND OLD.status <> 'split'
     AND current_setting('rd.splitting', true) IS DISTINCT FROM NEW.id::text THEN
    RAISE EXCEPTION 'document % can only be split with rd.split_document()', NEW.id
      USING ERRCODE = '42501';
  END IF;
  IF OLD.status = 'split' AND (NEW.sha256 <> OLD.sha256 OR NEW.size_bytes <> OLD.size_bytes
                               OR NEW.queue_id IS DISTINCT FROM OLD.queue_id
                               OR NEW.referral_id IS DISTINCT FROM OLD.referral_id) THEN
    RAISE EXCEPTION 'document % was split and is kept as received', OLD.id USING ERRCODE = '42501';
  END IF;
  IF NEW.parent_id IS DISTINCT FROM OLD.parent_id OR NEW.page_from IS DISTINCT FROM OLD.page_from
     OR NEW.page_to IS DISTINCT FROM OLD.page_to THEN
    RAISE EXCEPTION 'the pages a part was made of cannot change' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER document_20_split_guard BEFORE UPDATE OR DELETE ON rd.document
  FOR EACH ROW EXECUTE FUNCTION rd.document_split_guard();

CREATE FUNCTION rd.document_blob_split_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM rd.document d WHERE d.id = OLD.document_id AND d.status = 'split') THEN
    RAISE EXCEPTION 'the bytes of split document % are kept as received', OLD.document_id
      USING ERRCODE = '42501';
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER document_blob_split_guard BEFORE DELETE ON rd.document_blob
  FOR EACH ROW EXECUTE FUNCTION rd.document_blob_split_guard();

-- Files the parts of document @p_id (at @p_version, still unfiled) and
-- marks it split. The parts are the rows inserted before in the same
-- transaction with parent_id = @p_id; @p_plan names each of them once:
--   [{"document_id": 12, "destination": "new"},
--    {"document_id": 13, "destination": "referral", "referral_id": 7},
--    {"document_id": 14, "destination": "inbox"}]
-- "new" makes a referral in NEW, in the original's queue, received when and
-- how the original was. Returns the parts, filed, in page order; no row at
-- all when the original changed meanwhile (stale version, already filed or
-- split): the caller rolls back. Raises P0002 when the original or a
-- destination referral is not visible or no longer open, 22023 for a plan
-- that does not match the parts or pages that overlap or lie outside the
-- original. SECURITY INVOKER: row-level security applies to every step.
CREATE FUNCTION rd.split_document(p_id bigint, p_version bigint, p_plan jsonb)
RETURNS SETOF rd.document
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, rd
AS $$
DECLARE
  original rd.document;
  step jsonb;
  part rd.document;
  target bigint;
  n_plan integer;
  n_parts integer;
BEGIN
  SELECT * INTO original FROM rd.document d WHERE d.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'document % not found', p_id USING ERRCODE = 'P0002';
  END IF;
  IF original.version <> p_version OR original.status <> 'unfiled' THEN
    RETURN;
  END IF;

  IF jsonb_typeof(p_plan) IS DISTINCT FROM 'array' OR jsonb_array_length(p_plan) = 0 THEN
    RAISE EXCEPTION 'a split needs at least one part' USING ERRCODE = '22023';
  END IF;
  SELECT count(DISTINCT (s ->> 'document_id')) INTO n_plan FROM jsonb_array_elements(p_plan) AS s;
  SELECT count(*) INTO n_parts FROM rd.document d WHERE d.parent_id = p_id;
  IF n_plan <> jsonb_array_length(p_plan) OR n_plan <> n_parts
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_plan) AS s
                WHERE NOT EXISTS (SELECT 1 FROM rd.document d
                                  WHERE d.id = (s ->> 'document_id')::bigint
                                    AND d.parent_id = p_id)) THEN
    RAISE EXCEPTION 'the plan must name every part of document % once', p_id
      USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM rd.document d WHERE d.parent_id = p_id
               AND (d.page_to > coalesce(original.pages, d.page_to) OR d.status <> 'unfiled'))
     OR EXISTS (SELECT 1 FROM rd.document a JOIN rd.document b
                  ON b.parent_id = a.parent_id AND b.id <> a.id
                 AND a.page_from <= b.page_to AND b.page_from <= a.page_to
                WHERE a.parent_id = p_id) THEN
    RAISE EXCEPTION 'the parts of document % overlap or lie outside its pages', p_id
      USING ERRCODE = '22023';
  END IF;

  FOR step IN SELECT s FROM jsonb_array_elements(p_plan) AS s LOOP
    CASE step ->> 'destination'
      WHEN 'new' THEN
        INSERT INTO rd.referral (channel, received_at, queue_id)
        VALUES (CASE WHEN original.received_via IN ('fax', 'scan', 'email', 'hl7', 'fhir')
                     THEN original.received_via ELSE 'manual' END,
                original.received_at, original.queue_id)
        RETURNING id INTO target;
      WHEN 'referral' THEN
        SELECT r.id INTO target FROM rd.referral r
        WHERE r.id = (step ->> 'referral_id')::bigint AND rd.status_is_open(r.status);
        IF NOT FOUND THEN
          RAISE EXCEPTION 'referral % not found or closed', step ->> 'referral_id'
            USING ERRCODE = 'P0002';
        END IF;
      WHEN 'inbox' THEN
        target := NULL;
      ELSE
        RAISE EXCEPTION 'unknown destination "%"', step ->> 'destination' USING ERRCODE = '22023';
    END CASE;

    IF target IS NOT NULL THEN
      UPDATE rd.document SET referral_id = target, status = 'filed'
      WHERE id = (step ->> 'document_id')::bigint;
    END IF;
  END LOOP;

  PERFORM set_config('rd.splitting', p_id::text, true);
  UPDATE rd.document SET status = 'split' WHERE id = p_id;
  PERFORM set_config('rd.splitting', '', true);

  RETURN QUERY SELECT * FROM rd.document d WHERE d.parent_id = p_id ORDER BY d.page_from;
END
$$;

REVOKE ALL ON FUNCTION rd.document_split_guard(), rd.document_blob_split_guard(),
                       rd.document_in_my_queues(bigint),
                       rd.split_document(bigint, bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rd.document_in_my_queues(bigint),
                          rd.split_document(bigint, bigint, jsonb) TO rd_specialist;
