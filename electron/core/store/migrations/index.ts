import { sql as m001 } from './001_initial';
import { sql as m002 } from './002_labels';

// Numbered migrations: entry i brings a workspace from user_version i to i + 1.
// Append only; never edit a released entry.
export const migrations: readonly string[] = [m001, m002];
