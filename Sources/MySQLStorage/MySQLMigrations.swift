import Storage

/// MySQL/MariaDB schema history, equivalent to `SQLiteMigrations` (same tables, columns,
/// constraints and behaviour): InnoDB, utf8mb4, CHECK constraints (enforced by MariaDB 10.2+
/// and MySQL 8.0.16+). Differences: a stored generated column replaces SQLite's partial
/// unique index, and audit events are append-only through grants (docs/mysql.md) instead of
/// triggers.
enum MySQLMigrations {
    // VARCHAR, not CHAR: MariaDB refuses CHAR columns in generated-column expressions (their value
    // depends on PAD_CHAR_TO_FULL_LENGTH).
    static let uuid = "VARCHAR(36) CHARACTER SET ascii COLLATE ascii_bin"
    static let table = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    static let roles = "'customer','installer','support','sales','engineer','admin'"
    static let orderStatuses = "'requested','quoted','accepted','dispatching','scheduled','in_progress','completed','cancelled'"

    static let all: [Migration] = [
        Migration(version: 1, name: "core schema", statements: [
            """
            CREATE TABLE accounts (
                id \(uuid) NOT NULL PRIMARY KEY,
                email VARCHAR(254) NOT NULL,
                name VARCHAR(100) NOT NULL,
                phone VARCHAR(16) NOT NULL,
                role VARCHAR(16) NOT NULL,
                password_hash VARCHAR(255) NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE KEY accounts_email (email),
                CONSTRAINT accounts_id CHECK (CHAR_LENGTH(id) = 36),
                CONSTRAINT accounts_email_form CHECK (CHAR_LENGTH(email) BETWEEN 3 AND 254 AND email = LOWER(email)),
                CONSTRAINT accounts_name CHECK (CHAR_LENGTH(name) BETWEEN 1 AND 100),
                CONSTRAINT accounts_phone CHECK (CHAR_LENGTH(phone) BETWEEN 8 AND 16),
                CONSTRAINT accounts_role CHECK (role IN (\(roles))),
                CONSTRAINT accounts_hash CHECK (LEFT(password_hash, 10) = '$argon2id$')
            ) \(table)
            """,
            """
            CREATE TABLE sessions (
                id \(uuid) NOT NULL PRIMARY KEY,
                token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                account_id \(uuid) NOT NULL,
                kind VARCHAR(8) NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                revoked_at BIGINT NULL,
                UNIQUE KEY sessions_token (token_hash),
                KEY sessions_account (account_id),
                CONSTRAINT sessions_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
                CONSTRAINT sessions_hash CHECK (CHAR_LENGTH(token_hash) = 64),
                CONSTRAINT sessions_kind CHECK (kind IN ('api','web')),
                CONSTRAINT sessions_expiry CHECK (expires_at > created_at)
            ) \(table)
            """,
            """
            CREATE TABLE installer_profiles (
                installer_id \(uuid) NOT NULL PRIMARY KEY,
                latitude DOUBLE NOT NULL,
                longitude DOUBLE NOT NULL,
                radius_km DOUBLE NOT NULL,
                available TINYINT NOT NULL,
                certifications TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                CONSTRAINT profiles_installer_fk FOREIGN KEY (installer_id) REFERENCES accounts(id) ON DELETE CASCADE,
                CONSTRAINT profiles_latitude CHECK (latitude BETWEEN -90 AND 90),
                CONSTRAINT profiles_longitude CHECK (longitude BETWEEN -180 AND 180),
                CONSTRAINT profiles_radius CHECK (radius_km BETWEEN 1 AND 500),
                CONSTRAINT profiles_available CHECK (available IN (0, 1)),
                CONSTRAINT profiles_certifications CHECK (JSON_VALID(certifications))
            ) \(table)
            """,
            """
            CREATE TABLE orders (
                id \(uuid) NOT NULL PRIMARY KEY,
                customer_id \(uuid) NOT NULL,
                status VARCHAR(16) NOT NULL,
                address_line1 VARCHAR(200) NOT NULL,
                address_line2 VARCHAR(200) NULL,
                city VARCHAR(100) NOT NULL,
                region VARCHAR(100) NOT NULL,
                postal_code VARCHAR(20) NOT NULL,
                country CHAR(2) NOT NULL,
                latitude DOUBLE NOT NULL,
                longitude DOUBLE NOT NULL,
                system_size_deci_kw INT NOT NULL,
                panel_count INT NOT NULL,
                roof_type VARCHAR(16) NOT NULL,
                preferred_date DATE NULL,
                notes VARCHAR(1000) NULL,
                quote_currency CHAR(3) NOT NULL,
                quote_total_cents BIGINT NOT NULL,
                quote_lines TEXT NOT NULL,
                installer_id \(uuid) NULL,
                scheduled_date DATE NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                KEY orders_customer (customer_id, created_at),
                KEY orders_installer (installer_id, updated_at),
                CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES accounts(id),
                CONSTRAINT orders_installer_fk FOREIGN KEY (installer_id) REFERENCES accounts(id),
                CONSTRAINT orders_status CHECK (status IN (\(orderStatuses))),
                CONSTRAINT orders_line1 CHECK (CHAR_LENGTH(address_line1) >= 1),
                CONSTRAINT orders_city CHECK (CHAR_LENGTH(city) >= 1),
                CONSTRAINT orders_region CHECK (CHAR_LENGTH(region) >= 1),
                CONSTRAINT orders_postal CHECK (CHAR_LENGTH(postal_code) >= 1),
                CONSTRAINT orders_country CHECK (CHAR_LENGTH(country) = 2),
                CONSTRAINT orders_latitude CHECK (latitude BETWEEN -90 AND 90),
                CONSTRAINT orders_longitude CHECK (longitude BETWEEN -180 AND 180),
                CONSTRAINT orders_size CHECK (system_size_deci_kw BETWEEN 5 AND 500),
                CONSTRAINT orders_panels CHECK (panel_count BETWEEN 1 AND 200),
                CONSTRAINT orders_roof CHECK (roof_type IN ('asphalt_shingle','metal','tile','slate','flat')),
                CONSTRAINT orders_currency CHECK (CHAR_LENGTH(quote_currency) = 3),
                CONSTRAINT orders_total CHECK (quote_total_cents >= 0),
                CONSTRAINT orders_lines CHECK (JSON_VALID(quote_lines)),
                CONSTRAINT orders_assigned CHECK (status NOT IN ('scheduled','in_progress','completed') OR installer_id IS NOT NULL)
            ) \(table)
            """,
            """
            CREATE TABLE offers (
                id \(uuid) NOT NULL PRIMARY KEY,
                order_id \(uuid) NOT NULL,
                installer_id \(uuid) NOT NULL,
                status VARCHAR(16) NOT NULL,
                distance_km DOUBLE NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                winner_order_id \(uuid) AS (CASE WHEN status = 'accepted' THEN order_id END) STORED,
                UNIQUE KEY offers_order_installer (order_id, installer_id),
                UNIQUE KEY offers_one_winner (winner_order_id),
                KEY offers_installer (installer_id, status, expires_at),
                CONSTRAINT offers_order_fk FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE,
                CONSTRAINT offers_installer_fk FOREIGN KEY (installer_id) REFERENCES accounts(id),
                CONSTRAINT offers_status CHECK (status IN ('open','accepted','expired','withdrawn')),
                CONSTRAINT offers_distance CHECK (distance_km >= 0),
                CONSTRAINT offers_expiry CHECK (expires_at > created_at)
            ) \(table)
            """,
            """
            CREATE TABLE audit_events (
                seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                id \(uuid) NOT NULL,
                occurred_at BIGINT NOT NULL,
                actor_id \(uuid) NULL,
                actor_role VARCHAR(16) NULL,
                action VARCHAR(64) NOT NULL,
                target_type VARCHAR(32) NULL,
                target_id \(uuid) NULL,
                outcome VARCHAR(8) NOT NULL,
                client_ip VARCHAR(45) NULL,
                request_id VARCHAR(64) NULL,
                detail VARCHAR(600) NULL,
                UNIQUE KEY audit_events_id (id),
                CONSTRAINT audit_role CHECK (actor_role IS NULL OR actor_role IN (\(roles))),
                CONSTRAINT audit_action CHECK (CHAR_LENGTH(action) >= 1),
                CONSTRAINT audit_outcome CHECK (outcome IN ('success','failure','denied'))
            ) \(table)
            """,
        ]),
        Migration(version: 2, name: "identity: MFA, throttling, refresh tokens, recovery, outbox", statements: [
            "ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT NULL",
            """
            ALTER TABLE sessions ADD COLUMN absolute_expires_at BIGINT NULL,
                ADD COLUMN mfa_verified TINYINT NOT NULL DEFAULT 0,
                ADD COLUMN reauthenticated_at BIGINT NULL,
                ADD COLUMN user_agent VARCHAR(200) NULL,
                ADD COLUMN client_ip VARCHAR(45) NULL,
                ADD CONSTRAINT sessions_mfa CHECK (mfa_verified IN (0, 1))
            """,
            """
            CREATE TABLE refresh_tokens (
                id \(uuid) NOT NULL PRIMARY KEY,
                session_id \(uuid) NOT NULL,
                token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT NULL,
                UNIQUE KEY refresh_tokens_hash (token_hash),
                KEY refresh_tokens_session (session_id),
                CONSTRAINT refresh_session_fk FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE,
                CONSTRAINT refresh_hash CHECK (CHAR_LENGTH(token_hash) = 64),
                CONSTRAINT refresh_expiry CHECK (expires_at > created_at)
            ) \(table)
            """,
            """
            CREATE TABLE mfa_totp (
                account_id \(uuid) NOT NULL PRIMARY KEY,
                secret_ciphertext VARCHAR(200) NOT NULL,
                confirmed_at BIGINT NULL,
                last_used_step BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                CONSTRAINT mfa_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
                CONSTRAINT mfa_ciphertext CHECK (LEFT(secret_ciphertext, 3) = 'v1:')
            ) \(table)
            """,
            """
            CREATE TABLE recovery_codes (
                id \(uuid) NOT NULL PRIMARY KEY,
                account_id \(uuid) NOT NULL,
                code_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                created_at BIGINT NOT NULL,
                used_at BIGINT NULL,
                UNIQUE KEY recovery_codes_code (account_id, code_hash),
                CONSTRAINT recovery_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
                CONSTRAINT recovery_hash CHECK (CHAR_LENGTH(code_hash) = 64)
            ) \(table)
            """,
            """
            CREATE TABLE login_throttle (
                throttle_key VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
                failures INT NOT NULL,
                locked_until BIGINT NULL,
                last_failure_at BIGINT NOT NULL,
                CONSTRAINT throttle_key_len CHECK (CHAR_LENGTH(throttle_key) BETWEEN 3 AND 80),
                CONSTRAINT throttle_failures CHECK (failures >= 0)
            ) \(table)
            """,
            """
            CREATE TABLE one_time_tokens (
                id \(uuid) NOT NULL PRIMARY KEY,
                purpose VARCHAR(16) NOT NULL,
                account_id \(uuid) NOT NULL,
                token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT NULL,
                UNIQUE KEY one_time_tokens_hash (token_hash),
                CONSTRAINT ott_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
                CONSTRAINT ott_purpose CHECK (purpose IN ('verify_email','reset_password')),
                CONSTRAINT ott_expiry CHECK (expires_at > created_at)
            ) \(table)
            """,
            """
            CREATE TABLE outbox_emails (
                id \(uuid) NOT NULL PRIMARY KEY,
                template VARCHAR(16) NOT NULL,
                recipient_ciphertext VARCHAR(1000) NOT NULL,
                payload_ciphertext TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                sent_at BIGINT NULL,
                attempts INT NOT NULL DEFAULT 0,
                KEY outbox_pending (sent_at, created_at),
                CONSTRAINT outbox_template CHECK (template IN ('verify_email','reset_password')),
                CONSTRAINT outbox_recipient CHECK (LEFT(recipient_ciphertext, 3) = 'v1:'),
                CONSTRAINT outbox_payload CHECK (LEFT(payload_ciphertext, 3) = 'v1:'),
                CONSTRAINT outbox_attempts CHECK (attempts >= 0)
            ) \(table)
            """,
        ]),
        Migration(version: 3, name: "email change requests", statements: [
            """
            CREATE TABLE email_change_requests (
                id \(uuid) NOT NULL PRIMARY KEY,
                account_id \(uuid) NOT NULL,
                new_email_ciphertext VARCHAR(1000) NOT NULL,
                token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT NULL,
                UNIQUE KEY email_change_token (token_hash),
                CONSTRAINT email_change_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
                CONSTRAINT email_change_ciphertext CHECK (LEFT(new_email_ciphertext, 3) = 'v1:'),
                CONSTRAINT email_change_expiry CHECK (expires_at > created_at)
            ) \(table)
            """,
        ]),
        Migration(version: 4, name: "hash-chained audit trail", statements: [
            """
            ALTER TABLE audit_events ADD COLUMN prev_hash CHAR(64) CHARACTER SET ascii NULL,
                ADD COLUMN entry_hash CHAR(64) CHARACTER SET ascii NULL,
                ADD COLUMN mac CHAR(64) CHARACTER SET ascii NULL
            """,
            """
            CREATE TABLE audit_chain_head (
                id INT NOT NULL PRIMARY KEY,
                last_seq BIGINT NOT NULL,
                last_hash CHAR(64) CHARACTER SET ascii NOT NULL,
                CONSTRAINT audit_head_single CHECK (id = 1)
            ) \(table)
            """,
            "INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, '\(String(repeating: "0", count: 64))')",
        ]),
        Migration(version: 5, name: "account locks and break-glass grants", statements: [
            "ALTER TABLE accounts ADD COLUMN locked_at BIGINT NULL",
            """
            CREATE TABLE break_glass_grants (
                id \(uuid) NOT NULL PRIMARY KEY,
                engineer_id \(uuid) NOT NULL,
                reason VARCHAR(500) NOT NULL,
                duration_seconds INT NOT NULL,
                requested_at BIGINT NOT NULL,
                approved_by \(uuid) NULL,
                approved_at BIGINT NULL,
                expires_at BIGINT NULL,
                KEY break_glass_engineer (engineer_id, expires_at),
                CONSTRAINT break_glass_engineer_fk FOREIGN KEY (engineer_id) REFERENCES accounts(id),
                CONSTRAINT break_glass_approver_fk FOREIGN KEY (approved_by) REFERENCES accounts(id),
                CONSTRAINT break_glass_reason CHECK (CHAR_LENGTH(reason) BETWEEN 10 AND 500),
                CONSTRAINT break_glass_duration CHECK (duration_seconds BETWEEN 60 AND 3600),
                CONSTRAINT break_glass_two_people CHECK (approved_by IS NULL OR approved_by <> engineer_id),
                CONSTRAINT break_glass_approval CHECK ((approved_at IS NULL) = (expires_at IS NULL)),
                CONSTRAINT break_glass_expiry CHECK (expires_at IS NULL OR expires_at <= approved_at + 3600000)
            ) \(table)
            """,
        ]),
        Migration(version: 6, name: "field encryption of personal data", statements: [
            "ALTER TABLE audit_chain_head ADD COLUMN mac CHAR(64) CHARACTER SET ascii NULL",
            "ALTER TABLE accounts ADD COLUMN pii_ciphertext VARCHAR(2000) NULL, ADD CONSTRAINT accounts_pii CHECK (pii_ciphertext IS NULL OR LEFT(pii_ciphertext, 3) = 'v1:')",
            "ALTER TABLE orders ADD COLUMN site_ciphertext VARCHAR(4000) NULL, ADD CONSTRAINT orders_site CHECK (site_ciphertext IS NULL OR LEFT(site_ciphertext, 3) = 'v1:')",
        ]),
        Migration(version: 7, name: "re-dispatch sweep", statements: [
            "CREATE INDEX orders_by_status ON orders(status, updated_at)",
        ]),
        Migration(version: 8, name: "audit chain head records its first chained sequence", statements: [
            // Rows below first_seq were written before the chain existed (legacy); at or after it
            // every row must be chained. The next append signs the head with it.
            "ALTER TABLE audit_chain_head ADD COLUMN first_seq BIGINT NOT NULL DEFAULT 1, ADD CONSTRAINT audit_head_first CHECK (first_seq >= 1)",
            """
            UPDATE audit_chain_head SET first_seq = COALESCE(
                (SELECT MIN(seq) FROM audit_events WHERE entry_hash IS NOT NULL), (SELECT MAX(seq) + 1 FROM audit_events), 1
            ) WHERE id = 1
            """,
        ]),
        Migration(version: 9, name: "outbox claims last through the send", statements: [
            // A claimed email is held until claimed_until (past the send, or a retry backoff), so a
            // dispatcher that read it before the claim cannot claim and send it a second time.
            "ALTER TABLE outbox_emails ADD COLUMN claimed_until BIGINT NULL",
        ]),
        Migration(version: 10, name: "staff roles need a second administrator", statements: [
            """
            CREATE TABLE role_grants (
                id \(uuid) NOT NULL PRIMARY KEY,
                account_id \(uuid) NOT NULL,
                from_role VARCHAR(16) NOT NULL,
                to_role VARCHAR(16) NOT NULL,
                creates_account TINYINT NOT NULL,
                requested_by \(uuid) NOT NULL,
                requested_at BIGINT NOT NULL,
                approved_by \(uuid) NULL,
                approved_at BIGINT NULL,
                KEY role_grants_account (account_id, approved_at),
                KEY role_grants_open (approved_at, requested_at),
                CONSTRAINT role_grants_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id),
                CONSTRAINT role_grants_requester_fk FOREIGN KEY (requested_by) REFERENCES accounts(id),
                CONSTRAINT role_grants_approver_fk FOREIGN KEY (approved_by) REFERENCES accounts(id),
                CONSTRAINT role_grants_from CHECK (from_role IN (\(roles))),
                CONSTRAINT role_grants_to CHECK (to_role IN (\(roles))),
                CONSTRAINT role_grants_creates CHECK (creates_account IN (0, 1)),
                CONSTRAINT role_grants_not_own CHECK (requested_by <> account_id),
                CONSTRAINT role_grants_two_people CHECK (approved_by IS NULL OR (approved_by <> requested_by AND approved_by <> account_id)),
                CONSTRAINT role_grants_approval CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
                CONSTRAINT role_grants_window CHECK (approved_at IS NULL OR approved_at <= requested_at + 86400000)
            ) \(table)
            """,
        ]),
        Migration(version: 11, name: "idempotency keys", statements: [
            """
            CREATE TABLE idempotency_keys (
                account_id \(uuid) NOT NULL,
                idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                fingerprint CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                status SMALLINT NULL,
                body MEDIUMTEXT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, idem_key),
                CONSTRAINT idempotency_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id),
                CONSTRAINT idempotency_key_length CHECK (CHAR_LENGTH(idem_key) BETWEEN 1 AND 255),
                CONSTRAINT idempotency_fingerprint CHECK (CHAR_LENGTH(fingerprint) = 64),
                CONSTRAINT idempotency_status CHECK (status IS NULL OR status BETWEEN 200 AND 299),
                CONSTRAINT idempotency_complete CHECK ((status IS NULL) = (body IS NULL)),
                CONSTRAINT idempotency_expiry CHECK (expires_at > created_at)
            ) \(table)
            """,
        ]),
        Migration(version: 12, name: "deposit payments and webhook events", statements: [
            """
            CREATE TABLE payments (
                id \(uuid) NOT NULL PRIMARY KEY,
                order_id \(uuid) NOT NULL,
                intent_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                amount_cents BIGINT NOT NULL,
                currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                status VARCHAR(16) NOT NULL,
                created_at BIGINT NOT NULL,
                paid_at BIGINT NULL,
                UNIQUE KEY payments_order (order_id),
                UNIQUE KEY payments_intent (intent_id),
                CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders(id),
                CONSTRAINT payments_amount CHECK (amount_cents > 0),
                CONSTRAINT payments_status CHECK (status IN ('pending', 'succeeded')),
                CONSTRAINT payments_paid CHECK ((status = 'succeeded') = (paid_at IS NOT NULL))
            ) \(table)
            """,
            """
            CREATE TABLE payment_events (
                event_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
                intent_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                received_at BIGINT NOT NULL,
                CONSTRAINT payment_events_intent_fk FOREIGN KEY (intent_id) REFERENCES payments(intent_id)
            ) \(table)
            """,
        ]),
        Migration(version: 13, name: "login codes for new devices, invitations", statements: [
            "ALTER TABLE one_time_tokens DROP CONSTRAINT ott_purpose",
            "ALTER TABLE one_time_tokens ADD CONSTRAINT ott_purpose CHECK (purpose IN ('verify_email','reset_password','login_code','invitation'))",
            "ALTER TABLE outbox_emails DROP CONSTRAINT outbox_template",
            "ALTER TABLE outbox_emails ADD CONSTRAINT outbox_template CHECK (template IN ('verify_email','reset_password','login_code','invitation'))",
        ]),
        Migration(version: 14, name: "index for support search by phone", statements: [
            // Support search looks accounts up by the blind index of the email or the phone;
            // email is unique (indexed), and this makes the phone side an index lookup too.
            "CREATE INDEX accounts_by_phone ON accounts(phone)",
        ]),
    ]
}
