import { expect } from 'chai';
import { heldPerSubscriber } from './broker-backlog';

describe('broker backlog (NATS /jsz)', () => {
  it("adds up what each subscriber's consumers on the subject have pending and unacknowledged, by queue group", () => {
    const consumer = (group: string, subject: string, pending: number, ackPending: number) => ({
      num_pending: pending,
      num_ack_pending: ackPending,
      config: { deliver_group: group, filter_subject: subject },
    });
    const jsz = {
      account_details: [
        {
          stream_detail: [
            { consumer_detail: [consumer('audit-service', 'task.created', 120, 30), consumer('audit-service', 'task.updated', 9, 9)] },
            { consumer_detail: [consumer('analytics-service', 'task.created', 0, 0)] },
            { consumer_detail: null },
          ],
        },
      ],
    };
    expect([...heldPerSubscriber(jsz, 'task.created')]).to.deep.equal([
      ['audit-service', 150],
      ['analytics-service', 0],
    ]);
    expect(heldPerSubscriber({}, 'task.created').size).to.equal(0);
  });
});
