import type { Handlers } from './types';
import type { flowsMethods } from '../../../shared/api/flows';

/** Flows, labels, classes and queries (issue 4). */
export const flowsHandlers: Handlers<typeof flowsMethods> = {
  'flows.count': (_p, ctx) => ({ flows: ctx.ws().db.prepare('SELECT count(*) FROM flows').pluck().get() as number }),
};
