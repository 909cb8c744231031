import type { z } from 'zod';

/**
 * One contract entry: the params schema (validated at every host's boundary) and the result
 * type (plain JSON). Written `method(schema).returns<Result>()`.
 */
export interface MethodDef<P extends z.ZodType = z.ZodType, R = unknown> {
  readonly params: P;
  /** Phantom: carries the result type only. */
  readonly result?: R;
}

export function method<P extends z.ZodType>(params: P) {
  return {
    returns<R>(): MethodDef<P, R> {
      return { params };
    },
  };
}

export type MethodMap = Record<string, MethodDef>;
export type ParamsOf<M extends MethodDef> = z.input<M['params']>;
export type ParsedParamsOf<M extends MethodDef> = z.output<M['params']>;
export type ResultOf<M extends MethodDef> = M extends MethodDef<z.ZodType, infer R> ? R : never;
