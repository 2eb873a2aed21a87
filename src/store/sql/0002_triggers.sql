-- 0002_triggers.sql — versions, the lifecycle rule, guards, events, NOTIFY, audit
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Errors raised here, for the C layer to map (rd-store-error.h):
--   RD001  a status change DESIGN.md §5 does not allow      → INVALID_INPUT
--   23514  check_violation (e.g. a missing close reason)     → INVALID_INPUT
--   42501  insufficient_privilege (assigning, claiming for
--          someone else, reassigning outside one's teams)    → PERMISSION_DENIED
--   55000  object_not_in_prerequisite_state (audit is
--          append-only)                                      → PERMISSION_DENIED

-- Who is working: the login role, never a role switched to with SET ROLE.
CREATE FUNCTION rd.session_is_superuser() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
  SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
$$;

-- Bookkeeping on every editable row -----------------------------------------------

-- BEFORE INSERT: the server, not the client, says who and when.
CREATE FUNCTION rd.stamp_insert() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, rd
AS $$
BEGIN
  NEW.version := 1;
  NEW.created_at := now();
  NEW.created_by := session_user;
  NEW.updated_at := now();
  NEW.updated_by := session_user;
  RETURN NEW;
END
$$;

CREATE FUNCTION rd.stamp_blob() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, rd
AS $$
BEGIN
  NEW.created_at := now();
  NEW.created_by := session_user;
  RETURN NEW;
END
$$;

-- BEFORE UPDATE: bump version unless only the columns named in the trigger's
-- arguments changed (a referral's claim: renewing a lease must not make the
-- editor's copy stale). Generated columns are not computed yet in a BEFORE
-- trigger, so they are named in the arguments too.
CREATE FUNCTION rd.stamp_update() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, rd
AS $$
DECLARE
  skip text[] := TG_ARGV || ARRAY['version', 'updated_at', 'updated_by', 'created_at', 'created_by'];
BEGIN
  NEW.created_at := OLD.created_at;
  NEW.created_by := OLD.created_by;
  IF TG_NARGS > 0 AND (to_jsonb(NEW) - skip) = (to_jsonb(OLD) - skip)
     AND coalesce(current_setting('rd.status_repeat', true), '') = '' THEN
    NEW.version := OLD.version;
    NEW.updated_at := OLD.updated_at;
    NEW.updated_by := OLD.updated_by;
  ELSE
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    NEW.updated_by := session_user;
  END IF;
  RETURN NEW;
END
$$;

-- NOTIFY rd_changes with table, id, version and operation only: never PHI.
-- A statement that touches more than 100 rows sends one {"op":"BULK"} message
-- instead, so that bulk loads do not flood listeners (they resync).
CREATE FUNCTION rd.notify_changes() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, rd
AS $$
DECLARE
  n bigint;
  r record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT count(*) INTO n FROM old_rows;
  ELSE
    SELECT count(*) INTO n FROM new_rows;
  END IF;
  IF n = 0 THEN
    RETURN NULL;
  ELSIF n > 100 THEN
    PERFORM pg_notify('rd_changes',
                      json_build_object('table', TG_TABLE_NAME, 'op', 'BULK', 'rows', n)::text);
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    FOR r IN SELECT o.id, o.version FROM old_rows o ORDER BY o.id LOOP
      PERFORM pg_notify('rd_changes', json_build_object('table', TG_TABLE_NAME, 'id', r.id,
                                                         'version', r.version, 'op', TG_OP)::text);
    END LOOP;
  ELSE
    FOR r IN SELECT w.id, w.version FROM new_rows w ORDER BY w.id LOOP
      PERFORM pg_notify('rd_changes', json_build_object('table', TG_TABLE_NAME, 'id', r.id,
                                                         'version', r.version, 'op', TG_OP)::text);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;

-- Audit --------------------------------------------------------------------------

-- Statement-level, with transition tables: one audit.log row per changed row.
-- TG_ARGV[0] is the key column (usually "id"); further arguments name columns
-- left out of the record (document bytes). An UPDATE records only the fields
-- that changed, before and after.
CREATE FUNCTION audit.capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, rd, audit
AS $$
DECLARE
  key text := TG_ARGV[0];
  excluded text[] := TG_ARGV[1:];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.log (table_name, row_id, operation, after)
    SELECT TG_TABLE_NAME, (j ->> key)::bigint, 'INSERT', j
    FROM (SELECT to_jsonb(n) - excluded AS j FROM new_rows n) AS s;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.log (table_name, row_id, operation, before)
    SELECT TG_TABLE_NAME, (j ->> key)::bigint, 'DELETE', j
    FROM (SELECT to_jsonb(o) - excluded AS j FROM old_rows o) AS s;
  ELSE
    INSERT INTO audit.log (table_name, row_id, operation, before, after)
    SELECT TG_TABLE_NAME, (nj ->> key)::bigint, 'UPDATE',
           coalesce((SELECT jsonb_object_agg(k, oj -> k) FROM jsonb_object_keys(nj) AS k
                     WHERE (oj -> k) IS DISTINCT FROM (nj -> k)), '{}'),
           coalesce((SELECT jsonb_object_agg(k, nj -> k) FROM jsonb_object_keys(nj) AS k
                     WHERE (oj -> k) IS DISTINCT FROM (nj -> k)), '{}')
    FROM (SELECT to_jsonb(o) - excluded AS oj FROM old_rows o) AS os
    JOIN (SELECT to_jsonb(n) - excluded AS nj FROM new_rows n) AS ns
      ON (os.oj -> key) = (ns.nj -> key);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only'
    USING ERRCODE = '55000',
          HINT = 'Audit records cannot be changed or deleted.';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit.log
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit.log
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Referral rules ---------------------------------------------------------------------

-- Helpers for the guard below; SECURITY DEFINER so that they see the team
-- tables whatever the caller's grants. All use session_user.
CREATE FUNCTION rd.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT pg_has_role(session_user, 'rd_admin', 'MEMBER')
$$;

-- Queues of the teams the current person belongs to (any role); every queue
-- for an administrator. Row-level security compares with this array, called
-- once per statement as an InitPlan: `queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[])`.
CREATE FUNCTION rd.my_queue_ids() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT CASE WHEN rd.is_admin()
    THEN (SELECT coalesce(array_agg(q.id ORDER BY q.id), '{}') FROM rd.work_queue q)
    ELSE (SELECT coalesce(array_agg(q.id ORDER BY q.id), '{}')
          FROM rd.staff s
          JOIN rd.team_member m ON m.staff_id = s.id
          JOIN rd.work_queue q ON q.team_id = m.team_id
          WHERE s.login_name = session_user AND s.active)
  END
$$;

-- Queues of the teams the current person leads; every queue for an administrator.
CREATE FUNCTION rd.my_lead_queue_ids() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT CASE WHEN rd.is_admin()
    THEN (SELECT coalesce(array_agg(q.id ORDER BY q.id), '{}') FROM rd.work_queue q)
    ELSE (SELECT coalesce(array_agg(q.id ORDER BY q.id), '{}')
          FROM rd.staff s
          JOIN rd.team_member m ON m.staff_id = s.id AND m.role = 'lead'
          JOIN rd.work_queue q ON q.team_id = m.team_id
          WHERE s.login_name = session_user AND s.active
            AND pg_has_role(session_user, 'rd_lead', 'MEMBER'))
  END
$$;

-- Whether @login is an active member of the team that owns queue @queue_id.
CREATE FUNCTION rd.staff_serves_queue(login text, queue_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
  SELECT EXISTS (SELECT 1
                 FROM rd.staff s
                 JOIN rd.team_member m ON m.staff_id = s.id
                 JOIN rd.work_queue q ON q.team_id = m.team_id
                 WHERE s.login_name = login AND s.active AND q.id = queue_id)
$$;

-- BEFORE INSERT OR UPDATE on rd.referral, per row:
--  * status changes follow DESIGN.md §5 (RD001), closed_at follows status;
--  * a person may take or release work for themselves; giving it to someone
--    else, or taking it from someone else, is for the leads of the queue's
--    team (and administrators); the assignee must serve the queue's team;
--  * a claim is taken only for oneself and only when free or expired, and
--    released by its holder (or a lead, or when expired).
CREATE FUNCTION rd.referral_guard() RETURNS trigger
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
  bypass boolean := rd.session_is_superuser();
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

  IF bypass THEN
    RETURN NEW;
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

-- AFTER INSERT / UPDATE on rd.referral, per statement: one referral_event row
-- for every status change (and assignment or queue change), with who, when,
-- from, to and why. The reason is the close reason when closing, else the
-- transaction setting rd.status_reason (set by rd.set_referral_status()).
-- rd.status_repeat names a referral whose same-state change (a rebooking,
-- SCHEDULED → SCHEDULED) is logged and versioned too.
CREATE FUNCTION rd.referral_log_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, rd
AS $$
DECLARE
  why text := nullif(current_setting('rd.status_reason', true), '');
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO rd.referral_event (referral_id, kind, from_status, to_status, reason)
    SELECT n.id, 'status', NULL, n.status, coalesce(n.close_reason, why) FROM new_rows n;
    RETURN NULL;
  END IF;

  INSERT INTO rd.referral_event (referral_id, kind, from_status, to_status, reason)
  SELECT n.id, 'status', o.status, n.status,
         CASE WHEN n.status IN ('declined', 'cancelled') THEN n.close_reason ELSE why END
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE n.status IS DISTINCT FROM o.status
     OR n.id::text = current_setting('rd.status_repeat', true);

  INSERT INTO rd.referral_event (referral_id, kind, from_value, to_value, reason)
  SELECT n.id, 'assignment', o.assignee, n.assignee, why
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE n.assignee IS DISTINCT FROM o.assignee;

  INSERT INTO rd.referral_event (referral_id, kind, from_value, to_value, reason)
  SELECT n.id, 'queue', o.queue_id::text, n.queue_id::text, why
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE n.queue_id IS DISTINCT FROM o.queue_id;
  RETURN NULL;
END
$$;

CREATE TRIGGER referral_10_guard BEFORE INSERT OR UPDATE ON rd.referral
  FOR EACH ROW EXECUTE FUNCTION rd.referral_guard();
CREATE TRIGGER referral_events_insert AFTER INSERT ON rd.referral
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rd.referral_log_events();
CREATE TRIGGER referral_events_update AFTER UPDATE ON rd.referral
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rd.referral_log_events();

-- Attach the bookkeeping, audit and NOTIFY triggers -------------------------------

DO $$
DECLARE
  t text;
  editable text[] := ARRAY['staff', 'team', 'team_member', 'work_queue', 'organization',
                           'payer', 'payer_plan', 'provider', 'community_resource',
                           'patient', 'coverage', 'referral', 'document', 'authorization',
                           'appointment', 'task', 'missing_item', 'barrier',
                           'communication', 'complaint'];
  -- Tables holding PHI: every write is audited.
  phi text[] := ARRAY['patient', 'coverage', 'referral', 'document', 'authorization',
                      'appointment', 'task', 'missing_item', 'barrier', 'communication',
                      'complaint'];
  -- Tables whose changes clients follow live.
  live text[] := ARRAY['patient', 'coverage', 'referral', 'document', 'authorization',
                       'appointment', 'task', 'missing_item', 'barrier', 'communication',
                       'complaint', 'staff', 'team', 'work_queue'];
BEGIN
  FOREACH t IN ARRAY editable LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON rd.%I FOR EACH ROW '
                   'EXECUTE FUNCTION rd.stamp_insert()', t || '_90_stamp_insert', t);
    IF t = 'referral' THEN
      EXECUTE 'CREATE TRIGGER referral_90_stamp_update BEFORE UPDATE ON rd.referral FOR EACH ROW '
              'EXECUTE FUNCTION rd.stamp_update(''claimed_by'', ''claimed_until'', ''priority_rank'')';
    ELSE
      EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON rd.%I FOR EACH ROW '
                     'EXECUTE FUNCTION rd.stamp_update()', t || '_90_stamp_update', t);
    END IF;
  END LOOP;

  FOREACH t IN ARRAY phi LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON rd.%I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION audit.capture(''id'')',
                   t || '_audit_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON rd.%I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION audit.capture(''id'')',
                   t || '_audit_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON rd.%I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION audit.capture(''id'')',
                   t || '_audit_delete', t);
  END LOOP;

  FOREACH t IN ARRAY live LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON rd.%I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION rd.notify_changes()',
                   t || '_notify_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON rd.%I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION rd.notify_changes()',
                   t || '_notify_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON rd.%I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION rd.notify_changes()',
                   t || '_notify_delete', t);
  END LOOP;
END
$$;

-- The bytes of a document: audited on insert and delete, without the bytes.
CREATE TRIGGER document_blob_audit_insert AFTER INSERT ON rd.document_blob
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit.capture('document_id', 'data');
CREATE TRIGGER document_blob_audit_delete AFTER DELETE ON rd.document_blob
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit.capture('document_id', 'data');
CREATE TRIGGER document_blob_stamp BEFORE INSERT ON rd.document_blob
  FOR EACH ROW EXECUTE FUNCTION rd.stamp_blob();
