import type { JobHandler } from '../jobs/types';
import { WorkbenchError } from '../errors';

/** Stub: issue 3 (captures) and issue 4 (flow logs) fill this in. */
export const ingestJob: JobHandler<'ingest'> = async () => {
  throw new WorkbenchError('E_UNAVAILABLE', 'Ingest is not built yet.');
};
