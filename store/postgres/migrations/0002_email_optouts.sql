-- Addresses that used an unsubscribe link: non-transactional email to them
-- is skipped. Stored lower-cased; no foreign key, because people without an
-- account (or whose account was deleted) may still opt out.
CREATE TABLE email_opt_outs (
    email      varchar(255) PRIMARY KEY,
    created_at timestamptz  NOT NULL DEFAULT now()
);
