import { expect } from 'chai';
import { controlPlaneTable } from './control-plane-table';

describe('controlPlaneTable', () => {
  it('lists workloads like `dapr status -k`, the CRDs, and every problem', () => {
    const text = controlPlaneTable({
      controlPlaneNamespace: 'dapr-system',
      serverVersion: 'v1.34.4',
      daprVersion: '1.18.2',
      workloads: [
        {
          name: 'dapr-operator',
          kind: 'Deployment',
          namespace: 'dapr-system',
          found: true,
          healthy: true,
          desired: 1,
          ready: 1,
          available: 1,
          version: '1.18.2',
        },
        {
          name: 'dapr-sentry',
          kind: 'Deployment',
          namespace: 'dapr-system',
          found: false,
          healthy: false,
          desired: 0,
          ready: 0,
          available: 0,
          problem: 'dapr-sentry (Deployment in dapr-system) does not exist',
        },
      ],
      crds: [{ name: 'components.dapr.io', installed: true, established: true, versions: ['v1alpha1'] }],
      problems: ['dapr-sentry (Deployment in dapr-system) does not exist'],
      warnings: [],
    });
    expect(text.split('\n')).to.deep.equal([
      'Kubernetes v1.34.4, Dapr 1.18.2 in dapr-system',
      '',
      'NAME           NAMESPACE    KIND        HEALTHY  REPLICAS  VERSION',
      '-------------  -----------  ----------  -------  --------  -------',
      'dapr-operator  dapr-system  Deployment  True     1/1       1.18.2',
      'dapr-sentry    dapr-system  Deployment  False    missing',
      '',
      'CRD                 INSTALLED  ESTABLISHED  VERSIONS',
      '------------------  ---------  -----------  --------',
      'components.dapr.io  True       True         v1alpha1',
      '',
      '✗ dapr-sentry (Deployment in dapr-system) does not exist',
    ]);
  });
});
