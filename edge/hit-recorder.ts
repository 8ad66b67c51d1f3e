// Tracking hits are answered first and recorded after (inside waitUntil); the recorder
// behind this contract batches them (edge/batching-hit-recorder.ts).
import type { Hit } from '../shared/tracking/hit';

export type { Hit };

export interface HitRecorder {
  /** Resolves once the hit is durably written (or handed to something that will write it). */
  record(hit: Hit): Promise<void>;
}
