import { method } from './define';
import { z } from 'zod';

/** Flows, labels, classes and queries (issue 4 fills this in). */
export const flowsMethods = {
  'flows.count': method(z.object({})).returns<{ flows: number }>(),
};
