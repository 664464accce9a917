export const LLM_ANALYSES_QUEUE = 'llm-analyses';
/** The one job of the queue: analyse the subscribed topics of one feed (data: {feedId}). */
export const ANALYSE_FEED_JOB = 'analyse-feed';
/** Job scheduler id of a feed's repeatable analysis. */
export const schedulerIdOf = (feedId: string): string => `feed:${feedId}`;
export const SCHEDULER_PREFIX = 'feed:';

export interface AnalyseFeedData {
  feedId: string;
}
