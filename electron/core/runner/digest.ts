import type Docker from 'dockerode';
import type { ImageRef } from '../registry/reference.js';

/** The digest the registry knows this image by (RepoDigests), else the local image id. */
export function digestOf(info: Docker.ImageInspectInfo, ref: ImageRef): string {
  const digests = info.RepoDigests ?? [];
  const names = new Set([ref.canonical.replace(/[:@].*$/, ''), `${ref.registry}/${ref.repository}`]);
  if (ref.registry === 'docker.io') {
    names.add(ref.repository);
    names.add(ref.repository.replace(/^library\//, ''));
  }
  const hit = digests.find((d) => names.has(d.slice(0, d.indexOf('@'))));
  const pick = hit ?? digests[0];
  return pick ? pick.slice(pick.indexOf('@') + 1) : info.Id;
}
