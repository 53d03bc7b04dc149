-- Reverts 0004_attempt_identity. The old key cannot hold two attempts of one
-- job that share (attempt, started_at_ms, finished_at_ms), which this
-- version records: all but the first of each such group are deleted.
DELETE FROM gantry_job_attempts a
USING gantry_job_attempts b
WHERE a.job_id = b.job_id AND a.attempt = b.attempt AND a.started_at_ms = b.started_at_ms
  AND a.finished_at_ms = b.finished_at_ms AND a.lease > b.lease;

DROP INDEX gantry_job_attempts_key;
ALTER TABLE gantry_job_attempts DROP COLUMN lease;
CREATE UNIQUE INDEX gantry_job_attempts_key
  ON gantry_job_attempts (job_id, attempt, started_at_ms, finished_at_ms);
