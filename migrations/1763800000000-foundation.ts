import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763800000000 implements MigrationInterface {
  name = 'Foundation1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        last_login_at timestamptz,
        usage_month text NOT NULL,
        tokens_used bigint NOT NULL DEFAULT 0,
        token_limit bigint,
        usage_reset_at timestamptz NOT NULL,
        overdraft_allowed boolean NOT NULL DEFAULT false,
        two_factor_enabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_email_unique UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        plan text NOT NULL CHECK (plan IN ('free', 'pro', 'business', 'enterprise')),
        app_id text NOT NULL,
        key text NOT NULL,
        secret_enc text NOT NULL,
        jwt_secret_enc text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        settings jsonb NOT NULL DEFAULT '{}',
        limits jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenants_app_id_unique UNIQUE (app_id),
        CONSTRAINT tenants_key_unique UNIQUE (key)
      )`);
    await q.query(`CREATE INDEX tenants_account_id ON tenants (account_id)`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        last_chars text NOT NULL,
        key_hash text NOT NULL,
        scopes text[] NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_key_hash_unique UNIQUE (key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_account_id ON api_keys (account_id)`);
    await q.query(`CREATE UNIQUE INDEX api_keys_account_name_active ON api_keys (account_id, name) WHERE is_active`);
    await q.query(`
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        locked_until timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX login_throttle_expires_at ON login_throttle (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_throttle`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE tenants`);
    await q.query(`DROP TABLE accounts`);
  }
}
