import { uniqueId } from './http';
import type { InvocationSite } from './invocation-probes';
import { APPS, invoke } from './sut';

export const CALLER = APPS.sample;
export const CALLEE = APPS.tasks;

/**
 * Every probe reads a task of its own: daprd keys the callee's breakers by method (`tasks/<id>`), so each probe
 * starts on a fresh breaker, whatever an earlier probe (or an earlier run against the same sidecars) left open.
 */
export const referenceSite: InvocationSite = {
  caller: CALLER,
  callee: CALLEE,
  async freshMethod(label) {
    const res = await invoke<{ task: { id: string } }>(CALLER, CALLEE, 'tasks', {
      method: 'POST',
      json: { title: uniqueId(`chaos-${label}`) },
    });
    if (res.status !== 201) throw new Error(`creating a task for the ${label} probe answered ${res.status}: ${res.text}`);
    return `tasks/${res.body.task.id}`;
  },
};
