// mailmig: staged IMAP mailbox migration into and out of Microsoft 365, on Azure Durable
// Functions (Flex Consumption). This file only composes the local modules in modules/ (no
// registry modules: CI compiles offline). Deploy with `azd up` (azure.yaml) or
// `az deployment sub create`; see docs/deploy.md.

targetScope = 'subscription'

import { imapEndpointType, migrationTuningType, storageLayoutType } from 'modules/types.bicep'

@description('Required. Name of the environment (azd env name): part of every resource name and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Required. Azure region for every resource. It must offer the Flex Consumption plan.')
@minLength(1)
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Required. Source side of the migration: IMAP host, auth and, for oauth2-app, tenant id, client id and the Key Vault name of its credential.')
param sourceServer imapEndpointType

@description('Required. Destination side of the migration, as for sourceServer.')
param destinationServer imapEndpointType

@description('Optional. Throughput and size limits; unset fields take the schema defaults.')
param tuning migrationTuningType = {}

@description('Optional. Names of the intake and report containers and of the checkpoint table.')
param storageLayout storageLayoutType = {}

@description('Optional. Durable Functions task hub name (DURABLE_TASK_HUB).')
@minLength(3)
@maxLength(45)
param durableTaskHub string = 'mailmig'

@description('Optional. Object id of the operator who uploads CSVs, reads reports and puts credentials into Key Vault (azd passes the signed-in user). Empty: no operator roles.')
param operatorPrincipalId string = ''

@description('Optional. Kind of the operator principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

@description('Optional. Most instances the function app scales out to (1-1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Memory per function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Always-ready instances of the function app\'s `durable` group (Durable on Flex Consumption: a warm instance keeps polling the task hub). 0: none.')
@minValue(0)
@maxValue(20)
param durableAlwaysReadyInstances int = 1

@description('Optional. Where Durable Functions keeps its task hub: "storage" (the host storage account), "storage-separate" (its own account, for heavy fleets on Azure Storage) or "scheduler" (the Durable Task Scheduler). See docs/deploy.md.')
@allowed([
  'storage'
  'storage-separate'
  'scheduler'
])
param durableBackend string = 'storage'

@description('Optional. "recover" restores this environment\'s soft-deleted Key Vault instead of creating it (infra/hooks/preprovision.* sets AZURE_KEY_VAULT_CREATE_MODE when it finds one).')
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string = 'default'

@description('Optional. Declare the Event Grid subscription of the blob trigger. The app code must be deployed first: infra/hooks/postdeploy.* creates it on the first `azd up` and sets MAILMIG_BLOB_SUBSCRIPTION=true for later provisions.')
param blobTriggerSubscriptionEnabled bool = false

@description('Optional. Days a deleted Key Vault or secret stays recoverable (7-90). Cannot be changed after creation.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Optional. Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional. Resource group name. Default "rg-<environmentName>".')
param resourceGroupName string = ''

@description('Optional. Tags added to every resource.')
param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })
var functionAppName = 'func-mailmig-${resourceToken}'
var migrationsContainerName = storageLayout.?migrationsContainer ?? 'migrations'
var reportsContainerName = storageLayout.?reportsContainer ?? 'reports'
var checkpointTableName = storageLayout.?checkpointTable ?? 'mailmigcheckpoints'

// Memory budget of one instance: the host and the Node worker take about 256 MB at rest; each
// running copyMessageRange activity holds up to its append pipeline (16 MB,
// shared/engine/copy-range/append-queue.ts) plus a message read and a message written (2 x
// MAX_MESSAGE_BYTES). host.json's 8 activities is lowered to what fits; below 1 the deployment
// stops (function-app.bicep's @minValue) instead of an instance running out of memory.
var maxMessageMB = ((tuning.?maxMessageBytes ?? 36700160) + 1048575) / 1048576
var maxConcurrentActivityFunctions = min(8, (instanceMemoryMB - 256) / (16 + 2 * maxMessageMB))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: allTags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-mailmig-${resourceToken}'
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stmailmig${take(resourceToken, 15)}'
    location: location
    tags: allTags
    migrationsContainerName: migrationsContainerName
    reportsContainerName: reportsContainerName
    deploymentContainerName: 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-mailmig-${take(resourceToken, 13)}'
    location: location
    tags: allTags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    createMode: keyVaultCreateMode
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-mailmig-${resourceToken}'
    applicationInsightsName: 'appi-mailmig-${resourceToken}'
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

module durable 'modules/durable.bicep' = {
  name: 'durable'
  scope: rg
  params: {
    backend: durableBackend
    storageAccountName: 'stmailmigdf${take(resourceToken, 13)}'
    schedulerName: 'dts-mailmig-${resourceToken}'
    taskHubName: durableTaskHub
    location: location
    tags: allTags
    identityPrincipalId: identity.outputs.principalId
    identityClientId: identity.outputs.clientId
  }
}

// Before the app: the host starts with storage, Key Vault and telemetry access in place.
module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  dependsOn: [
    roles
  ]
  params: {
    name: functionAppName
    planName: 'plan-mailmig-${resourceToken}'
    location: location
    tags: allTags
    serviceName: 'api'
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.primaryBlobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    sourceServer: sourceServer
    destinationServer: destinationServer
    tuning: tuning
    migrationsContainerName: storage.outputs.migrationsContainerName
    reportsContainerName: storage.outputs.reportsContainerName
    checkpointTableName: checkpointTableName
    durableTaskHub: durableTaskHub
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    maxConcurrentActivityFunctions: maxConcurrentActivityFunctions
    durableAlwaysReadyInstances: durableAlwaysReadyInstances
    durableBackend: durableBackend
    durableStorageAccountName: durable.outputs.storageAccountName
    durableTaskSchedulerConnection: durable.outputs.schedulerConnection
  }
}

module eventGrid 'modules/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: 'evgt-mailmig-${resourceToken}'
    location: location
    tags: allTags
    storageAccountName: storage.outputs.name
    identityResourceId: identity.outputs.resourceId
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    migrationsContainerName: storage.outputs.migrationsContainerName
    functionAppName: functionApp.outputs.name
    blobTriggerFunctionName: 'onMigrationCsvUploaded'
    subscriptionEnabled: blobTriggerSubscriptionEnabled
  }
}

// Outputs become azd environment values (read by infra/hooks/postdeploy.*); infra/terraform
// has outputs of the same names.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_MIGRATIONS_CONTAINER string = storage.outputs.migrationsContainerName
output AZURE_REPORTS_CONTAINER string = storage.outputs.reportsContainerName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URL string = keyVault.outputs.uri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_RESOURCE_ID string = identity.outputs.resourceId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output AZURE_DEADLETTER_CONTAINER string = storage.outputs.deadLetterContainerName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
