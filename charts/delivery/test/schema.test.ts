import { chartDir, helm } from '../src/tools.js';

// Each rule of values.schema.json (and the two cross-field checks the templates make), shown by a
// value that breaks it and the message `helm install` prints. `helm template` validates values
// exactly as `helm install` does, before anything reaches a cluster.
describe('values.schema.json rejects bad values with a clear message', () => {
  test.each([
    [
      'a negative replica count',
      ['--set', 'images.replicaCount=-1'],
      "at '/images/replicaCount': minimum: got -1, want 0",
    ],
    [
      'a replica count that is a string',
      ['--set-string', 'gateway.replicaCount=two'],
      "at '/gateway/replicaCount': got string, want integer",
    ],
    [
      'an empty image tag',
      ['--set', 'images.image.tag='],
      "at '/images/image/tag': minLength: got 0, want 1",
    ],
    ['a missing image tag', ['--set', 'auth.image.tag=null'], "at '/auth/image': missing property 'tag'"],
    [
      'an unknown pull policy',
      ['--set', 'gateway.image.pullPolicy=Sometimes'],
      "at '/gateway/image/pullPolicy': value must be one of",
    ],
    ['a malformed image digest', ['--set', 'images.image.digest=latest'], "at '/images/image/digest'"],
    [
      'a port out of range',
      ['--set', 'gateway.containerPort=70000'],
      "at '/gateway/containerPort': maximum: got 70,000, want 65,535",
    ],
    [
      'an unknown gateway auth mode',
      ['--set', 'gateway.authMode=sometimes'],
      "at '/gateway/authMode': value must be one of 'writes', 'all', 'none'",
    ],
    [
      'a misspelt parameter',
      ['--set', 'images.replicas=3'],
      "at '/images': additional properties 'replicas' not allowed",
    ],
    [
      'a misspelt top-level section',
      ['--set', 'mongo.enabled=false'],
      "additional properties 'mongo' not allowed",
    ],
    [
      'a CPU quantity that is not one',
      ['--set', 'images.resources.limits.cpu=fast'],
      "at '/images/resources/limits/cpu'",
    ],
    [
      'a memory quantity that is not one',
      ['--set', 'auth.resources.requests.memory=lots'],
      "at '/auth/resources/requests/memory'",
    ],
    [
      'a maxReplicas of zero',
      ['--set', 'images.autoscaling.maxReplicas=0'],
      "at '/images/autoscaling/maxReplicas': minimum: got 0, want 1",
    ],
    [
      'a latency quantile above 1',
      ['--set-json', 'images.autoscaling.objective.quantile=1.5'],
      "at '/images/autoscaling/objective/quantile': maximum",
    ],
    [
      'a scrape interval not in whole seconds',
      ['--set', 'prometheus.scrapeInterval=500ms'],
      "at '/prometheus/scrapeInterval'",
    ],
    [
      'running as root',
      ['--set', 'podSecurityContext.runAsUser=0'],
      "at '/podSecurityContext/runAsUser': minimum: got 0, want 10,000",
    ],
    [
      'a group ID that may be a group of the node',
      ['--set', 'podSecurityContext.runAsGroup=1000'],
      "at '/podSecurityContext/runAsGroup': minimum: got 1,000, want 10,000",
    ],
    [
      "MongoDB's volume owned by the image's own low group",
      ['--set', 'mongodb.podSecurityContext.fsGroup=999'],
      "at '/mongodb/podSecurityContext/fsGroup': minimum: got 999, want 10,000",
    ],
    [
      'a Prometheus uid below 10000',
      ['--set', 'prometheus.podSecurityContext.runAsUser=65'],
      "at '/prometheus/podSecurityContext/runAsUser': minimum: got 65, want 10,000",
    ],
    [
      'a container without an ephemeral-storage limit',
      ['--set', 'gateway.resources.limits.ephemeral-storage=null'],
      "at '/gateway/resources/limits': missing property 'ephemeral-storage'",
    ],
    [
      'a seed Job without an ephemeral-storage request',
      ['--set', 'images.seed.resources.requests.ephemeral-storage=null'],
      "at '/images/seed/resources/requests': missing property 'ephemeral-storage'",
    ],
    [
      'an ephemeral-storage that is not a quantity',
      ['--set', 'images.resources.requests.ephemeral-storage=lots'],
      "at '/images/resources/requests/ephemeral-storage'",
    ],
    [
      'a Prometheus TSDB larger than its pod may keep',
      ['--set', 'prometheus.dataSizeLimit=2Gi'],
      'prometheus.resources.limits.ephemeral-storage (1280Mi) must be larger than prometheus.dataSizeLimit (2Gi)',
    ],
    [
      'MongoDB data in an emptyDir larger than its pod may keep',
      ['--set', 'mongodb.persistence.enabled=false'],
      'mongodb.resources.limits.ephemeral-storage (512Mi) must be larger than mongodb.persistence.size',
    ],
    [
      'a rollout that may neither add nor remove a pod',
      ['--set', 'gateway.rollingUpdate.maxSurge=0'],
      'gateway.rollingUpdate: maxSurge and maxUnavailable cannot both be 0',
    ],
    [
      'a maxUnavailable that is neither a count nor a percentage',
      ['--set', 'images.rollingUpdate.maxUnavailable=half'],
      "at '/images/rollingUpdate/maxUnavailable'",
    ],
    [
      'an unknown whenUnsatisfiable',
      ['--set', 'auth.topologySpread.whenUnsatisfiable=Sometimes'],
      "at '/auth/topologySpread/whenUnsatisfiable': value must be one of 'ScheduleAnyway', 'DoNotSchedule'",
    ],
    [
      'a maxSkew of zero',
      ['--set', 'gateway.topologySpread.maxSkew=0'],
      "at '/gateway/topologySpread/maxSkew': minimum: got 0, want 1",
    ],
    [
      'one probe path for liveness and readiness',
      ['--set', 'autoscaler.probes.readinessPath=/healthz'],
      'autoscaler.probes: readinessPath and livenessPath must differ',
    ],
    [
      'a probe path that is not a path',
      ['--set', 'autoscaler.probes.livenessPath=healthz'],
      "at '/autoscaler/probes/livenessPath'",
    ],
    [
      'an API server address without a prefix length',
      ['--set-json', 'networkPolicy.apiServer.endpoints=[{"cidr":"198.18.0.1","port":443}]'],
      "at '/networkPolicy/apiServer/endpoints/0/cidr'",
    ],
    [
      'an API server endpoint without a port',
      ['--set-json', 'networkPolicy.apiServer.endpoints=[{"cidr":"198.18.0.1/32"}]'],
      "at '/networkPolicy/apiServer/endpoints/0': missing property 'port'",
    ],
    ['no DNS port', ['--set-json', 'networkPolicy.dns.ports=[]'], "at '/networkPolicy/dns/ports': minItems"],
    [
      'a peer that mixes an ipBlock with a podSelector',
      [
        '--set-json',
        'networkPolicy.externalMongodb.to=[{"ipBlock":{"cidr":"198.18.0.0/16"},"podSelector":{}}]',
      ],
      "at '/networkPolicy/externalMongodb/to/0': 'not' failed",
    ],
    [
      'an ingress controller address without a prefix length',
      ['--set-json', 'networkPolicy.ingressController.cidrs=["198.19.255.2"]'],
      "at '/networkPolicy/ingressController/cidrs/0'",
    ],
    [
      'an empty peer (it would admit everything)',
      ['--set-json', 'networkPolicy.externalPrometheus.to=[{}]'],
      "at '/networkPolicy/externalPrometheus/to/0': minProperties: got 0, want 1",
    ],
    ['an ingress host that is not a DNS name', ['--set', 'ingress.host=Not A Host'], "at '/ingress/host'"],
    [
      'no MongoDB at all',
      ['--set', 'mongodb.enabled=false'],
      "at '/externalMongodb/url': minLength: got 0, want 1",
    ],
    [
      'an external MongoDB URL of another scheme',
      ['--set', 'mongodb.enabled=false', '--set', 'externalMongodb.url=postgres://x'],
      "at '/externalMongodb/url'",
    ],
    [
      'the autoscaler without any Prometheus',
      ['--set', 'prometheus.enabled=false'],
      "at '/prometheus/url': minLength: got 0, want 1",
    ],
    [
      'a load-test stage without a duration',
      ['--set-json', 'loadtest.stages=[{"rate":5}]'],
      "at '/loadtest/stages/0': missing property 'duration'",
    ],
    [
      'a load-test rate of zero',
      ['--set-json', 'loadtest.stages=[{"duration":"5s","rate":0}]'],
      "at '/loadtest/stages/0/rate': minimum: got 0, want 1",
    ],
    [
      'a load-test duration that would break out of the runner script',
      ['--set-json', 'loadtest.stages=[{"duration":"5s; rm -rf /tmp"}]'],
      "at '/loadtest/stages/0/duration'",
    ],
    ['a load-test path that is not a path', ['--set', 'loadtest.path=random'], "at '/loadtest/path'"],
    [
      'minReplicas above maxReplicas',
      ['--set', 'auth.autoscaling.minReplicas=5', '--set', 'auth.autoscaling.maxReplicas=2'],
      'auth.autoscaling.minReplicas (5) must be <= auth.autoscaling.maxReplicas (2)',
    ],
    [
      'a drain longer than the grace period',
      ['--set', 'gateway.shutdownGraceMs=60000'],
      'gateway: preStopSeconds (5s) + shutdownGraceMs (60000ms) must fit in terminationGracePeriodSeconds (30s)',
    ],
    [
      'a load-test script the chart does not ship',
      ['--set', 'loadtest.enabled=true', '--set', 'loadtest.script=missing.js'],
      'loadtest.script: missing.js is not a file of the chart',
    ],
  ])('%s', async (_label, args, message) => {
    const result = await helm(['template', 'laas', chartDir, ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  test.each([
    ['a Prometheus TSDB just under its limit', ['--set', 'prometheus.dataSizeLimit=1279Mi']],
    [
      'MongoDB data in an emptyDir under its limit',
      ['--set', 'mongodb.persistence.enabled=false', '--set', 'mongodb.persistence.size=0.4Gi'],
    ],
    ['a rollout that surges by a percentage', ['--set', 'gateway.rollingUpdate.maxSurge=25%']],
  ])('accepts %s', async (_label, args) => {
    const result = await helm(['template', 'laas', chartDir, ...args]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('the default values pass', async () => {
    const result = await helm(['template', 'laas', chartDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
