import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';

/**
 * The sections of k8s/dapr-system/README.md whose commands install the control plane and backing services on a
 * cluster without chart repositories or a registry (the one-machine cluster), in the README's order. The chart
 * repositories (1), the Bitnami and NATS charts (4, 5) and the image build and push (7) are the steps that route
 * replaces: the images are imported by `cluster up`, and the reference deployment is applied by `npm run deploy:k8s`.
 */
export const SINGLE_NODE_SECTIONS: { heading: string; block: 'all' | 'last' }[] = [
  { heading: '## 2. Namespaces and the Redis password', block: 'all' },
  // Its first block is the install from the chart repository; the last one installs the module's chart.
  { heading: '## 3. Dapr', block: 'last' },
  { heading: '### Without chart repositories', block: 'all' },
  { heading: '## 6. The JetStream stream', block: 'all' },
];

export const INSTALL_README = join(REPO_ROOT, 'k8s', 'dapr-system', 'README.md');

/** The fenced bash blocks under one heading (up to the next heading of any level). */
export function bashBlocks(markdown: string, heading: string): string[] {
  const start = markdown.split('\n').findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`${INSTALL_README} has no heading "${heading}"`);
  const lines = markdown.split('\n').slice(start + 1);
  // A shell comment inside a fence is not a heading.
  let fenced = false;
  const end = lines.findIndex((l) => {
    if (l.startsWith('```')) fenced = !fenced;
    return !fenced && /^#{1,6} /.test(l);
  });
  const body = (end < 0 ? lines : lines.slice(0, end)).join('\n');
  return [...body.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

/** The README's commands for the one-machine cluster, verbatim, one script per section, in order. */
export function singleNodeInstallSteps(markdown = readFileSync(INSTALL_README, 'utf8')): { heading: string; script: string }[] {
  return SINGLE_NODE_SECTIONS.map(({ heading, block }) => {
    const blocks = bashBlocks(markdown, heading);
    if (blocks.length === 0) throw new Error(`${INSTALL_README}: "${heading}" has no bash block`);
    const chosen = block === 'last' ? blocks.slice(-1) : blocks;
    return { heading, script: chosen.join('\n') };
  });
}

/** The same commands as one script. */
export function singleNodeInstallScript(markdown?: string): string {
  return singleNodeInstallSteps(markdown)
    .map((s) => `# ${s.heading}\n${s.script}`)
    .join('\n');
}
