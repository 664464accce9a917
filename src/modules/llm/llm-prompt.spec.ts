import { analysisPrompt, buildPrompt, DEFAULT_ANALYSIS_QUESTION, DEFAULT_SYSTEM_PROMPT, MAX_WINDOW_CHARS } from './llm-prompt';

const base = { maxTokens: 100, temperature: 0.5 };

describe('buildPrompt', () => {
  it('puts the last 3 Q&A pairs before the question, and the window after it, oldest first', () => {
    const history = [1, 2, 3, 4].map((n) => ({ question: `q${n}`, answer: `a${n}` }));
    const r = buildPrompt({ ...base, question: 'Trend?', systemPrompt: null, window: [{ p: 1 }, { p: 2 }], topic: 'ETH', history });
    expect(r.system).toBe(DEFAULT_SYSTEM_PROMPT);
    expect(r.messages.map((m) => m.content).slice(0, 6)).toEqual(['q2', 'a2', 'q3', 'a3', 'q4', 'a4']);
    expect(r.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(r.messages[6].content).toBe('Trend?\n\nData: the 2 most recent entries of topic "ETH", oldest first, one JSON document per line:\n{"p":1}\n{"p":2}');
    expect(r).toMatchObject({ maxTokens: 100, temperature: 0.5, topic: 'ETH' });
  });

  it('uses the given system prompt, says when there is no data, and drops the oldest entries past the size limit', () => {
    expect(buildPrompt({ ...base, question: 'Q', systemPrompt: 'Be terse.', window: [], topic: null }).messages[0].content).toBe('Q\n\nData: the feed has no entries yet.');
    expect(buildPrompt({ ...base, question: 'Q', systemPrompt: 'Be terse.', window: [], topic: null }).system).toBe('Be terse.');
    const big = 'x'.repeat(MAX_WINDOW_CHARS / 4);
    const r = buildPrompt({ ...base, question: 'Q', systemPrompt: null, window: [{ n: 0, big }, { n: 1, big }, { n: 2, big }, { n: 3, big }, { n: 4, big }], topic: null });
    expect(r.window.map((e) => (e as { n: number }).n)).toEqual([2, 3, 4]);
    expect(r.messages[0].content).not.toContain('"n":1');
  });
});

describe('analysisPrompt', () => {
  const feed = { topicPrompts: { BTC: { systemPrompt: 'BTC analyst', question: 'BTC outlook?' }, ETH: { systemPrompt: ' ' } }, defaultAIPrompt: 'Feed analyst' };

  it("takes the topic's prompts, then the feed's defaultAIPrompt, then the defaults", () => {
    expect(analysisPrompt(feed, 'BTC')).toEqual({ systemPrompt: 'BTC analyst', question: 'BTC outlook?' });
    expect(analysisPrompt(feed, 'ETH')).toEqual({ systemPrompt: 'Feed analyst', question: DEFAULT_ANALYSIS_QUESTION });
    expect(analysisPrompt({ topicPrompts: {}, defaultAIPrompt: null }, 'X')).toEqual({ systemPrompt: DEFAULT_SYSTEM_PROMPT, question: DEFAULT_ANALYSIS_QUESTION });
  });
});
