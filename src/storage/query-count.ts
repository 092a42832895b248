// How many queries one request runs: the HTTP layer opens a scope per request, the database
// counts into it (a Kysely log callback), so N+1 queries on a hot path show in a metric and fail
// a test. Outside a scope (background jobs) nothing is counted.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface QueryScope {
  queries: number;
}

const scope = new AsyncLocalStorage<QueryScope>();

/** Runs `work` (and everything it starts) counting its queries into `into`. */
export function countQueriesIn<T>(into: QueryScope, work: () => T): T {
  return scope.run(into, work);
}

export function countQuery(): void {
  const current = scope.getStore();
  if (current) current.queries += 1;
}
