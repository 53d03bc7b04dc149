-- The highest job id ever issued. Recovery cannot rely on max(id) over the
-- tables alone: once retention has dropped every finished job, ids would be
-- issued again and an operator's "job 1234" would mean two different jobs.
CREATE TABLE gantry_job_ids (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  high_water bigint NOT NULL
);

INSERT INTO gantry_job_ids (singleton, high_water)
SELECT true, greatest(coalesce((SELECT max(id) FROM gantry_jobs), 0),
                      coalesce((SELECT max(id) FROM gantry_job_history), 0));
