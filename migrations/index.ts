import { Foundation1763800000000 } from './1763800000000-foundation';
import { Webhooks1763900000000 } from './1763900000000-webhooks';
import { Chat1764000000000 } from './1764000000000-chat';
import { Feeds1764100000000 } from './1764100000000-feeds';
import { Llm1764200000000 } from './1764200000000-llm';
import { ChatKeys1764300000000 } from './1764300000000-chat-keys';

/** Every migration in order; the app, the CLI and the tests run this list. */
export const MIGRATIONS = [Foundation1763800000000, Webhooks1763900000000, Chat1764000000000, Feeds1764100000000, Llm1764200000000, ChatKeys1764300000000];
