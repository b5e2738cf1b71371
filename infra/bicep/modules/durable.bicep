// Where Durable Functions keeps its task hub, when not in the host storage account:
// - 'storage-separate': its own storage account, so the task hub's queue polling and table
//   traffic do not share the account's request limits with the host, CSV intake and reports
//   (the Azure Storage provider's advice under load);
// - 'scheduler': the Durable Task Scheduler, a managed backend with its own task hub, reached
//   with the app's identity (Durable Task Data Contributor).
// With 'storage' (the default) this module creates nothing.

@description('Required. Durable backend: "storage" (the host account), "storage-separate" or "scheduler".')
@allowed([
  'storage'
  'storage-separate'
  'scheduler'
])
param backend string

@description('Required. Storage account name for "storage-separate" (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Required. Durable Task Scheduler name for "scheduler".')
param schedulerName string

@description('Required. Task hub name (DURABLE_TASK_HUB).')
param taskHubName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for what is created.')
param tags object = {}

@description('Required. Principal (object) id of the app\'s user-assigned identity.')
param identityPrincipalId string

@description('Required. Client id of that identity (the scheduler connection names it).')
param identityClientId string

var separate = backend == 'storage-separate'
var scheduler = backend == 'scheduler'

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = if (separate) {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

// Storage Blob Data Owner
resource durableBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (separate) {
  name: guid(account.id, identityPrincipalId, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor
resource durableQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (separate) {
  name: guid(account.id, identityPrincipalId, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor
resource durableTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (separate) {
  name: guid(account.id, identityPrincipalId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource taskScheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = if (scheduler) {
  name: schedulerName
  location: location
  tags: tags
  properties: {
    // The app reaches it over the internet with its identity, like the rest of this deployment.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
    sku: {
      name: 'Consumption'
    }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = if (scheduler) {
  parent: taskScheduler
  name: taskHubName
  properties: {}
}

// Durable Task Data Contributor
resource schedulerDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (scheduler) {
  name: guid(taskScheduler.id, identityPrincipalId, '0ad04412-c4d5-4796-b79c-f76d14c8d402')
  scope: taskScheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0ad04412-c4d5-4796-b79c-f76d14c8d402')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Storage account holding the task hub when separate, else empty (the host account).')
output storageAccountName string = separate ? account.name : ''

@description('Durable Task Scheduler connection string for the app (identity, no secret), else empty.')
output schedulerConnection string = scheduler ? 'Endpoint=${taskScheduler!.properties.endpoint};TaskHub=${taskHub.name};Authentication=ManagedIdentity;ClientID=${identityClientId}' : ''
