import Storage

/// SQLite schema history. The MySQL driver ships the equivalent list; keep them in step.
/// The schema enforces what the code also checks: NOT NULL, foreign keys, UNIQUE and CHECK.
enum SQLiteMigrations {
    static let roles = "'customer','installer','support','sales','engineer','admin'"
    static let orderStatuses = "'requested','quoted','accepted','dispatching','scheduled','in_progress','completed','cancelled'"

    static let all: [Migration] = [
        Migration(version: 1, name: "core schema", statements: [
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                email TEXT NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                phone TEXT NOT NULL CHECK (length(phone) BETWEEN 8 AND 16),
                role TEXT NOT NULL CHECK (role IN (\(roles))),
                password_hash TEXT NOT NULL CHECK (substr(password_hash, 1, 10) = '$argon2id$'),
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('api','web')),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL,
                revoked_at INTEGER,
                CHECK (expires_at > created_at)
            ) STRICT
            """,
            "CREATE INDEX sessions_account ON sessions(account_id)",
            """
            CREATE TABLE installer_profiles (
                installer_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
                latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
                longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
                radius_km REAL NOT NULL CHECK (radius_km BETWEEN 1 AND 500),
                available INTEGER NOT NULL CHECK (available IN (0, 1)),
                certifications TEXT NOT NULL CHECK (json_valid(certifications)),
                updated_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE orders (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                customer_id TEXT NOT NULL REFERENCES accounts(id),
                status TEXT NOT NULL CHECK (status IN (\(orderStatuses))),
                address_line1 TEXT NOT NULL CHECK (length(address_line1) BETWEEN 1 AND 200),
                address_line2 TEXT CHECK (length(address_line2) <= 200),
                city TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
                region TEXT NOT NULL CHECK (length(region) BETWEEN 1 AND 100),
                postal_code TEXT NOT NULL CHECK (length(postal_code) BETWEEN 1 AND 20),
                country TEXT NOT NULL CHECK (length(country) = 2),
                latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
                longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
                system_size_deci_kw INTEGER NOT NULL CHECK (system_size_deci_kw BETWEEN 5 AND 500),
                panel_count INTEGER NOT NULL CHECK (panel_count BETWEEN 1 AND 200),
                roof_type TEXT NOT NULL CHECK (roof_type IN ('asphalt_shingle','metal','tile','slate','flat')),
                preferred_date TEXT CHECK (preferred_date IS NULL OR length(preferred_date) = 10),
                notes TEXT CHECK (length(notes) <= 1000),
                quote_currency TEXT NOT NULL CHECK (length(quote_currency) = 3),
                quote_total_cents INTEGER NOT NULL CHECK (quote_total_cents >= 0),
                quote_lines TEXT NOT NULL CHECK (json_valid(quote_lines)),
                installer_id TEXT REFERENCES accounts(id),
                scheduled_date TEXT CHECK (scheduled_date IS NULL OR length(scheduled_date) = 10),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                CHECK (status NOT IN ('scheduled','in_progress','completed') OR installer_id IS NOT NULL)
            ) STRICT
            """,
            "CREATE INDEX orders_customer ON orders(customer_id, created_at)",
            "CREATE INDEX orders_installer ON orders(installer_id, updated_at)",
            """
            CREATE TABLE offers (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                installer_id TEXT NOT NULL REFERENCES accounts(id),
                status TEXT NOT NULL CHECK (status IN ('open','accepted','expired','withdrawn')),
                distance_km REAL NOT NULL CHECK (distance_km >= 0),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
                UNIQUE (order_id, installer_id)
            ) STRICT
            """,
            "CREATE INDEX offers_installer ON offers(installer_id, status, expires_at)",
            // The database itself guarantees a single winner per order.
            "CREATE UNIQUE INDEX offers_one_winner ON offers(order_id) WHERE status = 'accepted'",
            """
            CREATE TABLE audit_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE CHECK (length(id) = 36),
                occurred_at INTEGER NOT NULL,
                actor_id TEXT,
                actor_role TEXT CHECK (actor_role IS NULL OR actor_role IN (\(roles))),
                action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
                target_type TEXT,
                target_id TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('success','failure','denied')),
                client_ip TEXT,
                request_id TEXT,
                detail TEXT CHECK (length(detail) <= 600)
            )
            """,
            // Audit events are append-only.
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        ]),
        Migration(version: 2, name: "identity: MFA, throttling, refresh tokens, recovery, outbox", statements: [
            "ALTER TABLE accounts ADD COLUMN email_verified_at INTEGER",
            "ALTER TABLE sessions ADD COLUMN absolute_expires_at INTEGER",
            "ALTER TABLE sessions ADD COLUMN mfa_verified INTEGER NOT NULL DEFAULT 0 CHECK (mfa_verified IN (0, 1))",
            "ALTER TABLE sessions ADD COLUMN reauthenticated_at INTEGER",
            "ALTER TABLE sessions ADD COLUMN user_agent TEXT CHECK (length(user_agent) <= 200)",
            "ALTER TABLE sessions ADD COLUMN client_ip TEXT CHECK (length(client_ip) <= 45)",
            """
            CREATE TABLE refresh_tokens (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER,
                CHECK (expires_at > created_at)
            ) STRICT
            """,
            "CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id)",
            """
            CREATE TABLE mfa_totp (
                account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
                secret_ciphertext TEXT NOT NULL CHECK (substr(secret_ciphertext, 1, 3) = 'v1:'),
                confirmed_at INTEGER,
                last_used_step INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE recovery_codes (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
                created_at INTEGER NOT NULL,
                used_at INTEGER,
                UNIQUE (account_id, code_hash)
            ) STRICT
            """,
            """
            CREATE TABLE login_throttle (
                throttle_key TEXT PRIMARY KEY CHECK (length(throttle_key) BETWEEN 3 AND 80),
                failures INTEGER NOT NULL CHECK (failures >= 0),
                locked_until INTEGER,
                last_failure_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE one_time_tokens (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                purpose TEXT NOT NULL CHECK (purpose IN ('verify_email','reset_password')),
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER,
                CHECK (expires_at > created_at)
            ) STRICT
            """,
            """
            CREATE TABLE outbox_emails (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                template TEXT NOT NULL CHECK (template IN ('verify_email','reset_password')),
                recipient_ciphertext TEXT NOT NULL CHECK (substr(recipient_ciphertext, 1, 3) = 'v1:'),
                payload_ciphertext TEXT NOT NULL CHECK (substr(payload_ciphertext, 1, 3) = 'v1:'),
                created_at INTEGER NOT NULL,
                sent_at INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
            ) STRICT
            """,
            "CREATE INDEX outbox_pending ON outbox_emails(sent_at, created_at)",
        ]),
        Migration(version: 3, name: "email change requests", statements: [
            """
            CREATE TABLE email_change_requests (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                new_email_ciphertext TEXT NOT NULL CHECK (substr(new_email_ciphertext, 1, 3) = 'v1:'),
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER,
                CHECK (expires_at > created_at)
            ) STRICT
            """,
        ]),
        Migration(version: 12, name: "deposit payments and webhook events", statements: [
            """
            CREATE TABLE payments (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                order_id TEXT NOT NULL UNIQUE REFERENCES orders(id),
                intent_id TEXT NOT NULL UNIQUE CHECK (length(intent_id) BETWEEN 1 AND 255),
                amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded')),
                created_at INTEGER NOT NULL,
                paid_at INTEGER,
                CHECK ((status = 'succeeded') = (paid_at IS NOT NULL))
            ) STRICT
            """,
            """
            CREATE TABLE payment_events (
                event_id TEXT PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 255),
                intent_id TEXT NOT NULL REFERENCES payments(intent_id),
                received_at INTEGER NOT NULL
            ) STRICT
            """,
        ]),
        Migration(version: 4, name: "hash-chained audit trail", statements: [
            "ALTER TABLE audit_events ADD COLUMN prev_hash TEXT CHECK (prev_hash IS NULL OR length(prev_hash) = 64)",
            "ALTER TABLE audit_events ADD COLUMN entry_hash TEXT CHECK (entry_hash IS NULL OR length(entry_hash) = 64)",
            "ALTER TABLE audit_events ADD COLUMN mac TEXT CHECK (mac IS NULL OR length(mac) = 64)",
            """
            CREATE TABLE audit_chain_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_seq INTEGER NOT NULL,
                last_hash TEXT NOT NULL CHECK (length(last_hash) = 64)
            ) STRICT
            """,
            "INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, '\(String(repeating: "0", count: 64))')",
        ]),
        Migration(version: 5, name: "account locks and break-glass grants", statements: [
            "ALTER TABLE accounts ADD COLUMN locked_at INTEGER",
            """
            CREATE TABLE break_glass_grants (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                engineer_id TEXT NOT NULL REFERENCES accounts(id),
                reason TEXT NOT NULL CHECK (length(reason) BETWEEN 10 AND 500),
                duration_seconds INTEGER NOT NULL CHECK (duration_seconds BETWEEN 60 AND 3600),
                requested_at INTEGER NOT NULL,
                approved_by TEXT REFERENCES accounts(id),
                approved_at INTEGER,
                expires_at INTEGER,
                CHECK (approved_by IS NULL OR approved_by <> engineer_id),
                CHECK ((approved_at IS NULL) = (expires_at IS NULL)),
                CHECK (expires_at IS NULL OR expires_at <= approved_at + 3600000)
            ) STRICT
            """,
            "CREATE INDEX break_glass_engineer ON break_glass_grants(engineer_id, expires_at)",
        ]),
        Migration(version: 6, name: "field encryption of personal data", statements: [
            "ALTER TABLE audit_chain_head ADD COLUMN mac TEXT CHECK (mac IS NULL OR length(mac) = 64)",
            "ALTER TABLE accounts ADD COLUMN pii_ciphertext TEXT CHECK (pii_ciphertext IS NULL OR substr(pii_ciphertext, 1, 3) = 'v1:')",
            "ALTER TABLE orders ADD COLUMN site_ciphertext TEXT CHECK (site_ciphertext IS NULL OR substr(site_ciphertext, 1, 3) = 'v1:')",
        ]),
        Migration(version: 7, name: "re-dispatch sweep", statements: [
            "CREATE INDEX orders_by_status ON orders(status, updated_at)",
        ]),
        Migration(version: 8, name: "audit chain head records its first chained sequence", statements: [
            // Rows below first_seq were written before the chain existed (legacy); at or after it
            // every row must be chained. The next append signs the head with it.
            "ALTER TABLE audit_chain_head ADD COLUMN first_seq INTEGER NOT NULL DEFAULT 1 CHECK (first_seq >= 1)",
            """
            UPDATE audit_chain_head SET first_seq = COALESCE(
                (SELECT MIN(seq) FROM audit_events WHERE entry_hash IS NOT NULL), (SELECT MAX(seq) + 1 FROM audit_events), 1
            ) WHERE id = 1
            """,
        ]),
        Migration(version: 9, name: "outbox claims last through the send", statements: [
            // A claimed email is held until claimed_until (past the send, or a retry backoff), so a
            // dispatcher that read it before the claim cannot claim and send it a second time.
            "ALTER TABLE outbox_emails ADD COLUMN claimed_until INTEGER",
        ]),
        Migration(version: 10, name: "staff roles need a second administrator", statements: [
            """
            CREATE TABLE role_grants (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                account_id TEXT NOT NULL REFERENCES accounts(id),
                from_role TEXT NOT NULL CHECK (from_role IN (\(roles))),
                to_role TEXT NOT NULL CHECK (to_role IN (\(roles))),
                creates_account INTEGER NOT NULL CHECK (creates_account IN (0, 1)),
                requested_by TEXT NOT NULL REFERENCES accounts(id),
                requested_at INTEGER NOT NULL,
                approved_by TEXT REFERENCES accounts(id),
                approved_at INTEGER,
                CHECK (requested_by <> account_id),
                CHECK (approved_by IS NULL OR (approved_by <> requested_by AND approved_by <> account_id)),
                CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
                CHECK (approved_at IS NULL OR approved_at <= requested_at + 86400000)
            ) STRICT
            """,
            "CREATE INDEX role_grants_account ON role_grants(account_id, approved_at)",
            "CREATE INDEX role_grants_open ON role_grants(approved_at, requested_at)",
        ]),
        Migration(version: 11, name: "idempotency keys", statements: [
            """
            CREATE TABLE idempotency_keys (
                account_id TEXT NOT NULL REFERENCES accounts(id),
                idem_key TEXT NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 255),
                fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                status INTEGER CHECK (status IS NULL OR status BETWEEN 200 AND 299),
                body TEXT,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (account_id, idem_key),
                CHECK ((status IS NULL) = (body IS NULL)),
                CHECK (expires_at > created_at)
            ) STRICT
            """,
        ]),
        Migration(version: 13, name: "login codes for new devices, invitations", statements: [
            // SQLite cannot change a CHECK constraint: both tables are rebuilt with the new purpose.
            """
            CREATE TABLE one_time_tokens_v13 (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                purpose TEXT NOT NULL CHECK (purpose IN ('verify_email','reset_password','login_code','invitation')),
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER,
                CHECK (expires_at > created_at)
            ) STRICT
            """,
            "INSERT INTO one_time_tokens_v13 SELECT id, purpose, account_id, token_hash, created_at, expires_at, used_at FROM one_time_tokens",
            "DROP TABLE one_time_tokens",
            "ALTER TABLE one_time_tokens_v13 RENAME TO one_time_tokens",
            """
            CREATE TABLE outbox_emails_v13 (
                id TEXT PRIMARY KEY CHECK (length(id) = 36),
                template TEXT NOT NULL CHECK (template IN ('verify_email','reset_password','login_code','invitation')),
                recipient_ciphertext TEXT NOT NULL CHECK (substr(recipient_ciphertext, 1, 3) = 'v1:'),
                payload_ciphertext TEXT NOT NULL CHECK (substr(payload_ciphertext, 1, 3) = 'v1:'),
                created_at INTEGER NOT NULL,
                sent_at INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                claimed_until INTEGER
            ) STRICT
            """,
            """
            INSERT INTO outbox_emails_v13
            SELECT id, template, recipient_ciphertext, payload_ciphertext, created_at, sent_at, attempts, claimed_until FROM outbox_emails
            """,
            "DROP TABLE outbox_emails",
            "ALTER TABLE outbox_emails_v13 RENAME TO outbox_emails",
            "CREATE INDEX outbox_pending ON outbox_emails(sent_at, created_at)",
        ]),
        Migration(version: 14, name: "index for support search by phone", statements: [
            // Support search looks accounts up by the blind index of the email or the phone;
            // email is unique (indexed), and this makes the phone side an index lookup too.
            "CREATE INDEX accounts_by_phone ON accounts(phone)",
        ]),
    ]
}
