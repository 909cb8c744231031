import type { Handlers } from './types';
import type { reportsMethods } from '../../../shared/api/reports';

/** Reports (issue 7). */
export const reportsHandlers: Handlers<typeof reportsMethods> = {};
