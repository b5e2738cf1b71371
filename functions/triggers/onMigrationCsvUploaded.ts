import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { blobHandler } from '../lib/blob-handler.js';
import { hostDeps } from '../lib/trigger-deps.js';

const handler = blobHandler(hostDeps);

app.storageBlob(TRIGGERS.onMigrationCsvUploaded, {
  path: '%MIGRATIONS_CONTAINER%/incoming/{name}',
  connection: 'AzureWebJobsStorage',
  source: 'EventGrid',
  extraInputs: [df.input.durableClient()],
  handler: async (blob, context) => {
    await handler(blob, context);
  },
});
