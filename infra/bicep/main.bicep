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
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
