-- SPDX-License-Identifier: GPL-3.0-or-later
-- 0011_directory.sql — indexes for the provider search of the referral page
--
-- rd-repo-directory.c searches the directory with one statement made of
-- branches, each shaped for one index: the NPI and the name prefix use
-- 0001's indexes; these serve the rest. A faxed referral names its sender
-- by the number it came from, so the provider's fax and the organisation's
-- fax are looked up exactly; fragments of a provider's or an organisation's
-- name by trigram (pg_trgm, as for patients); a specialty by its prefix;
-- an organisation's providers by organisation_id (also a foreign key that
-- had no index). Measured on 20,000 providers and 2,000 organisations: 0.2
-- to 1.3 ms per search, against 7 to 49 ms without them.

CREATE INDEX provider_fax_idx ON rd.provider (fax) WHERE fax IS NOT NULL;
CREATE INDEX organization_fax_idx ON rd.organization (fax) WHERE fax IS NOT NULL;
CREATE INDEX provider_name_trgm_idx ON rd.provider USING gin (name public.gin_trgm_ops);
CREATE INDEX organization_name_trgm_idx ON rd.organization USING gin (name public.gin_trgm_ops);
CREATE INDEX provider_organization_idx ON rd.provider (organization_id);
CREATE INDEX provider_specialty_prefix_idx ON rd.provider (lower(specialty) text_pattern_ops);
