import { MigrationInterface, QueryRunner } from 'typeorm';

/** Automatic per-topic LLM analyses (issue 8), kept per feed and topic; they go with their feed. */
export class Llm1764200000000 implements MigrationInterface {
  name = 'Llm1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE llm_analyses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        feed_id uuid NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        topic text NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        question text NOT NULL,
        analysis text NOT NULL,
        tokens_used integer NOT NULL DEFAULT 0,
        duration_ms integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX llm_analyses_feed_topic_created ON llm_analyses (feed_id, topic, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS llm_analyses_feed_topic_created`);
    await q.query(`DROP TABLE IF EXISTS llm_analyses`);
  }
}
