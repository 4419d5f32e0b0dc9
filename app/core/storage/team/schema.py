"""The shared store's schema: numbered SQL migrations, the version check, and the roles script.

A small numbered SQL set rather than Alembic: the app has no SQLAlchemy, the SQL is what an
administrator (or a DBA) reviews before running ``todoku-cli db upgrade``, each step runs in one
transaction together with the version bump, and the same list is tested against a real server.
Migrations never run implicitly: an operator's app only checks the version.

Trust model (docs/team-mode.md): objects belong to ``todoku_owner``; operators log in with their
own role, a member of ``todoku_app``, which may SELECT, and INSERT audit rows, never UPDATE or
DELETE them (grants), and a trigger refuses UPDATE/DELETE/TRUNCATE of audit rows even to the
owner. A result or a state is a new row; the newest counts. Only ``active_claims`` (the
coordination of who is deleting what right now, not audit) may be deleted by the app.
"""

from __future__ import annotations

OWNER_ROLE = "todoku_owner"
APP_ROLE = "todoku_app"
SCHEMA = "todoku"

_RESULTS = "('pending', 'deleted', 'not_found', 'failed', 'still_listed', 'gone')"
_STATES = "('pending', 'running', 'done', 'interrupted', 'reconciled')"
_AUDIT_TABLES = ("operations", "operation_entries", "entry_results", "operation_states")

_MIGRATION_1 = f"""
CREATE TABLE todoku.operators (
    db_user text PRIMARY KEY,
    display_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('view', 'delete'))
);
CREATE TABLE todoku.operations (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    db_user text NOT NULL DEFAULT session_user,
    display_name text NOT NULL DEFAULT '',
    os_user text NOT NULL,
    account_label text NOT NULL,
    subuser text NOT NULL,
    region text NOT NULL,
    base_host text NOT NULL,
    practice boolean NOT NULL,
    note text NOT NULL,
    retry_of bigint REFERENCES todoku.operations(id),
    origin text UNIQUE
);
CREATE INDEX operations_started ON todoku.operations (started_at);
CREATE TABLE todoku.operation_entries (
    id bigserial PRIMARY KEY,
    operation_id bigint NOT NULL REFERENCES todoku.operations(id),
    seq integer NOT NULL,
    list_kind text NOT NULL,
    email text NOT NULL,
    created timestamptz,
    status text NOT NULL,
    reason text NOT NULL,
    ip text NOT NULL,
    explanation_reason text NOT NULL,
    explanation_label text NOT NULL,
    explanation_permanent boolean NOT NULL,
    UNIQUE (operation_id, list_kind, email)
);
CREATE INDEX operation_entries_email ON todoku.operation_entries (lower(email), list_kind);
CREATE TABLE todoku.entry_results (
    id bigserial PRIMARY KEY,
    entry_id bigint NOT NULL REFERENCES todoku.operation_entries(id),
    result text NOT NULL CHECK (result IN {_RESULTS}),
    detail text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    observed_at timestamptz,
    db_user text NOT NULL DEFAULT session_user,
    client_key uuid UNIQUE
);
CREATE INDEX entry_results_latest ON todoku.entry_results (entry_id, id DESC);
CREATE TABLE todoku.operation_states (
    id bigserial PRIMARY KEY,
    operation_id bigint NOT NULL REFERENCES todoku.operations(id),
    state text NOT NULL CHECK (state IN {_STATES}),
    at timestamptz NOT NULL DEFAULT now(),
    observed_at timestamptz,
    db_user text NOT NULL DEFAULT session_user,
    client_key uuid UNIQUE
);
CREATE INDEX operation_states_latest ON todoku.operation_states (operation_id, id DESC);
CREATE TABLE todoku.active_claims (
    scope text NOT NULL,
    list_kind text NOT NULL,
    email_norm text NOT NULL,
    operation_id bigint NOT NULL REFERENCES todoku.operations(id),
    PRIMARY KEY (scope, list_kind, email_norm)
);
CREATE INDEX active_claims_operation ON todoku.active_claims (operation_id);

CREATE VIEW todoku.entry_current AS
SELECT e.*, coalesce(r.result, 'pending') AS result, coalesce(r.detail, '') AS detail,
       coalesce(r.observed_at, r.recorded_at, o.started_at) AS updated_at
FROM todoku.operation_entries e
JOIN todoku.operations o ON o.id = e.operation_id
LEFT JOIN LATERAL (
    SELECT x.result, x.detail, x.recorded_at, x.observed_at FROM todoku.entry_results x
    WHERE x.entry_id = e.id ORDER BY x.id DESC LIMIT 1
) r ON true;

CREATE VIEW todoku.operation_current AS
SELECT o.*, coalesce(s.state, 'pending') AS state,
       CASE WHEN s.state IN ('done', 'interrupted', 'reconciled')
            THEN coalesce(s.observed_at, s.at) END AS finished_at
FROM todoku.operations o
LEFT JOIN LATERAL (
    SELECT x.state, x.at, x.observed_at FROM todoku.operation_states x
    WHERE x.operation_id = o.id ORDER BY x.id DESC LIMIT 1
) s ON true;

-- Audit rows are append-only, for every role (the owner must drop the trigger to change one).
CREATE FUNCTION todoku.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'todoku: % on %.% refused: audit rows are append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = '42501';
END $$;

-- Who wrote a row comes from the login, not from the client: only 削除可 operators may write
-- deletions; the name the team sees is the one the administrator registered. The operation row
-- is stamped per row; results and states are checked once per statement (a batch of results is
-- one statement) and get their time and login from column defaults the app may not override
-- (column-level INSERT grants, see GRANTS).
CREATE FUNCTION todoku.deleting_operator() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    who record;
BEGIN
    SELECT o.display_name, o.role INTO who FROM todoku.operators o WHERE o.db_user = session_user;
    IF NOT FOUND OR who.role <> 'delete' THEN
        RAISE EXCEPTION 'todoku: % may not write deletions (%)', session_user,
            coalesce(who.role, 'not registered')
            USING ERRCODE = '42501', HINT = 'todoku-view-only';
    END IF;
    RETURN who.display_name;
END $$;

CREATE FUNCTION todoku.stamp_operation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    registered_name text;
BEGIN
    registered_name := todoku.deleting_operator();
    NEW.db_user := session_user;
    IF NEW.origin IS NULL THEN
        NEW.started_at := now();
        NEW.display_name := registered_name;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION todoku.check_operator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM todoku.deleting_operator();
    RETURN NULL;
END $$;

CREATE TRIGGER stamp_operation BEFORE INSERT ON todoku.operations
    FOR EACH ROW EXECUTE FUNCTION todoku.stamp_operation();
CREATE TRIGGER check_operator BEFORE INSERT ON todoku.entry_results
    FOR EACH STATEMENT EXECUTE FUNCTION todoku.check_operator();
CREATE TRIGGER check_operator BEFORE INSERT ON todoku.operation_states
    FOR EACH STATEMENT EXECUTE FUNCTION todoku.check_operator();
""" + "".join(
    f"""
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON todoku.{table}
    FOR EACH ROW EXECUTE FUNCTION todoku.refuse_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON todoku.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION todoku.refuse_change();
"""
    for table in _AUDIT_TABLES
)

# Fetch history (issue 15's HistoryStorage on the server; team/history_pg.py). Not audit: the
# app updates rows as fetches merge and deletes them for 「このアドレスの記録を消す」 and retention.
# Times are Unix seconds (bigint), as the SQLite history keeps them.
_MIGRATION_2 = """
CREATE TABLE todoku.history_accounts (
    id bigserial PRIMARY KEY,
    provider text NOT NULL, account text NOT NULL, subuser text NOT NULL,
    region text NOT NULL, practice boolean NOT NULL,
    UNIQUE (provider, account, subuser, region, practice)
);
CREATE TABLE todoku.history_texts (id bigserial PRIMARY KEY, text text NOT NULL UNIQUE);
CREATE TABLE todoku.history_explanations (
    id bigserial PRIMARY KEY, category text NOT NULL, label text NOT NULL,
    body text NOT NULL UNIQUE
);
CREATE TABLE todoku.history_fetches (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES todoku.history_accounts(id),
    fetched_at bigint NOT NULL, range_start bigint NOT NULL, range_end bigint NOT NULL,
    full_pass boolean NOT NULL, lists text NOT NULL, entries integer NOT NULL,
    new integer NOT NULL, requests integer NOT NULL,
    db_user text NOT NULL DEFAULT session_user
);
CREATE TABLE todoku.history_coverage (
    account_id bigint NOT NULL, list smallint NOT NULL,
    start_time bigint NOT NULL, end_time bigint NOT NULL, high_water bigint NOT NULL,
    PRIMARY KEY (account_id, list)
);
CREATE TABLE todoku.history_entries (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL, list smallint NOT NULL, email text NOT NULL,
    created bigint NOT NULL, domain_id bigint NOT NULL, status_id bigint NOT NULL,
    reason_id bigint NOT NULL, ip_id bigint NOT NULL, explanation_id bigint,
    first_seen bigint NOT NULL, last_seen bigint NOT NULL, listed_fetch bigint NOT NULL,
    gone_by text, gone_at bigint
);
CREATE UNIQUE INDEX history_entries_key ON todoku.history_entries (account_id, list, lower(email));
CREATE INDEX history_entries_created ON todoku.history_entries (account_id, created);
CREATE TABLE todoku.history_returns (
    id bigserial PRIMARY KEY, account_id bigint NOT NULL, list smallint NOT NULL,
    email text NOT NULL, deleted_at bigint NOT NULL, returned_at bigint NOT NULL,
    reason_id bigint NOT NULL, noticed_at bigint NOT NULL
);
CREATE UNIQUE INDEX history_returns_key
    ON todoku.history_returns (account_id, list, lower(email), deleted_at);
CREATE INDEX history_returns_returned ON todoku.history_returns (account_id, returned_at);
"""
_HISTORY_TABLES = (
    "history_accounts",
    "history_texts",
    "history_explanations",
    "history_fetches",
    "history_coverage",
    "history_entries",
    "history_returns",
)

# 「このアドレスの記録を消す」 (issue 15) on the shared journal: the audit row stays (who deleted
# what kind of entry, when, with which result) but the address, reason and IP are replaced, as
# the SQLite journal does. It is the only way to change an audit row: a SECURITY DEFINER
# function (runs as the owner, checks the caller is 削除可) that lifts the append-only trigger
# inside its own transaction and records the erasure (never the address) in ``erasures``.
_MIGRATION_3 = """
CREATE TABLE todoku.erasures (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    db_user text NOT NULL DEFAULT session_user,
    masked_rows integer NOT NULL
);
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON todoku.erasures
    FOR EACH ROW EXECUTE FUNCTION todoku.refuse_change();
CREATE FUNCTION todoku.mask_address(address text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    masked integer;
BEGIN
    PERFORM todoku.deleting_operator();
    ALTER TABLE todoku.operation_entries DISABLE TRIGGER append_only;
    ALTER TABLE todoku.entry_results DISABLE TRIGGER append_only;
    WITH hit AS (
        UPDATE todoku.operation_entries
        SET email = '（消去済み #' || id || '）', reason = '', ip = ''
        WHERE lower(email) = lower(btrim(address)) RETURNING id
    ), cleared AS (
        UPDATE todoku.entry_results r SET detail = '' FROM hit WHERE r.entry_id = hit.id
        RETURNING 1
    )
    SELECT count(*) INTO masked FROM hit;
    ALTER TABLE todoku.operation_entries ENABLE TRIGGER append_only;
    ALTER TABLE todoku.entry_results ENABLE TRIGGER append_only;
    DELETE FROM todoku.active_claims WHERE email_norm = lower(btrim(address));
    INSERT INTO todoku.erasures (masked_rows) VALUES (masked);
    RETURN masked;
END $$;
REVOKE ALL ON FUNCTION todoku.mask_address(text) FROM PUBLIC;
"""

# The stamp of the connection (endpoint and credentials, digested: never a key) each history
# account's rows were fetched with; NULL for rows from before (history/connection_switch.py).
_MIGRATION_4 = """
ALTER TABLE todoku.history_accounts ADD COLUMN connection text;
"""

# Grants are re-applied after every migration (new tables get them too).
GRANTS = f"""
GRANT USAGE ON SCHEMA todoku TO {APP_ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA todoku TO {APP_ROLE};
GRANT INSERT ON todoku.operations, todoku.operation_entries TO {APP_ROLE};
GRANT INSERT (entry_id, result, detail, observed_at, client_key) ON todoku.entry_results
    TO {APP_ROLE};
GRANT INSERT (operation_id, state, observed_at, client_key) ON todoku.operation_states
    TO {APP_ROLE};
GRANT INSERT, DELETE ON todoku.active_claims TO {APP_ROLE};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA todoku TO {APP_ROLE};
REVOKE ALL ON todoku.operators FROM {APP_ROLE};
GRANT SELECT ON todoku.operators TO {APP_ROLE};
GRANT INSERT, UPDATE, DELETE ON {", ".join("todoku." + t for t in _HISTORY_TABLES)} TO {APP_ROLE};
GRANT EXECUTE ON FUNCTION todoku.mask_address(text) TO {APP_ROLE};
"""

# Migration N+1 is MIGRATIONS[N].
MIGRATIONS: tuple[str, ...] = (_MIGRATION_1, _MIGRATION_2, _MIGRATION_3, _MIGRATION_4)
SCHEMA_VERSION = len(MIGRATIONS)


def roles_sql(database: str = "todoku") -> str:
    """The script an administrator runs once (psql, as a superuser) before ``db upgrade``."""
    quoted = '"' + database.replace('"', '""') + '"'
    return f"""-- Todoku 共有データベース: 管理者が一度だけ実行する SQL です
-- （psql でスーパーユーザーとして）。
-- 例: psql -h HOST -U postgres -f todoku-roles.sql
-- パスワードの部分（'…'）は実行前に書き換えてください。

-- 1. ロール: スキーマの所有者と、担当者に共通の権限（ログインはしません）。
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
        CREATE ROLE {OWNER_ROLE} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} NOLOGIN;
    END IF;
END $$;

-- 2. データベース（すでにあれば作りません）。
SELECT 'CREATE DATABASE {quoted} OWNER {OWNER_ROLE}'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database.replace("'", "''")}')\\gexec
\\connect {quoted}
CREATE SCHEMA IF NOT EXISTS {SCHEMA} AUTHORIZATION {OWNER_ROLE};
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- 3. 管理者のログイン（todoku-cli db upgrade を実行し、担当者の権限を設定する人）。
CREATE ROLE todoku_admin LOGIN PASSWORD '管理者のパスワード' IN ROLE {OWNER_ROLE};

-- 4. 担当者ごとのログイン（アプリの「共有データベース」に入力するユーザー名）。
CREATE ROLE tanaka LOGIN PASSWORD '担当者のパスワード' IN ROLE {APP_ROLE};

-- 5. この後、管理者が `todoku-cli db upgrade --database postgresql://todoku_admin@HOST/{database}`
--    を実行してから、担当者の表示名と権限（view = 閲覧、delete = 削除可）を登録します:
--    INSERT INTO {SCHEMA}.operators (db_user, display_name, role)
--        VALUES ('tanaka', '田中', 'delete')
--    ON CONFLICT (db_user) DO UPDATE
--        SET display_name = EXCLUDED.display_name, role = EXCLUDED.role;
"""
