import { runRouter } from '../router/cli.ts';
import { HarnessError } from '../sys/errors.ts';
import { capture } from './commands/capture.ts';
import { clean } from './commands/clean.ts';
import { decode } from './commands/decode.ts';
import { doctor } from './commands/doctor.ts';
import { down } from './commands/down.ts';
import { exec } from './commands/exec.ts';
import { grade } from './commands/grade.ts';
import { ls } from './commands/ls.ts';
import { matrix } from './commands/matrix.ts';
import { merge } from './commands/merge.ts';
import { report } from './commands/report.ts';
import { test } from './commands/test.ts';
import { up } from './commands/up.ts';

export const USAGE = `knetsim: Kubernetes networking scenarios on one Linux host (root needed)

Usage:
  knetsim up [--topology FILE] [--detach]   start a simulation; open the prompt (or print its run id)
  knetsim exec RUN NODE -- CMD [ARGS...]    run a program in a worker (C0w1) or pod (C0w1:c1) of a run
  knetsim capture RUN NODE [-i IFACE] [-f FILTER] [-c N] [-w FILE.pcap]
                                            tcpdump in a worker, pod or the underlay; decoded packets live
  knetsim decode FILE.pcap [--vxlan-port N]... [--json]
                                            one line per packet (or JSON), VXLAN opened
  knetsim ls                                list runs and their state
  knetsim down RUN                          stop a run and remove everything it made
  knetsim clean [RUN | --all]               remove what dead runs left (or RUN, or every run)
  knetsim doctor                            check every program and kernel feature knetsim needs
  knetsim test [PATHS...] [--report-dir DIR] [--retries N] [--all] [--shard I/N] [--deadline MIN]
                                            run scenario files; HTML report + JUnit XML in DIR
  knetsim report [--report-dir DIR]         regenerate the HTML report from DIR's results
  knetsim grade --submissions DIR [--exercises DIR] [--out DIR] [--parallel N] [--timeout S]
                [--roster FILE] [--shard I/N | --student NAME]
                                            grade students' submissions in sandboxes; class summary, pages,
                                            grades.csv, checks.csv, moodle.csv, canvas.csv
  knetsim matrix --variants FILE [SCENARIOS...] [--out DIR] [--parallel N] [--timeout S] [--shard I/N]
                                            run scenarios once per CNI/flannel variant; one report with diffs
  knetsim merge DIR... [--out DIR] [--partial]
                                            one report of a sharded run's folders (test, matrix or grade --shard)
  knetsim router -c FILE [--log FILE] [--log-enable LEVEL] [--check]
                                            run knetsim's own skupper router with a skrouterd JSON config

Options:
  -h, --help      this text (also: knetsim COMMAND --help)
  -V, --version   print the version

Environment:
  KNETSIM_STATE_DIR   where runs keep state and logs (default /tmp/knetsim)
  KNETSIM_TOOLS       where scripts/setup.sh put flanneld, cnitool and the flannel CNI plugin (default /opt/knetsim)
  KNETSIM_TOPOLOGY    the topology file scenarios use when they name none (set by knetsim matrix and grade)
  KNETSIM_ROUTER      the skupper router of multi-cluster runs: builtin or skrouterd (default: skrouterd
                      when it is on PATH, else builtin; the scenarios project uses builtin unless set)`;

type Command = (args: string[]) => Promise<number>;
const router: Command = (args) => runRouter(args, 'knetsim router');
const COMMANDS: Record<string, Command> = { up, exec, capture, decode, ls, down, clean, doctor, test, report, grade, matrix, merge, router };

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === '-V' || cmd === '--version') {
    console.log('knetsim 0.1.0');
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`knetsim: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof HarnessError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`knetsim ${cmd}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
