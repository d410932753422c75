// CPU time and resident memory of a server and every process it forked (a
// cluster's workers), read from /proc: the figures are the kernel's, the same
// for Convoy and for bare Socket.IO, and cost the measured process nothing.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_KB = 4;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuMs: number;
  kernelCpuMs: number;
  rssKb: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces: the fields after it start past the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const num = (field: number) => Number(fields[field - 3]);
    return {
      pid,
      ppid: num(4),
      cpuMs: ((num(14) + num(15)) * 1000) / TICKS_PER_SECOND,
      kernelCpuMs: (num(15) * 1000) / TICKS_PER_SECOND,
      rssKb: num(24) * PAGE_KB,
    };
  } catch {
    return null; // exited meanwhile
  }
}

/** The process and all its descendants. */
function tree(root: number): ProcStat[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
  const found = all.filter((stat) => stat.pid === root);
  for (let i = 0; i < found.length; i++)
    for (const stat of all) if (stat.ppid === found[i]!.pid) found.push(stat);
  return found;
}

export interface Usage {
  /** User + system CPU time, ms, summed over the tree. */
  cpuMs: number;
  /**
   * The system part of it: mostly sending (a loopback write also runs the
   * receiver's TCP path), so the same per delivery for any server that sends
   * the same bytes in as many writes; the rest is the server's own work.
   */
  kernelCpuMs: number;
  /** Resident memory, KB, summed over the tree. */
  rssKb: number;
}

export function usageOf(root: number): Usage {
  const stats = tree(root);
  return {
    cpuMs: stats.reduce((sum, s) => sum + s.cpuMs, 0),
    kernelCpuMs: stats.reduce((sum, s) => sum + s.kernelCpuMs, 0),
    rssKb: stats.reduce((sum, s) => sum + s.rssKb, 0),
  };
}

/**
 * CPU time the hypervisor gave to other guests while this one had work (the
 * "steal" column of /proc/stat), summed over the host's CPUs, and all CPU time
 * that passed. On a shared cloud host it comes and goes in bursts, and while
 * it lasts every process here runs slower: a turn's share of it tells how
 * fair that turn's figures are to its server.
 */
export interface HostTicks {
  steal: number;
  total: number;
}

export function hostTicks(): HostTicks {
  const fields = readFileSync("/proc/stat", "utf8")
    .split("\n", 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((sum, ticks) => sum + ticks, 0) };
}

/** The share of the host's CPU time between two readings that was stolen. */
export const stealShare = (before: HostTicks, after: HostTicks): number =>
  (after.steal - before.steal) / Math.max(1, after.total - before.total);
