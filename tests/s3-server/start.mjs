// A real S3-compatible server (s3rver) on loopback for the archival tests.
//
//   node start.mjs '{"directory":"/tmp/x","buckets":["archive"]}'
//
// It listens on a port the OS picks and prints "listening <endpoint>" once it answers; it exits when its standard
// input closes, so a test that dies does not leave it behind. Requests must be signed with s3rver's account
// (access key S3RVER, secret S3RVER): another key is refused with InvalidAccessKeyId, a wrong secret with
// SignatureDoesNotMatch. Buckets listed are created at start; others answer NoSuchBucket until created.
import S3rver from 's3rver';

const config = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: config.directory,
  configureBuckets: (config.buckets ?? []).map((name) => ({ name })),
});
const { port } = await server.run();
console.log(`listening http://127.0.0.1:${port}`);

process.stdin.on('data', () => {});
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
