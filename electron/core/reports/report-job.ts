import type { JobHandler } from '../jobs/types';
import { WorkbenchError } from '../errors';

/** Stub: issue 7 fills this in. */
export const reportJob: JobHandler<'report'> = async () => {
  throw new WorkbenchError('E_UNAVAILABLE', 'Reports are not built yet.');
};
