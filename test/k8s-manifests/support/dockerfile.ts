/** One instruction of a Dockerfile, continuation lines joined, with the build stage it belongs to. */
export interface Instruction {
  keyword: string;
  args: string;
  /** 0 before the first FROM (global ARGs), then 1, 2, … per FROM. */
  stage: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = 0;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!pending && /^\s*(#|$)/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full.startsWith('#') || full === '') continue;
    const match = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (!match) continue;
    const keyword = (match[1] as string).toUpperCase();
    if (keyword === 'FROM') stage++;
    out.push({ keyword, args: (match[2] as string).trim(), stage });
  }
  return out;
}

export function finalStage(instructions: Instruction[]): Instruction[] {
  const last = Math.max(...instructions.map((i) => i.stage));
  return instructions.filter((i) => i.stage === last);
}

/** The last CMD of the final stage in exec (JSON) form. */
export function execCmd(instructions: Instruction[]): string[] | undefined {
  const cmd = finalStage(instructions)
    .filter((i) => i.keyword === 'CMD')
    .pop();
  if (!cmd?.args.startsWith('[')) return undefined;
  return JSON.parse(cmd.args) as string[];
}

/** Sources of the COPY instructions that read the build context (not another stage). */
export function contextCopySources(instructions: Instruction[]): string[] {
  return instructions
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      return words.slice(0, -1);
    });
}

/** Sources that the .dockerignore allow-list (`*` then `!path`) leaves out of the build context. */
export function excludedByDockerignore(sources: string[], dockerignore: string): string[] {
  const lines = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines[0] !== '*') return [];
  const included = new Set(lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')));
  return sources.filter((s) => !included.has(s.replace(/\/$/, '')));
}
