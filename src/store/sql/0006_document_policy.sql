-- 0006_document_policy.sql — a document goes only where its author works
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- 0003 let a document be written when its queue OR its referral was the
-- writer's, so one could drop a document into another team's inbox by
-- attaching it to one's own referral. Now both links, when given, must be
-- the writer's own.

ALTER POLICY staff_insert ON rd.document
  WITH CHECK ((queue_id IS NULL OR queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]))
              AND (referral_id IS NULL
                   OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id)));

ALTER POLICY staff_update ON rd.document
  WITH CHECK ((queue_id IS NULL OR queue_id = ANY ((SELECT rd.my_queue_ids())::bigint[]))
              AND (referral_id IS NULL
                   OR EXISTS (SELECT 1 FROM rd.referral r WHERE r.id = document.referral_id)));
