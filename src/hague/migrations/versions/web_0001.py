"""web: sessions, API tokens, sign-in attempts, read audit, item search index (FTS5 / tsvector)

Revision ID: web_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hague.db.base

revision: str = "web_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("web",)
depends_on: str | Sequence[str] | None = None

TS = hague.db.base.UTCDateTime(timezone=True)

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE item_search USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER item_search_ai AFTER INSERT ON items BEGIN
        INSERT INTO item_search(rowid, title, body) VALUES (new.id, new.title, new.description || ' ' || new.place_name);
    END""",
    """CREATE TRIGGER item_search_au AFTER UPDATE OF title, description, place_name ON items BEGIN
        UPDATE item_search SET title = new.title,
            body = new.description || ' ' || new.place_name || ' ' ||
                   coalesce((SELECT group_concat(text, ' ') FROM item_texts WHERE item_id = new.id), '')
        WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER item_search_ad AFTER DELETE ON items BEGIN
        DELETE FROM item_search WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER item_texts_ai AFTER INSERT ON item_texts BEGIN
        UPDATE item_search SET body = body || ' ' || new.text WHERE rowid = new.item_id;
    END""",
    "INSERT INTO item_search(rowid, title, body) SELECT id, title, description || ' ' || place_name FROM items",
]

POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION hague_text (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION hague_text ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    """CREATE TABLE item_search (
        item_id integer PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
        tsv tsvector NOT NULL
    )""",
    "CREATE INDEX ix_item_search_tsv ON item_search USING gin (tsv)",
    """CREATE FUNCTION hague_item_search_refresh(target integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO item_search(item_id, tsv)
        SELECT i.id,
               setweight(to_tsvector('hague_text', i.title), 'A') ||
               to_tsvector('hague_text', coalesce(i.description, '') || ' ' || coalesce(i.place_name, '') || ' ' ||
                   coalesce((SELECT string_agg(t.text, ' ') FROM item_texts t WHERE t.item_id = i.id), ''))
        FROM items i WHERE i.id = target
        ON CONFLICT (item_id) DO UPDATE SET tsv = EXCLUDED.tsv
    $$""",
    """CREATE FUNCTION hague_item_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'items' THEN
            PERFORM hague_item_search_refresh(NEW.id);
        ELSE
            PERFORM hague_item_search_refresh(NEW.item_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER item_search_items AFTER INSERT OR UPDATE OF title, description, place_name ON items
        FOR EACH ROW EXECUTE FUNCTION hague_item_search_trigger()""",
    """CREATE TRIGGER item_search_texts AFTER INSERT ON item_texts
        FOR EACH ROW EXECUTE FUNCTION hague_item_search_trigger()""",
    "SELECT hague_item_search_refresh(id) FROM items",
]


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_web_sessions_secret_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_tokens_secret_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_index(op.f("ix_api_tokens_prefix"), "api_tokens", ["prefix"])
    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_attempts")),
    )
    op.create_index(op.f("ix_signin_attempts_key_hash"), "signin_attempts", ["key_hash"])
    op.create_index(op.f("ix_signin_attempts_at"), "signin_attempts", ["at"])
    op.create_table(
        "access_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("ern", sa.String(length=64), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_reads")),
    )
    op.create_index(op.f("ix_access_reads_username"), "access_reads", ["username"])
    op.create_index(op.f("ix_access_reads_ern"), "access_reads", ["ern"])
    op.create_table(
        "item_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_item_texts_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_texts")),
    )
    op.create_index(op.f("ix_item_texts_item_id"), "item_texts", ["item_id"])
    statements = SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("item_search_ai", "item_search_au", "item_search_ad", "item_texts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS item_search")
    else:
        op.execute("DROP TRIGGER IF EXISTS item_search_items ON items")
        op.execute("DROP TRIGGER IF EXISTS item_search_texts ON item_texts")
        op.execute("DROP TABLE IF EXISTS item_search")
        op.execute("DROP FUNCTION IF EXISTS hague_item_search_trigger()")
        op.execute("DROP FUNCTION IF EXISTS hague_item_search_refresh(integer)")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS hague_text")
    for table in ("item_texts", "access_reads", "signin_attempts", "api_tokens", "web_sessions"):
        op.drop_table(table)
