// Venues for the trade jobs: the process-wide set from the registry (paper by default).
import type { Venue } from '../venues/types.ts';
import { sharedVenues } from '../venues/registry.ts';
import type { Queryable } from '../venues/paper-venue.ts';

export async function venueNamed(name: string, db?: Queryable): Promise<Venue> {
  return (await sharedVenues(db)).get(name);
}

export async function allVenues(db?: Queryable): Promise<Venue[]> {
  return (await sharedVenues(db)).venues;
}
