-- The audit log is append-only (DESIGN §5): the database itself refuses to change or remove a row.
-- Tampering that bypasses this (dropping the trigger, editing the file) is caught by the hash chain.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
