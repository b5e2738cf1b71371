// Storage for the Functions host (Durable task hub queues/tables/blobs), the Flex deployment
// package, CSV intake and reports. Shared-key access is disabled: every client (host, app,
// Flex deployment, operators) authenticates with Entra ID.

@description('Required. Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the account.')
param tags object = {}

@description('Required. Blob container receiving CSVs under incoming/ (MIGRATIONS_CONTAINER).')
param migrationsContainerName string

@description('Required. Blob container for status documents and reports (REPORTS_CONTAINER).')
param reportsContainerName string

@description('Required. Blob container the Flex Consumption plan deploys the app package from.')
param deploymentContainerName string

@description('Optional. Blob container Event Grid writes undeliverable upload events to.')
param deadLetterContainerName string = 'deadletter'

@description('Optional. Days a deleted blob (a CSV, a report) can be restored.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteRetentionDays int = 7

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
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

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteRetentionDays
    }
  }
}

resource migrations 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: migrationsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource reports 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: reportsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetter 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

@description('Resource id of the storage account.')
output resourceId string = account.id

@description('Name of the storage account.')
output name string = account.name

@description('Blob endpoint, with a trailing slash.')
output primaryBlobEndpoint string = account.properties.primaryEndpoints.blob

@description('Name of the deployment package container.')
output deploymentContainerName string = deployment.name

@description('Name of the CSV intake container.')
output migrationsContainerName string = migrations.name

@description('Name of the reports container.')
output reportsContainerName string = reports.name

@description('Name of the dead-letter container.')
output deadLetterContainerName string = deadLetter.name
