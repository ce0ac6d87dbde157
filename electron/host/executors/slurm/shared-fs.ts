import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { SharedFsCheck } from '../../../../shared/executor.js';
import { slurm } from './commands.js';

/** statfs(2) magic numbers of filesystems that several machines mount (linux/magic.h and vendors'). */
const SHARED: Record<number, string> = {
  0x6969: 'nfs',
  0x0bd00bd0: 'lustre',
  0x47504653: 'gpfs',
  0x19830326: 'beegfs',
  0x00c36400: 'cephfs',
  0xff534d42: 'cifs',
  0xfe534d42: 'smb2',
  0x517b: 'smb',
  0x5346414f: 'afs',
  0x6b414653: 'afs',
  0x01161970: 'gfs2',
  0x7461636f: 'ocfs2',
  0xaad7aaea: 'panfs',
  0x01021997: '9p',
  0x65735546: 'fuse',
  0x564c: 'ncp',
};

/** Common local filesystems, named in the error. */
const LOCAL: Record<number, string> = {
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0x4d44: 'vfat',
  0x5346544e: 'ntfs',
  0xf2f52010: 'f2fs',
};

/** The filesystem type of a folder, and whether other machines can mount it. */
export async function filesystemOf(dir: string): Promise<{ type: string; shared: boolean }> {
  const st = await fs.statfs(dir);
  // statfs types are unsigned 32-bit on Linux; some platforms report them signed.
  const magic = st.type >>> 0;
  if (SHARED[magic]) return { type: SHARED[magic], shared: true };
  return { type: LOCAL[magic] ?? `0x${magic.toString(16)}`, shared: false };
}

/** This machine's names as Slurm may spell them (short and full host name). */
function ownNames(): Set<string> {
  const h = os.hostname();
  return new Set([h, h.split('.')[0] ?? h, 'localhost']);
}

/**
 * Can the compute nodes of `partition` read and write the data folder? True when it is on a
 * network filesystem (NFS, Lustre, GPFS, BeeGFS, CephFS, SMB, …), or when every node of the
 * partition is this machine (a one-node cluster, as in the lab's tests). A local disk with other
 * machines as nodes fails, naming both, because their tasks would find no run folders.
 */
export async function checkSharedDataDir(dataDir: string, partition?: string): Promise<SharedFsCheck> {
  const fsInfo = await filesystemOf(dataDir);
  if (fsInfo.shared)
    return {
      ok: true,
      fsType: fsInfo.type,
      message: `the data folder is on ${fsInfo.type}, which compute nodes can mount`,
    };
  const out = await slurm('sinfo', ['-h', '-N', '-o', '%N', ...(partition ? ['-p', partition] : [])]);
  const nodes = [
    ...new Set(
      out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  const own = ownNames();
  const where = partition ? `partition ${partition}` : 'the default partition';
  if (nodes.length > 0 && nodes.every((n) => own.has(n))) {
    return {
      ok: true,
      fsType: fsInfo.type,
      nodes,
      message: `the data folder is on ${fsInfo.type}, a local disk, but every node of ${where} is this machine (${nodes.join(', ')})`,
    };
  }
  const others = nodes.filter((n) => !own.has(n));
  return {
    ok: false,
    fsType: fsInfo.type,
    nodes,
    message:
      nodes.length === 0
        ? `${where} has no nodes (sinfo lists none)`
        : `the data folder ${dataDir} is on ${fsInfo.type}, a local disk of ${os.hostname()}, but the nodes of ${where} ` +
          `(${others.slice(0, 8).join(', ')}${others.length > 8 ? ', …' : ''}) are other machines: their tasks could not read ` +
          'the run folders. Use a data folder on a filesystem the nodes share (NFS, Lustre, GPFS, BeeGFS, CephFS): ' +
          '--data-dir /shared/… or LGG_LAB_HOME.',
  };
}
