import type { TopicPrompt } from '../feeds/entities/feed.entity';
import type { LlmMessage, LlmRequest } from './llm-provider';

export const DEFAULT_SYSTEM_PROMPT =
  'You are a data analyst watching a realtime data feed. Answer from the data given, briefly and precisely; say so when the data does not tell.';
export const DEFAULT_ANALYSIS_QUESTION = 'Provide a brief analysis of the latest data: the trend, notable changes and anything unusual.';
/** Question/answer pairs of a topic's memory that go into its next analysis. */
export const MEMORY_PAIRS = 3;
/** Most characters of window data put into one prompt; the oldest entries are dropped first. */
export const MAX_WINDOW_CHARS = 60_000;

export interface QaPair {
  question: string;
  answer: string;
}

export interface PromptInput {
  question: string;
  systemPrompt: string | null | undefined;
  window: unknown[];
  topic: string | null;
  /** Earlier pairs, oldest first; only the last MEMORY_PAIRS are used. */
  history?: QaPair[];
  maxTokens: number;
  temperature: number;
}

/** A provider request: the system prompt, the memory as earlier turns, then the question over the window. */
export function buildPrompt(input: PromptInput): LlmRequest {
  const lines = input.window.map((e) => JSON.stringify(e));
  let size = lines.reduce((n, l) => n + l.length + 1, 0);
  let start = 0;
  while (size > MAX_WINDOW_CHARS && start < lines.length) size -= lines[start++].length + 1;
  const kept = lines.slice(start);
  const subject = input.topic === null ? 'the feed' : `topic "${input.topic}"`;
  const data = kept.length
    ? `Data: the ${kept.length} most recent entries of ${subject}, oldest first, one JSON document per line:\n${kept.join('\n')}`
    : `Data: ${subject} has no entries yet.`;
  const memory: LlmMessage[] = (input.history ?? []).slice(-MEMORY_PAIRS).flatMap((p) => [
    { role: 'user' as const, content: p.question },
    { role: 'assistant' as const, content: p.answer },
  ]);
  return {
    system: input.systemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT,
    messages: [...memory, { role: 'user', content: `${input.question}\n\n${data}` }],
    maxTokens: input.maxTokens,
    temperature: input.temperature,
    window: input.window.slice(start),
    topic: input.topic,
  };
}

/** Auto mode's instructions for a topic: its topicPrompts entry, else the feed's defaultAIPrompt, else the default. */
export function analysisPrompt(
  feed: { topicPrompts: Record<string, TopicPrompt>; defaultAIPrompt: string | null },
  topic: string,
): { systemPrompt: string; question: string } {
  const own = feed.topicPrompts?.[topic];
  return {
    systemPrompt: own?.systemPrompt?.trim() || feed.defaultAIPrompt?.trim() || DEFAULT_SYSTEM_PROMPT,
    question: own?.question?.trim() || DEFAULT_ANALYSIS_QUESTION,
  };
}
