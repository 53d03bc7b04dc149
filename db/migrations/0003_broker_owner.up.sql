-- Which broker owns the database. Exactly one broker may serve a database
-- at a time: its write connection holds a session advisory lock for as long
-- as it serves, and every broker that takes the lock increments `epoch`. A
-- broker whose connection broke takes the lock again on a new connection
-- only if the epoch is still its own; otherwise another broker owned the
-- database meanwhile, and its in-memory state is stale.
CREATE TABLE gantry_broker_owner (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  epoch          bigint NOT NULL,
  holder         text NOT NULL,
  acquired_at_ms bigint NOT NULL
);

INSERT INTO gantry_broker_owner (singleton, epoch, holder, acquired_at_ms)
VALUES (true, 0, '', 0);
