import { validationError } from '../../common/domain-error';
import type { TopicPrompt } from './entities/feed.entity';
import { topicPathError } from './topic-path';

const MAX_TOPIC_PROMPTS = 200;
const MAX_PROMPT_LENGTH = 4_000;

/** Each connection message must be a string holding JSON (seed 003: `"{\"type\":\"subscribe\",...}"`). */
export function checkConnectionMessages(messages: readonly string[]): void {
  messages.forEach((m, i) => {
    try {
      JSON.parse(m);
    } catch {
      throw validationError(`connectionMessages[${i}] must be a string holding JSON`);
    }
  });
}

/** Topic routing needs a topicField, and any topicField given must parse. */
export function checkTopicRouting(enableTopicRouting: boolean, topicField: string | null): void {
  if (topicField !== null) {
    const error = topicPathError(topicField);
    if (error) throw validationError(error);
  }
  if (enableTopicRouting && topicField === null) throw validationError('topicField is required when enableTopicRouting is true');
}

/** `{topic: {systemPrompt?, question?}}` with bounded sizes. */
export function checkTopicPrompts(value: Record<string, unknown>): Record<string, TopicPrompt> {
  const entries = Object.entries(value);
  if (entries.length > MAX_TOPIC_PROMPTS) throw validationError(`topicPrompts holds at most ${MAX_TOPIC_PROMPTS} topics`);
  const out: Record<string, TopicPrompt> = {};
  for (const [topic, prompt] of entries) {
    if (topic.length === 0 || topic.length > 200) throw validationError('topicPrompts keys must be topics of 1-200 characters');
    if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) {
      throw validationError(`topicPrompts.${topic} must be an object {systemPrompt?, question?}`);
    }
    const p = prompt as Record<string, unknown>;
    const extra = Object.keys(p).filter((k) => k !== 'systemPrompt' && k !== 'question');
    if (extra.length) throw validationError(`topicPrompts.${topic} has unknown fields: ${extra.join(', ')}`);
    const clean: TopicPrompt = {};
    for (const key of ['systemPrompt', 'question'] as const) {
      const v = p[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.length > MAX_PROMPT_LENGTH) {
        throw validationError(`topicPrompts.${topic}.${key} must be a string of at most ${MAX_PROMPT_LENGTH} characters`);
      }
      clean[key] = v;
    }
    out[topic] = clean;
  }
  return out;
}
