-- Every attempt is identified by its job and its lease. Before, attempts
-- were unique by (job_id, attempt, started_at_ms, finished_at_ms): a
-- hand-back gives its attempt number back to the next attempt, so when the
-- next attempt started and ended within the millisecond of the hand-back,
-- its row collided with the hand-back's and was dropped. A lease is fresh
-- for every attempt, hand-backs included, so (job_id, lease) cannot
-- collide. The unique index must contain the partition key, hence
-- finished_at_ms.
ALTER TABLE gantry_job_attempts ADD COLUMN lease bigint NOT NULL DEFAULT 0;

-- Rows written before this version carry no lease: number them within
-- their job in the order they happened. Real leases are odd, so these even
-- values never meet one.
UPDATE gantry_job_attempts a SET lease = 2 * n.ordinal
FROM (SELECT job_id, attempt, started_at_ms, finished_at_ms,
             row_number() OVER (PARTITION BY job_id
                                ORDER BY started_at_ms, attempt, finished_at_ms) AS ordinal
      FROM gantry_job_attempts) n
WHERE a.job_id = n.job_id AND a.attempt = n.attempt AND a.started_at_ms = n.started_at_ms
  AND a.finished_at_ms = n.finished_at_ms;

DROP INDEX gantry_job_attempts_key;
CREATE UNIQUE INDEX gantry_job_attempts_key
  ON gantry_job_attempts (job_id, lease, finished_at_ms);
