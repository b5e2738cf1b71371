// Event Grid system topic for the storage account. Its event subscription, which delivers
// BlobCreated for <migrations>/incoming/ to the blob trigger's webhook, is created after code
// deployment by infra/hooks/postdeploy.* : the webhook URL carries the blobs_extension system
// key, which exists only once the host has started with the deployed code (docs/deploy.md).

@description('Required. System topic name.')
param name string

@description('Required. Azure region: the storage account\'s.')
param location string

@description('Optional. Tags for the topic.')
param tags object = {}

@description('Required. Storage account the topic publishes events of.')
param storageAccountName string

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

@description('Name of the system topic.')
output name string = topic.name

@description('Resource id of the system topic.')
output resourceId string = topic.id
