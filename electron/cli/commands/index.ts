import type { CliCommand } from '../command';
import { command as serve } from './serve';
import { command as doctor } from './doctor';
import { command as report } from './report';
import { command as ingest } from './ingest';
import { command as train } from './train';
import { command as adapt } from './adapt';
import { command as detect } from './detect';
import { command as evaluate } from './eval';
import { command as flows } from './flows';
import { command as label } from './label';
import { command as classes } from './classes';
import { command as models } from './models';
import { command as demo } from './demo';
import { command as carve } from './carve';
import { command as bench } from './bench';

/** Every `nstd` subcommand, in the order `nstd --help` lists them. Append new ones. */
export const commands: CliCommand[] = [demo, serve, doctor, report, ingest, train, adapt, detect, evaluate, flows, label, classes, models, carve, bench];
