// Twofold's app with some of its layers left out (LEAVE_OUT: comma-separated names from api/app.ts LAYERS), for
// `bench/cpu-per-check.ts --layers`: what each layer costs a session check. Configured from the environment as
// api/server.ts is (DATABASE_URL, SECRET_KEY, PORT…); the database must be migrated already.
import { createApp, LAYERS, type Layer } from '../../api/app.ts';
import { loadConfig } from '../../api/config.ts';
import { createDeps } from '../../api/deps.ts';

const leaveOut = (process.env.LEAVE_OUT ?? '').split(',').filter(Boolean) as Layer[];
const unknown = leaveOut.filter((layer) => !LAYERS.includes(layer));
if (unknown.length > 0) throw new Error(`LEAVE_OUT: no layer ${unknown.join(', ')}; the layers are ${LAYERS.join(', ')}`);
const config = loadConfig(process.env);
const deps = createDeps(config, Buffer.from(process.env.SECRET_KEY ?? '', 'hex'));
const server = createApp(deps, { leaveOut }).listen(config.port, config.host);
process.on('SIGTERM', () => server.close(() => void deps.db.destroy().then(() => process.exit(0))));
