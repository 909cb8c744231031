import type { JobHandlers } from './types';

/**
 * The handler of each job kind, loaded on demand so a worker loads only what its job needs.
 * Adding a kind: its spec schema in shared/jobs.ts, its handler here.
 */
export const jobHandlers: JobHandlers = {
  'self-test': async () => (await import('./self-test')).selfTestJob,
  ingest: async () => (await import('../ingest/ingest-job')).ingestJob,
  train: async () => (await import('../ml/jobs')).trainJob,
  adapt: async () => (await import('../ml/jobs')).adaptJob,
  detect: async () => (await import('../ml/jobs')).detectJob,
  eval: async () => (await import('../ml/jobs')).evalJob,
  embed: async () => (await import('../ml/jobs')).embedJob,
  report: async () => (await import('../reports/report-job')).reportJob,
};
