-- E-mail: the installation's SMTP relay (one row), and what has been sent:
-- each notification once, and each check-in's reminder once.
CREATE TABLE mail_settings (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    host         TEXT NOT NULL,
    port         BIGINT NOT NULL,
    from_address TEXT NOT NULL,
    enabled      BIGINT NOT NULL,
    enabled_at   BIGINT,
    updated_by   BIGINT REFERENCES people (id),
    updated_at   BIGINT NOT NULL
);
ALTER TABLE notifications ADD COLUMN emailed_at BIGINT;
ALTER TABLE check_ins ADD COLUMN reminded_at BIGINT;
