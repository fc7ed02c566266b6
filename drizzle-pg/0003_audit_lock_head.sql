-- The appender's step under the audit lock in one round trip (server/audit/audit-append.ts): take the lock,
-- read the chain's head, draw the next id. Every audited transaction in every process waits for the lock
-- until the holder commits, so each round trip made while holding it is paid by all of them; from a busy
-- Node process one costs milliseconds. VOLATILE: under READ COMMITTED the head is read with a snapshot taken
-- after the lock was granted, so it is the row the previous holder committed (as in audit_log_check_append).
CREATE FUNCTION audit_log_lock_head(OUT head_hash text, OUT next_id bigint) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(123598126145902);
  SELECT hash INTO head_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  next_id := nextval(pg_get_serial_sequence('audit_log', 'id'));
END
$$;
