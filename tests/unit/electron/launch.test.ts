import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesFromArgv, isWorkspacePath, planOpen } from '../../../electron/main/launch';
import { tmpDir } from '../../helpers/tmp';

describe('files named at launch', () => {
  const dir = tmpDir('nstd-launch-');
  const capture = path.join(dir, 'capture.pcap');
  const ws = path.join(dir, 'Case.NSTD');
  fs.writeFileSync(capture, '');
  fs.writeFileSync(ws, '');
  fs.mkdirSync(path.join(dir, 'folder'));

  it('takes existing files, resolved from the launch folder, and skips switches', () => {
    const argv = ['/opt/NSTD Workbench/nstd-workbench', '--no-sandbox', 'capture.pcap', '--enable-logging=stderr', ws, 'missing.pcap', 'folder'];
    expect(filesFromArgv(argv, dir, false)).toEqual([capture, ws]);
  });

  it('skips the app folder of a development launch (electron . FILE)', () => {
    expect(filesFromArgv(['/usr/lib/electron/electron', '.', 'capture.pcap'], dir, true)).toEqual([capture]);
    expect(filesFromArgv(['/usr/lib/electron/electron', '.'], dir, true)).toEqual([]);
  });

  it('opens the workspace named and imports the rest', () => {
    expect(isWorkspacePath(ws)).toBe(true);
    expect(isWorkspacePath(capture)).toBe(false);
    expect(planOpen([capture, ws, '/x/other.nstd'])).toEqual({ workspace: '/x/other.nstd', imports: [capture] });
    expect(planOpen([capture])).toEqual({ workspace: null, imports: [capture] });
  });
});
