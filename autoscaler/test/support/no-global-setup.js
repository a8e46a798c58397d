// Used only while tools/testbed is being written: runs the pure tests without the shared test bed.
export default async function noop() {}
