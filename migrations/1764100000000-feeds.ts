import { MigrationInterface, QueryRunner } from 'typeorm';

/** Feeds (external WebSocket sources owned by accounts) and accounts' subscriptions to them. */
export class Feeds1764100000000 implements MigrationInterface {
  name = 'Feeds1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE feeds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        url text NOT NULL,
        category text NOT NULL DEFAULT 'other',
        is_active boolean NOT NULL DEFAULT true,
        is_verified boolean NOT NULL DEFAULT false,
        is_public boolean NOT NULL DEFAULT false,
        feed_type text NOT NULL DEFAULT 'user',
        connection_type text NOT NULL DEFAULT 'websocket' CHECK (connection_type IN ('websocket')),
        connection_messages text[] NOT NULL DEFAULT '{}',
        reconnection_enabled boolean NOT NULL DEFAULT true,
        subscriber_count integer NOT NULL DEFAULT 0,
        tags text[],
        enable_topic_routing boolean NOT NULL DEFAULT false,
        topic_field text,
        topic_prompts jsonb NOT NULL DEFAULT '{}',
        default_ai_prompt text,
        query_interval integer CHECK (query_interval IN (5, 10, 30, 60)),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (NOT enable_topic_routing OR topic_field IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX feeds_owner_id ON feeds (owner_id)`);
    await q.query(`CREATE INDEX feeds_public_popular ON feeds (subscriber_count DESC, created_at DESC) WHERE is_public`);
    await q.query(`
      CREATE TABLE feed_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        feed_id uuid NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT feed_subscriptions_account_feed UNIQUE (account_id, feed_id)
      )`);
    await q.query(`CREATE INDEX feed_subscriptions_feed_id ON feed_subscriptions (feed_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE feed_subscriptions`);
    await q.query(`DROP TABLE feeds`);
  }
}
