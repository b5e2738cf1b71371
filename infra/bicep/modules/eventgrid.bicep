// Event Grid system topic for the storage account and, once the app code runs, the subscription
// that delivers BlobCreated for <migrations>/incoming/*.csv to the blob trigger's webhook.
//
// The webhook URL carries the blobs_extension system key, which the host creates only when it
// starts with the deployed code, and Event Grid's validation handshake needs that code to
// answer. So the first `azd up` provisions without the subscription and infra/hooks/postdeploy.*
// creates it (retrying the handshake) and sets MAILMIG_BLOB_SUBSCRIPTION=true; from then on every
// provision declares it here, with the key read by listKeys (docs/deploy.md).
//
// Undeliverable events (30 attempts over 24 h) go to the dead-letter container instead of being
// dropped, written with the app's identity (the topic runs as it; storage has no shared keys).

@description('Required. System topic name.')
param name string

@description('Required. Azure region: the storage account\'s.')
param location string

@description('Optional. Tags for the topic.')
param tags object = {}

@description('Required. Storage account the topic publishes events of.')
param storageAccountName string

@description('Required. Resource id of the user-assigned identity the topic delivers and dead-letters as.')
param identityResourceId string

@description('Required. Container undeliverable events are written to.')
param deadLetterContainerName string

@description('Required. Container receiving CSVs under incoming/ (MIGRATIONS_CONTAINER).')
param migrationsContainerName string

@description('Required. Function app whose blob trigger the subscription feeds.')
param functionAppName string

@description('Required. Registered name of the blob trigger (shared/contracts/functions.ts).')
param blobTriggerFunctionName string

@description('Optional. Declare the webhook subscription (needs the app code deployed: the postdeploy hook turns it on).')
param subscriptionEnabled bool = false

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (subscriptionEnabled) {
  parent: topic
  name: 'migration-csv-uploaded'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${blobTriggerFunctionName}&code=${listKeys('${app.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${migrationsContainerName}/blobs/incoming/'
      subjectEndsWith: '.csv'
      isSubjectCaseSensitive: false
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: identityResourceId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: account.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

@description('Name of the system topic.')
output name string = topic.name

@description('Resource id of the system topic.')
output resourceId string = topic.id
