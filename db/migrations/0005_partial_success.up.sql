-- Partial success: a job that ends `succeeded` while its handler gave up on
-- some of its work carries what degraded and why, as a JSON array of
-- {"what", "reason"} objects; '' for every other job. Text rather than
-- jsonb so that the broker's row codec stays one of text, bytes and
-- integers; cast it to jsonb to query it.
ALTER TABLE gantry_jobs ADD COLUMN degraded text NOT NULL DEFAULT '';
ALTER TABLE gantry_job_history ADD COLUMN degraded text NOT NULL DEFAULT '';
