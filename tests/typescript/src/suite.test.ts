// The TypeScript end-to-end suite: one process, so that the worker and the workflow bundle are made once.
import { after, before } from 'node:test';
import { shutdown, start } from './env';
import './features/start';
import './features/activity';
import './features/timer';
import './features/signal-query';
import './features/update';
import './features/child';
import './features/continue-as-new';
import './features/cancel-terminate';
import './features/list';
import './features/failures';
import './features/extras';
import './features/nexus';
import './features/versioning';

before(start);
after(shutdown);
