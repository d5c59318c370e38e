-- E-mail: the installation's SMTP relay (one row), and what has been sent:
-- each notification once, and each check-in's reminder once.
CREATE TABLE mail_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    host         TEXT NOT NULL,
    port         INTEGER NOT NULL,
    from_address TEXT NOT NULL,
    enabled      INTEGER NOT NULL,
    enabled_at   INTEGER,
    updated_by   INTEGER REFERENCES people (id),
    updated_at   INTEGER NOT NULL
);
ALTER TABLE notifications ADD COLUMN emailed_at INTEGER;
ALTER TABLE check_ins ADD COLUMN reminded_at INTEGER;
