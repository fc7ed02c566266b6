// The history worker's entry: worker threads do not inherit tsx's loader from the server's thread, so this
// plain module registers it before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./history-worker.ts');
