/** Topic and component names shared by the publisher (task-service), the subscribers and dapr-components/. */
export const PUBSUB = 'pubsub';
export const STATESTORE = 'statestore';

export const TASK_CREATED = 'task.created';
export const TASK_UPDATED = 'task.updated';
/** Where audit-service's task.created subscription sends what it could not process. */
export const TASK_DEADLETTER = 'task.deadletter';
/** A topic audit-service subscribes to with rawPayload=true, to observe deliveries that are not CloudEvents. */
export const RAW_TOPIC = 'harness.raw';
