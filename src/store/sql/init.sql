-- init.sql — what a database needs before its first migration (init-db)
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Run by rd_init_db() as a superuser (or a role with CREATEROLE that may
-- create extensions in this database), outside the numbered migrations:
-- roles belong to the whole cluster, so they are created only when missing
-- and a second database in the same cluster finds them there. Every
-- statement here is harmless to repeat.

DO $$
DECLARE
  r text;
  bad record;
BEGIN
  FOREACH r IN ARRAY ARRAY['rd_owner', 'rd_specialist', 'rd_lead', 'rd_admin'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created by another init-db at the same moment
      END;
    END IF;
  END LOOP;

  -- Group roles must never log in or bypass row-level security.
  SELECT rolname INTO bad FROM pg_roles
  WHERE rolname IN ('rd_owner', 'rd_specialist', 'rd_lead', 'rd_admin')
    AND (rolcanlogin OR rolbypassrls OR rolsuper)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'role % exists but may log in or bypass row-level security', bad.rolname
      USING HINT = 'Make it NOLOGIN NOSUPERUSER NOBYPASSRLS, then run init-db again.';
  END IF;

  -- rd_admin ⊃ rd_lead ⊃ rd_specialist.
  IF NOT pg_has_role('rd_lead', 'rd_specialist', 'MEMBER') THEN
    GRANT rd_specialist TO rd_lead;
  END IF;
  IF NOT pg_has_role('rd_admin', 'rd_lead', 'MEMBER') THEN
    GRANT rd_lead TO rd_admin;
  END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

DO $$
BEGIN
  IF (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_trgm') <> 'public' THEN
    RAISE EXCEPTION 'the pg_trgm extension is installed outside schema public'
      USING HINT = 'Referral Desk expects it in public: ALTER EXTENSION pg_trgm SET SCHEMA public.';
  END IF;

  -- The owner creates the schemas; staff connect through their groups.
  EXECUTE format('GRANT CREATE, CONNECT, TEMPORARY ON DATABASE %I TO rd_owner', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO rd_specialist, rd_lead, rd_admin',
                 current_database());
END
$$;
