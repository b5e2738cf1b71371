// The `mailmig` command as one ES module plus lazily loaded chunks (dist/bin/mailmig.js): Node
// then reads and links a handful of files at start instead of about eighty (~20 ms of every run).
// Packages stay outside the bundle and load from node_modules as usual.
export default {
  input: { mailmig: 'dist/cli/main.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
  output: { dir: 'dist/bin', cleanDir: true, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
};
