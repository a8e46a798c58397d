// The jest config of the tests run in the cgroup-v2 guest (tools/guest/run.sh): the repo's own,
// without the test bed's global setup, because the tests run there (the cgroup module's) start
// no shared server and the guest, emulated, would spend minutes starting FerretDB for nothing.
import config from '../../jest.config.js';

const guest = { ...config, rootDir: '../..' };
delete guest.globalSetup;
delete guest.globalTeardown;
export default guest;
