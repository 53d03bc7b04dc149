ALTER TABLE gantry_job_history DROP COLUMN degraded;
ALTER TABLE gantry_jobs DROP COLUMN degraded;
