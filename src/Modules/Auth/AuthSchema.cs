using AuroraNode.Modules.Data;

namespace AuroraNode.Modules.Auth;

/// <summary>
/// The <c>auth</c> schema: users (with their password hash, roles and whether they may log in) and the mesh's signing
/// keys (private keys sealed with <see cref="Keys.KeyEncryption"/>, so any node can sign, and a dump of the database
/// alone signs nothing). Sessions and refresh-token families live in Redis, not here.
/// </summary>
internal static class AuthSchema
{
    public static readonly SchemaMigrations Migrations = new("auth",
    [
        new MigrationScript("0001_users_and_signing_keys", """
            CREATE TABLE auth.users (
                id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
                username             text        NOT NULL,
                password_hash        text        NOT NULL,
                roles                text[]      NOT NULL DEFAULT '{user}',
                disabled             boolean     NOT NULL DEFAULT false,
                created_at           timestamptz NOT NULL,
                updated_at           timestamptz NOT NULL,
                password_changed_at  timestamptz NOT NULL,
                CONSTRAINT users_username_length CHECK (char_length(username) BETWEEN 1 AND 64),
                CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['admin', 'user']::text[])
            );
            -- One account per name whatever its case: 'Admin' cannot sit next to 'admin'.
            CREATE UNIQUE INDEX users_username ON auth.users (lower(username));
            COMMENT ON COLUMN auth.users.password_hash IS 'self-describing: algorithm, iterations, salt and hash (PHC-style string); rehashed at login when the parameters were raised';

            CREATE TABLE auth.signing_keys (
                kid          text        PRIMARY KEY,
                algorithm    text        NOT NULL DEFAULT 'ES256',
                private_key  bytea       NOT NULL,
                created_at   timestamptz NOT NULL,
                retired_at   timestamptz,
                CONSTRAINT signing_keys_algorithm CHECK (algorithm = 'ES256'),
                CONSTRAINT signing_keys_retired_after_created CHECK (retired_at IS NULL OR retired_at >= created_at)
            );
            -- At most one key signs at a time, even when two nodes rotate at once.
            CREATE UNIQUE INDEX signing_keys_one_current ON auth.signing_keys ((true)) WHERE retired_at IS NULL;
            COMMENT ON COLUMN auth.signing_keys.kid IS 'RFC 7638 JWK thumbprint of the public key';
            COMMENT ON COLUMN auth.signing_keys.private_key IS 'PKCS#8, sealed with AES-256-GCM under the mesh key: version, nonce, tag, ciphertext; the kid is authenticated data';
            COMMENT ON COLUMN auth.signing_keys.retired_at IS 'when a newer key took over signing; the key verifies until retired_at + access_token_ttl + clock_skew';
            """),
    ]);
}
