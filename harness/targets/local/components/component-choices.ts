import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../../../errors/harness-error';
import { nearestName } from '../../../naming/nearest-name';
import { MATRIX_COMPONENTS, type MatrixArea, type PubsubChoice, type StateChoice } from '../../../results/component-matrix';
import { componentType, loadResourceFile, type DaprResource } from '../dapr-resources';

/** Which pub/sub and state components the local reference deployment runs; the defaults are NATS JetStream and Redis. */
export interface ComponentSelection {
  pubsub: PubsubChoice;
  state: StateChoice;
}

export const DEFAULT_SELECTION: ComponentSelection = { pubsub: 'nats', state: 'redis' };

/** The folder beside an app's resources that holds the alternative components, one standard Dapr file per choice. */
export const CHOICES_DIR = 'components';

const FLAG: Record<MatrixArea, string> = { pubsub: '--pubsub', state: '--state' };

/** A flag's value checked against the choices: an unknown name is a usage error naming them (and the nearest). */
export function parseChoice<A extends MatrixArea>(area: A, value: string): (typeof MATRIX_COMPONENTS)[A][number] {
  const choices: readonly string[] = MATRIX_COMPONENTS[area];
  if (choices.includes(value)) return value as (typeof MATRIX_COMPONENTS)[A][number];
  const near = nearestName(value, choices);
  throw usageError(
    'UNKNOWN_COMPONENT',
    `unknown ${area} component "${value}"${near ? ` (did you mean ${near}?)` : ''}`,
    `use ${FLAG[area]} ${choices.join(', ')}`,
  );
}

export function parseSelection(flags: { pubsub?: string; state?: string }): ComponentSelection {
  return {
    pubsub: flags.pubsub === undefined ? DEFAULT_SELECTION.pubsub : parseChoice('pubsub', flags.pubsub),
    state: flags.state === undefined ? DEFAULT_SELECTION.state : parseChoice('state', flags.state),
  };
}

export function isDefaultSelection(s: ComponentSelection): boolean {
  return s.pubsub === DEFAULT_SELECTION.pubsub && s.state === DEFAULT_SELECTION.state;
}

/** `pubsub=rabbitmq,state=redis`: how a set is named in run ids, folders and the matrix. */
export function selectionLabel(s: ComponentSelection): string {
  return `pubsub-${s.pubsub}.state-${s.state}`;
}

/**
 * An app's resources with the selected components in place of the committed ones: the Component of the area's
 * type (pubsub.*, state.*) is replaced by `<resources>/components/<area>-<choice>.yaml`, which keeps its name, so
 * subscriptions, resiliency targets and the apps are unchanged. The defaults leave the resources as they are.
 */
export function applySelection(resources: DaprResource[], resourcesPaths: string[], selection: ComponentSelection): DaprResource[] {
  let out = resources;
  for (const area of ['pubsub', 'state'] as const) {
    const choice = selection[area];
    if (choice === DEFAULT_SELECTION[area]) continue;
    const current = out.filter((r) => componentType(r)?.startsWith(`${area}.`));
    if (current.length === 0) continue;
    const file = resourcesPaths.map((p) => join(p, CHOICES_DIR, `${area}-${choice}.yaml`)).find((f) => existsSync(f));
    if (!file)
      throw usageError(
        'COMPONENT_FILE_MISSING',
        `no ${CHOICES_DIR}/${area}-${choice}.yaml beside the resources (${resourcesPaths.join(', ')})`,
        `add the Dapr component file for ${choice} there (see dapr-components/${CHOICES_DIR}/)`,
      );
    const replacement = loadResourceFile(file).filter((r) => r.kind === 'Component');
    const names = new Set(current.map((r) => r.name));
    const bad = replacement.find((r) => !names.has(r.name));
    if (bad || replacement.length === 0)
      throw usageError(
        'COMPONENT_FILE_INVALID',
        `${file} must hold the Component named ${[...names].join(' or ')} (found ${bad?.name ?? 'none'})`,
        'keep the name of the component it replaces, so subscriptions and resiliency targets still apply',
      );
    out = [...out.filter((r) => !current.includes(r)), ...replacement];
  }
  return out;
}

/** One deployment of the matrix: its components, and which areas' guarantees it is there to check. */
export interface MatrixSet {
  selection: ComponentSelection;
  areas: MatrixArea[];
}

/**
 * The deployments the matrix needs: the pub/sub and state suites are independent, so each pub/sub choice runs
 * beside the default state store and each state choice beside the default pub/sub (4 + 3, the default set once
 * for both), not every pair.
 */
export function matrixSets(pubsubs: readonly PubsubChoice[], states: readonly StateChoice[]): MatrixSet[] {
  const sets: MatrixSet[] = [];
  const add = (selection: ComponentSelection, area: MatrixArea): void => {
    const same = sets.find((s) => s.selection.pubsub === selection.pubsub && s.selection.state === selection.state);
    if (same) same.areas.push(area);
    else sets.push({ selection, areas: [area] });
  };
  for (const pubsub of pubsubs) add({ pubsub, state: DEFAULT_SELECTION.state }, 'pubsub');
  for (const state of states) add({ pubsub: DEFAULT_SELECTION.pubsub, state }, 'state');
  return sets;
}

/** A comma-separated list of choices (`rabbitmq,mqtt`), each checked; absent: all of them. */
export function parseChoiceList<A extends MatrixArea>(area: A, value: string | undefined): (typeof MATRIX_COMPONENTS)[A][number][] {
  if (value === undefined) return [...MATRIX_COMPONENTS[area]];
  return [
    ...new Set(
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
        .map((v) => parseChoice(area, v)),
    ),
  ];
}
