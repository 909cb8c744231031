import type { Handlers } from './types';
import type { modelsMethods } from '../../../shared/api/models';

/** Models, training, adaptation, detection and review (issue 5). */
export const modelsHandlers: Handlers<typeof modelsMethods> = {};
