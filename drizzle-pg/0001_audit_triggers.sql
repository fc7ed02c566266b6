-- The audit log is append-only (DESIGN §5), as in drizzle/0002_audit_triggers.sql for SQLite: the database
-- refuses to change or remove a row. TRUNCATE skips row triggers in PostgreSQL, so it is refused too.
-- Tampering that bypasses this (a superuser disabling the triggers) is caught by the hash chain.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
-- Appends are serialised by a transaction-scoped advisory lock (key 123598126145902, 'pingan' in ASCII;
-- AUDIT_APPEND_LOCK in server/db/pg/audit-append.ts). An appender takes it before it reads the chain's
-- head, so the next appender waits for its commit and then reads its row. A sequence alone cannot do
-- this: it orders ids, not the read of prev_hash, and two appenders that read the same head would fork
-- the chain. This trigger takes the same lock (re-entrant for an appender that already holds it) and
-- refuses a row that does not continue the committed head, so an appender that skipped the lock fails
-- (serialization_failure: retry) instead of forking the chain. Under READ COMMITTED each statement here
-- sees what committed before the lock was granted; under REPEATABLE READ a stale snapshot is refused.
CREATE FUNCTION audit_log_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_id bigint;
  head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(123598126145902);
  SELECT id, hash INTO head_id, head_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  IF NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'audit_log row % does not continue the chain head (row %)', NEW.id, head_id
      USING ERRCODE = 'serialization_failure',
            HINT = 'take pg_advisory_xact_lock(123598126145902) before reading the head';
  END IF;
  IF head_id IS NOT NULL AND NEW.id <= head_id THEN
    RAISE EXCEPTION 'audit_log row % is not after the chain head (row %)', NEW.id, head_id
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_check_append();
