import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { FaultState } from '../../lib/faults/fault-state';
import { isRecord } from '../../lib/field-checks';
import { badRequest, sendError } from '../../lib/http-errors';
import { createService } from '../../lib/service';
import { httpSidecarClient, type SidecarClient } from '../../lib/sidecar/sidecar-client';
import { isEtagMismatch, sendSidecarFailure } from '../../lib/sidecar/sidecar-failure';
import { traceHeaders } from '../../lib/sidecar/trace-context';
import { PUBSUB, STATESTORE, TASK_CREATED, TASK_UPDATED } from '../../lib/topics';

export interface Task {
  id: string;
  title: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** The data of every task.created / task.updated event; Dapr wraps it in a CloudEvent. */
export interface TaskEvent {
  eventId: string;
  taskId: string;
  /** Epoch ms, so a subscriber can measure publish-to-delivery latency. */
  publishedAt: number;
  task: Task;
}

export interface TaskServiceParts {
  sidecar?: SidecarClient;
  faults?: FaultState;
  newId?: () => string;
  now?: () => number;
}

export const MAX_BULK_COUNT = 1000;
/** A concurrent update makes our ETag stale; re-reading and retrying a few times resolves ordinary contention. */
export const UPDATE_ATTEMPTS = 3;
const RESERVED_FIELDS = ['id', 'createdAt', 'updatedAt'];

export function taskKey(id: string): string {
  return `task-${id}`;
}

/**
 * The publisher of the reference deployment: each write is saved in the state store, then announced on pub/sub.
 * The two steps are not atomic (no outbox): a failed publish answers 502 and leaves the saved task in place.
 */
export function createTaskApp(parts: TaskServiceParts = {}): Express {
  const sidecar = parts.sidecar ?? httpSidecarClient();
  const newId = parts.newId ?? randomUUID;
  const now = parts.now ?? Date.now;

  const eventFor = (task: Task): TaskEvent => ({ eventId: newId(), taskId: task.id, publishedAt: now(), task });

  return createService({
    faults: parts.faults,
    routes: (app) => {
      app.post('/tasks/bulk', async (req, res) => {
        const body = isRecord(req.body) ? req.body : {};
        const count = body.count;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_BULK_COUNT) {
          badRequest(
            res,
            `count must be a whole number from 1 to ${MAX_BULK_COUNT} (got ${JSON.stringify(count)})`,
            'send e.g. {"count":50,"titlePrefix":"load"}',
          );
          return;
        }
        if (body.titlePrefix !== undefined && typeof body.titlePrefix !== 'string') {
          badRequest(res, 'titlePrefix must be a string', 'send e.g. {"count":50,"titlePrefix":"load"}');
          return;
        }
        const prefix = (body.titlePrefix as string | undefined) ?? 'task';
        const stamp = new Date(now()).toISOString();
        const tasks: Task[] = Array.from({ length: count }, (_, i) => ({
          id: newId(),
          title: `${prefix}-${i + 1}`,
          status: 'open',
          createdAt: stamp,
          updatedAt: stamp,
        }));
        const headers = traceHeaders(req);
        try {
          await sidecar.saveState(
            STATESTORE,
            tasks.map((t) => ({ key: taskKey(t.id), value: t })),
            { headers },
          );
          const events = tasks.map(eventFor);
          // Bulk publish: one call to the sidecar for the whole batch, each event still its own CloudEvent.
          await sidecar.publishBulk(
            PUBSUB,
            TASK_CREATED,
            events.map((e) => ({ entryId: e.eventId, event: e, contentType: 'application/json' })),
            { headers },
          );
          res.json({ eventIds: events.map((e) => e.eventId), taskIds: tasks.map((t) => t.id) });
        } catch (err) {
          sendSidecarFailure(res, err);
        }
      });

      app.post('/tasks', async (req, res) => {
        if (!isRecord(req.body) || typeof req.body.title !== 'string' || req.body.title.trim() === '') {
          badRequest(res, 'title is required (a non-empty string)', 'send e.g. {"title":"write the report"}');
          return;
        }
        const stamp = new Date(now()).toISOString();
        const task: Task = {
          ...withoutReserved(req.body),
          id: newId(),
          title: req.body.title,
          status: 'open',
          createdAt: stamp,
          updatedAt: stamp,
        };
        const headers = traceHeaders(req);
        try {
          await sidecar.saveState(STATESTORE, [{ key: taskKey(task.id), value: task }], { headers });
          const event = eventFor(task);
          await sidecar.publish(PUBSUB, TASK_CREATED, event, { headers });
          res.status(201).json({ task, eventId: event.eventId });
        } catch (err) {
          sendSidecarFailure(res, err);
        }
      });

      app.get('/tasks/:id', async (req, res) => {
        try {
          const found = await sidecar.getState(STATESTORE, taskKey(req.params.id), { headers: traceHeaders(req) });
          if (!found) {
            notFound(res, req.params.id);
            return;
          }
          res.json(found.value);
        } catch (err) {
          sendSidecarFailure(res, err);
        }
      });

      app.put('/tasks/:id', async (req, res) => {
        if (!isRecord(req.body)) {
          badRequest(res, 'expected a JSON object with the fields to change', 'send e.g. {"status":"done"}');
          return;
        }
        if (req.body.title !== undefined && (typeof req.body.title !== 'string' || req.body.title.trim() === '')) {
          badRequest(res, 'title must be a non-empty string', 'send e.g. {"title":"new title"} or leave title out');
          return;
        }
        try {
          const task = await updateTask(sidecar, req, req.params.id as string, req.body, now);
          if (task === 'missing') {
            notFound(res, req.params.id as string);
            return;
          }
          if (task === 'conflict') {
            sendError(res, 409, 'conflict', `the task kept changing during ${UPDATE_ATTEMPTS} attempts; retry the update`);
            return;
          }
          const event = eventFor(task);
          await sidecar.publish(PUBSUB, TASK_UPDATED, event, { headers: traceHeaders(req) });
          res.json({ task, eventId: event.eventId });
        } catch (err) {
          sendSidecarFailure(res, err);
        }
      });
    },
  });
}

/** Read, merge, write with the ETag read (first-write wins), so a concurrent update is never silently lost. */
async function updateTask(
  sidecar: SidecarClient,
  req: Request,
  id: string,
  fields: Record<string, unknown>,
  now: () => number,
): Promise<Task | 'missing' | 'conflict'> {
  const headers = traceHeaders(req);
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    const found = await sidecar.getState(STATESTORE, taskKey(id), { headers });
    if (!found) return 'missing';
    const current = found.value as Task;
    const task: Task = {
      ...current,
      ...withoutReserved(fields),
      id: current.id,
      createdAt: current.createdAt,
      updatedAt: new Date(now()).toISOString(),
    };
    try {
      await sidecar.saveState(STATESTORE, [{ key: taskKey(id), value: task, etag: found.etag, options: { concurrency: 'first-write' } }], {
        headers,
      });
      return task;
    } catch (err) {
      if (!isEtagMismatch(err)) throw err;
    }
  }
  return 'conflict';
}

function withoutReserved(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !RESERVED_FIELDS.includes(k)));
}

function notFound(res: Response, id: string): void {
  sendError(res, 404, `no task ${id}`, 'create one with POST /tasks');
}
