import { Foundation1763800000000 } from './1763800000000-foundation';

/** Every migration in order; the app, the CLI and the tests run this list. */
export const MIGRATIONS = [Foundation1763800000000];
