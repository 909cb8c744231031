import type { JobHandler } from '../jobs/types';
import { WorkbenchError } from '../errors';

const notYet = async (): Promise<never> => {
  throw new WorkbenchError('E_UNAVAILABLE', 'The meta-learning engine is not built yet.');
};
/** Stubs: issue 5 fills these in. */
export const trainJob: JobHandler<'train'> = notYet;
export const adaptJob: JobHandler<'adapt'> = notYet;
export const detectJob: JobHandler<'detect'> = notYet;
export const evalJob: JobHandler<'eval'> = notYet;
export const embedJob: JobHandler<'embed'> = notYet;
