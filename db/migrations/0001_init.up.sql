-- Gantry's job tables. Postgres is the source of truth; the broker keeps an
-- in-memory index rebuilt from gantry_jobs at start.
--
-- Hot tables stay small: gantry_jobs holds only jobs that are not final
-- (queued, running, failed = waiting for its retry). Finished jobs live in
-- gantry_job_history and finished attempts in gantry_job_attempts, both
-- partitioned by day of finished_at_ms (UTC), so retention drops whole
-- partitions instead of deleting rows. The broker's maintenance creates the
-- day partitions ahead of time; rows outside them land in the DEFAULT
-- partition and are moved out when their day's partition is created.
--
-- Times are unix milliseconds (bigint, *_ms). Unsigned 32-bit counters are
-- bigint so every uint32 value fits; ids and leases are the uint64 values
-- stored bit for bit in a bigint.

CREATE TABLE gantry_queues (
  name   text PRIMARY KEY,
  paused boolean NOT NULL DEFAULT false
);

-- Every row is updated several times in its short life (running, retries),
-- so leave room on each page for HOT updates; the only index is the key,
-- which never changes.
CREATE TABLE gantry_jobs (
  id              bigint PRIMARY KEY,
  queue           text NOT NULL,
  kind            text NOT NULL,
  priority        integer NOT NULL DEFAULT 0,
  payload         bytea NOT NULL DEFAULT '\x',
  concurrency_key text NOT NULL DEFAULT '',
  unique_key      text NOT NULL DEFAULT '',
  traceparent     text NOT NULL DEFAULT '',
  run_at_ms       bigint NOT NULL,
  max_attempts    bigint NOT NULL,
  timeout_ms      bigint NOT NULL,
  state           text NOT NULL CONSTRAINT gantry_jobs_state_check
                    CHECK (state IN ('queued', 'running', 'failed')),
  attempt         bigint NOT NULL DEFAULT 0,
  created_at_ms   bigint NOT NULL,
  updated_at_ms   bigint NOT NULL,
  started_at_ms   bigint NOT NULL DEFAULT 0,
  finished_at_ms  bigint NOT NULL DEFAULT 0,
  result          bytea NOT NULL DEFAULT '\x',
  last_error      text NOT NULL DEFAULT '',
  worker_id       text NOT NULL DEFAULT '',
  lease           bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80,
        autovacuum_vacuum_scale_factor = 0.02,
        autovacuum_vacuum_insert_scale_factor = 0.05);

-- Same columns as gantry_jobs, final states only. The primary key includes
-- the partition key (Postgres requires it); its leading id column serves
-- lookups by id and the id-ordered list.
CREATE TABLE gantry_job_history (
  id              bigint NOT NULL,
  queue           text NOT NULL,
  kind            text NOT NULL,
  priority        integer NOT NULL DEFAULT 0,
  payload         bytea NOT NULL DEFAULT '\x',
  concurrency_key text NOT NULL DEFAULT '',
  unique_key      text NOT NULL DEFAULT '',
  traceparent     text NOT NULL DEFAULT '',
  run_at_ms       bigint NOT NULL,
  max_attempts    bigint NOT NULL,
  timeout_ms      bigint NOT NULL,
  state           text NOT NULL CONSTRAINT gantry_job_history_state_check
                    CHECK (state IN ('succeeded', 'dead', 'cancelled')),
  attempt         bigint NOT NULL DEFAULT 0,
  created_at_ms   bigint NOT NULL,
  updated_at_ms   bigint NOT NULL,
  started_at_ms   bigint NOT NULL DEFAULT 0,
  finished_at_ms  bigint NOT NULL,
  result          bytea NOT NULL DEFAULT '\x',
  last_error      text NOT NULL DEFAULT '',
  worker_id       text NOT NULL DEFAULT '',
  lease           bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (id, finished_at_ms)
) PARTITION BY RANGE (finished_at_ms);

-- Operators list dead and cancelled jobs far more selectively than
-- succeeded ones, which are the bulk; indexing only the rare states keeps
-- the hot insert path at one index.
CREATE INDEX gantry_job_history_unsuccessful_idx
  ON gantry_job_history (state, id) WHERE state <> 'succeeded';

CREATE TABLE gantry_job_history_default PARTITION OF gantry_job_history DEFAULT;
-- Only the default partition needs finding rows by time: maintenance moves
-- rows out of it into new day partitions and deletes expired ones in
-- batches. The day partitions are dropped whole.
CREATE INDEX gantry_job_history_default_finished_idx
  ON gantry_job_history_default (finished_at_ms);

CREATE TABLE gantry_job_attempts (
  job_id         bigint NOT NULL,
  attempt        bigint NOT NULL,
  worker_id      text NOT NULL DEFAULT '',
  started_at_ms  bigint NOT NULL,
  finished_at_ms bigint NOT NULL,
  outcome        text NOT NULL CONSTRAINT gantry_job_attempts_outcome_check
                   CHECK (outcome IN ('unspecified', 'succeeded', 'retryable', 'fatal',
                                      'cancelled', 'handed_back')),
  error          text NOT NULL DEFAULT ''
) PARTITION BY RANGE (finished_at_ms);

-- Serves lookups by job and makes a replayed commit (after a connection
-- loss left its outcome unknown) skip attempts it already stored. It must
-- contain the partition key; a job's attempts never legitimately share all
-- four values.
CREATE UNIQUE INDEX gantry_job_attempts_key
  ON gantry_job_attempts (job_id, attempt, started_at_ms, finished_at_ms);

CREATE TABLE gantry_job_attempts_default PARTITION OF gantry_job_attempts DEFAULT;
CREATE INDEX gantry_job_attempts_default_finished_idx
  ON gantry_job_attempts_default (finished_at_ms);
