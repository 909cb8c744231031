import type { MethodName } from '../../../shared/api';
import type { Handler } from './types';
import { workspaceHandlers } from './workspace';
import { flowsHandlers } from './flows';
import { modelsHandlers } from './models';
import { reportsHandlers } from './reports';

/** Every method's handler; the type makes a method without a handler a compile error. */
export const handlers: { [K in MethodName]: Handler<K> } = {
  ...workspaceHandlers,
  ...flowsHandlers,
  ...modelsHandlers,
  ...reportsHandlers,
};
