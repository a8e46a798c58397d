// What the lab cluster runs: every image, its tag, the Dockerfile that builds it and where its
// build context comes from. Pure data; build.ts turns it into archives.

/** Tags of the two local base images (in the builder's storage only, never in an archive). */
export const BASE_TAGS = {
  debian: 'localhost/laas-debian:bookworm-slim',
  node: 'localhost/laas-node:24-bookworm-slim',
} as const;

/**
 * Where an image's build context comes from:
 * - `repo`: the repository root, filtered by .dockerignore (what `docker build .` sends);
 * - `pause`: a folder holding only the pause binary built from tools/go/pause;
 * - `{ binary, name }`: a folder holding only that one binary, as `name`: a pinned tool of
 *   tools/bin (`tool`) or a program of this machine's Debian (`system`, an absolute path).
 */
export type ContextSource =
  'repo' | 'pause' | { binary: { tool: string } | { system: string }; name: string };

export interface LabImageSpec {
  /** Short name: file name of the archive (`<name>.tar`) and key in the manifest. */
  name: string;
  /** The tag pods use with imagePullPolicy IfNotPresent (containerd stores it under docker.io/). */
  tag: string;
  /** Repo-relative Dockerfile. */
  dockerfile: string;
  context: ContextSource;
  /** Build arguments: every base image points at a local one. */
  buildArgs: Record<string, string>;
}

const nodeBase = { NODE_IMAGE: BASE_TAGS.node };

export const LAB_IMAGES: readonly LabImageSpec[] = [
  {
    name: 'images',
    tag: 'laas/images:dev',
    dockerfile: 'services/images/Dockerfile',
    context: 'repo',
    buildArgs: nodeBase,
  },
  {
    name: 'auth',
    tag: 'laas/auth:dev',
    dockerfile: 'services/auth/Dockerfile',
    context: 'repo',
    buildArgs: nodeBase,
  },
  {
    name: 'gateway',
    tag: 'laas/gateway:dev',
    dockerfile: 'services/gateway/Dockerfile',
    context: 'repo',
    buildArgs: nodeBase,
  },
  {
    name: 'autoscaler',
    tag: 'laas/autoscaler:dev',
    dockerfile: 'autoscaler/Dockerfile',
    context: 'repo',
    buildArgs: nodeBase,
  },
  {
    name: 'k6',
    tag: 'laas/k6:dev',
    dockerfile: 'lab/container-images/dockerfiles/k6.Dockerfile',
    context: { binary: { tool: 'k6' }, name: 'k6' },
    buildArgs: { BASE_IMAGE: BASE_TAGS.debian },
  },
  {
    name: 'prometheus',
    tag: 'laas/prometheus:dev',
    dockerfile: 'lab/container-images/dockerfiles/prometheus.Dockerfile',
    context: { binary: { tool: 'prometheus' }, name: 'prometheus' },
    buildArgs: { BASE_IMAGE: BASE_TAGS.debian },
  },
  {
    name: 'ferretdb',
    tag: 'laas/ferretdb:dev',
    dockerfile: 'lab/container-images/dockerfiles/ferretdb.Dockerfile',
    context: { binary: { tool: 'ferretdb' }, name: 'ferretdb' },
    buildArgs: { BASE_IMAGE: BASE_TAGS.debian },
  },
  {
    name: 'pause',
    tag: 'laas/pause:dev',
    dockerfile: 'lab/container-images/dockerfiles/pause.Dockerfile',
    context: 'pause',
    buildArgs: {},
  },
];

/** The fully qualified name containerd and the kubelet use for a short tag (laas/x:dev). */
export function qualifiedTag(tag: string): string {
  const first = tag.split('/')[0]!;
  const hasRegistry =
    tag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return tag;
  return tag.includes('/') ? `docker.io/${tag}` : `docker.io/library/${tag}`;
}

/** The specs named in `names` (all when empty); an unknown name is an error, not silently skipped. */
export function selectImages(
  names: readonly string[],
  all: readonly LabImageSpec[] = LAB_IMAGES,
): LabImageSpec[] {
  if (names.length === 0) return [...all];
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown image ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  return all.filter((s) => names.includes(s.name));
}
