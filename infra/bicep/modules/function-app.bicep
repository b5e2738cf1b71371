// Flex Consumption plan and the function app. The app runs as the user-assigned identity for
// everything: host storage (AzureWebJobsStorage__*), the deployment package container, Key
// Vault (AZURE_CLIENT_ID makes DefaultAzureCredential pick it) and Application Insights.
// appSettings lists every key of shared/config/schema.ts the app needs; test/infra checks it.

import { imapEndpointType, migrationTuningType } from 'types.bicep'

@description('Required. Function app name (also the host id: keep it at most 32 characters).')
@minLength(2)
@maxLength(60)
param name string

@description('Required. Flex Consumption plan name.')
param planName string

@description('Required. Azure region (one that offers Flex Consumption).')
param location string

@description('Optional. Tags for the plan and the app (the app also gets azd-service-name).')
param tags object = {}

@description('Optional. azd service name this app deploys (azure.yaml).')
param serviceName string = 'api'

@description('Required. Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Required. Storage account used by the host, the app and the deployment package.')
param storageAccountName string

@description('Required. Blob endpoint of that account, with a trailing slash.')
param storageBlobEndpoint string

@description('Required. Container the Flex plan deploys the package from.')
param deploymentContainerName string

@description('Required. Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Required. Key Vault URI (KEY_VAULT_URL).')
param keyVaultUri string

@description('Required. Source side of the migration (SOURCE_* settings).')
param sourceServer imapEndpointType

@description('Required. Destination side of the migration (DESTINATION_* settings).')
param destinationServer imapEndpointType

@description('Optional. Throughput and size limits; unset fields take the schema defaults.')
param tuning migrationTuningType = {}

@description('Required. MIGRATIONS_CONTAINER.')
param migrationsContainerName string

@description('Required. REPORTS_CONTAINER.')
param reportsContainerName string

@description('Required. CHECKPOINT_TABLE.')
param checkpointTableName string

@description('Optional. Durable Functions task hub name (host.json reads %DURABLE_TASK_HUB%).')
@minLength(3)
@maxLength(45)
param durableTaskHub string = 'mailmig'

@description('Optional. Most instances the app scales out to (1-1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Required. Activities one instance runs at once: main.bicep derives it from instanceMemoryMB and the largest message, so their buffers fit in memory. Below 1, the memory cannot hold even one.')
@minValue(1)
@maxValue(8)
param maxConcurrentActivityFunctions int

@description('Optional. Always-ready instances of the `durable` function group (orchestrators and activities): one warm instance keeps polling the task hub, so a batch does not wait for a cold start at every step. 0 turns it off (cheaper when idle, slower to start).')
@minValue(0)
@maxValue(20)
param durableAlwaysReadyInstances int = 1

@description('Optional. Durable backend: "storage" (the host account), "storage-separate" or "scheduler" (main.bicep\'s durableBackend).')
@allowed([
  'storage'
  'storage-separate'
  'scheduler'
])
param durableBackend string = 'storage'

@description('Optional. Storage account holding the Durable task hub (the `DurableStorage` connection). Empty: the host storage account.')
param durableStorageAccountName string = ''

@description('Optional. Durable Task Scheduler connection string (Endpoint=...;TaskHub=...;Authentication=ManagedIdentity;ClientID=...), for the "scheduler" backend.')
param durableTaskSchedulerConnection string = ''

@description('Optional. Storage endpoint suffix of the cloud (STORAGE_ENDPOINT_SUFFIX). Default: the suffix of the cloud being deployed to.')
param storageEndpointSuffix string = environment().suffixes.storage

// The schema's default authority host, https://login.microsoftonline.com, is the public cloud's
// login endpoint: take the login host of the cloud being deployed to.
var defaultAuthorityHost = 'https://${split(environment().authentication.loginEndpoint, '/')[2]}'

var useScheduler = durableBackend == 'scheduler'

// Durable's storage provider: app settings override host.json (AzureFunctionsJobHost__ paths),
// so one host.json serves the local lab, Azure Storage (the same or a separate account) and the
// Durable Task Scheduler.
var schedulerSettings = [
  { name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type', value: 'azureManaged' }
  { name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName', value: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING' }
  { name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING', value: durableTaskSchedulerConnection }
]
var durableAccount = empty(durableStorageAccountName) ? storageAccountName : durableStorageAccountName
var storageProviderSettings = [
  { name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionName', value: 'DurableStorage' }
  { name: 'DurableStorage__accountName', value: durableAccount }
  { name: 'DurableStorage__blobServiceUri', value: 'https://${durableAccount}.blob.${storageEndpointSuffix}' }
  { name: 'DurableStorage__queueServiceUri', value: 'https://${durableAccount}.queue.${storageEndpointSuffix}' }
  { name: 'DurableStorage__tableServiceUri', value: 'https://${durableAccount}.table.${storageEndpointSuffix}' }
  { name: 'DurableStorage__credential', value: 'managedidentity' }
  { name: 'DurableStorage__clientId', value: identityClientId }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // The Durable-on-Flex advice: a warm `durable` instance, with host.json's
        // maxQueuePollingInterval of a few seconds, keeps orchestrations moving between events.
        alwaysReady: durableAlwaysReadyInstances == 0
          ? []
          : [
              { name: 'durable', instanceCount: durableAlwaysReadyInstances }
            ]
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        // Host storage through the identity: no connection string, no key. The service URIs
        // carry the cloud's storage suffix (accountName alone means the public cloud).
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: 'https://${storageAccountName}.blob.${storageEndpointSuffix}' }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: 'https://${storageAccountName}.queue.${storageEndpointSuffix}' }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: 'https://${storageAccountName}.table.${storageEndpointSuffix}' }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        // DefaultAzureCredential (Key Vault, Blob, Tables in the app) picks the user-assigned identity.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        { name: 'DURABLE_TASK_HUB', value: durableTaskHub }

        // shared/config/schema.ts: SOURCE_*
        { name: 'SOURCE_IMAP_HOST', value: sourceServer.host }
        { name: 'SOURCE_IMAP_PORT', value: string(sourceServer.?port ?? 993) }
        { name: 'SOURCE_IMAP_TLS', value: sourceServer.?tls ?? 'implicit' }
        { name: 'SOURCE_AUTH', value: sourceServer.?auth ?? 'oauth2-app' }
        { name: 'SOURCE_TENANT_ID', value: sourceServer.?tenantId ?? '' }
        { name: 'SOURCE_CLIENT_ID', value: sourceServer.?clientId ?? '' }
        { name: 'SOURCE_AUTHORITY_HOST', value: sourceServer.?authorityHost ?? defaultAuthorityHost }
        { name: 'SOURCE_TOKEN_SCOPE', value: sourceServer.?tokenScope ?? 'https://outlook.office365.com/.default' }
        { name: 'SOURCE_CLIENT_SECRET_NAME', value: sourceServer.?clientSecretName ?? '' }
        { name: 'SOURCE_CLIENT_CERT_NAME', value: sourceServer.?clientCertName ?? '' }
        { name: 'SOURCE_PASSWORD_SECRET_TEMPLATE', value: sourceServer.?passwordSecretTemplate ?? '' }
        { name: 'SOURCE_SERVER_KIND', value: sourceServer.?serverKind ?? 'auto' }

        // shared/config/schema.ts: DESTINATION_*
        { name: 'DESTINATION_IMAP_HOST', value: destinationServer.host }
        { name: 'DESTINATION_IMAP_PORT', value: string(destinationServer.?port ?? 993) }
        { name: 'DESTINATION_IMAP_TLS', value: destinationServer.?tls ?? 'implicit' }
        { name: 'DESTINATION_AUTH', value: destinationServer.?auth ?? 'oauth2-app' }
        { name: 'DESTINATION_TENANT_ID', value: destinationServer.?tenantId ?? '' }
        { name: 'DESTINATION_CLIENT_ID', value: destinationServer.?clientId ?? '' }
        { name: 'DESTINATION_AUTHORITY_HOST', value: destinationServer.?authorityHost ?? defaultAuthorityHost }
        { name: 'DESTINATION_TOKEN_SCOPE', value: destinationServer.?tokenScope ?? 'https://outlook.office365.com/.default' }
        { name: 'DESTINATION_CLIENT_SECRET_NAME', value: destinationServer.?clientSecretName ?? '' }
        { name: 'DESTINATION_CLIENT_CERT_NAME', value: destinationServer.?clientCertName ?? '' }
        { name: 'DESTINATION_PASSWORD_SECRET_TEMPLATE', value: destinationServer.?passwordSecretTemplate ?? '' }
        { name: 'DESTINATION_SERVER_KIND', value: destinationServer.?serverKind ?? 'auto' }

        // shared/config/schema.ts: everything else the app needs in Azure
        { name: 'KEY_VAULT_URL', value: keyVaultUri }
        { name: 'STORAGE_ACCOUNT_NAME', value: storageAccountName }
        { name: 'MIGRATIONS_CONTAINER', value: migrationsContainerName }
        { name: 'REPORTS_CONTAINER', value: reportsContainerName }
        { name: 'CHECKPOINT_TABLE', value: checkpointTableName }
        { name: 'MAX_CONCURRENT_MAILBOXES', value: string(tuning.?maxConcurrentMailboxes ?? 4) }
        { name: 'MAX_CONNECTIONS_PER_MAILBOX', value: string(tuning.?maxConnectionsPerMailbox ?? 3) }
        { name: 'RANGE_MAX_MESSAGES', value: string(tuning.?rangeMaxMessages ?? 500) }
        { name: 'RANGE_MAX_BYTES', value: string(tuning.?rangeMaxBytes ?? 104857600) }
        { name: 'MAX_MESSAGE_BYTES', value: string(tuning.?maxMessageBytes ?? 36700160) }
        { name: 'DELTA_INTERVAL_MINUTES', value: string(tuning.?deltaIntervalMinutes ?? 0) }
        { name: 'AUTH_PROPAGATION_WINDOW_MINUTES', value: string(tuning.?authPropagationWindowMinutes ?? 0) }
        { name: 'MESSAGES_PER_FOLDER_WORKER', value: string(tuning.?messagesPerFolderWorker ?? 500) }
        { name: 'APPEND_PIPELINE_DEPTH', value: string(tuning.?appendPipelineDepth ?? 32) }
        { name: 'APPEND_BATCH_MESSAGES', value: string(tuning.?appendBatchMessages ?? 50) }
        { name: 'IMAP_RESPONSE_TIMEOUT_SECONDS', value: string(tuning.?imapResponseTimeoutSeconds ?? 300) }
        { name: 'DELETE_AT_CUTOVER', value: string(tuning.?deleteAtCutover ?? false) }
        { name: 'DELETE_GONE_FOLDERS_AT_CUTOVER', value: string(tuning.?deleteGoneFoldersAtCutover ?? false) }
        { name: 'MAX_BYTES_PER_SECOND_PER_MAILBOX', value: string(tuning.?maxBytesPerSecondPerMailbox ?? 0) }
        { name: 'MAX_BYTES_PER_SECOND_PER_BATCH', value: string(tuning.?maxBytesPerSecondPerBatch ?? 0) }
        { name: 'DAILY_BYTES_PER_MAILBOX', value: string(tuning.?dailyBytesPerMailbox ?? 0) }
        { name: 'BUDGET_WINDOW_SECONDS', value: string(tuning.?budgetWindowSeconds ?? 86400) }
        { name: 'STORAGE_ENDPOINT_SUFFIX', value: storageEndpointSuffix }
        // host.json's 8, lowered when the instance memory cannot buffer 8 activities' messages.
        { name: 'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions', value: string(maxConcurrentActivityFunctions) }
      ], useScheduler ? schedulerSettings : storageProviderSettings)
    }
  }
}

// Deployments authenticate with Entra ID (azd, Core Tools): no basic-auth publishing credentials.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the function app.')
output name string = app.name

@description('Resource id of the function app.')
output resourceId string = app.id

@description('Default host name (<name>.azurewebsites.net or a regional variant).')
output defaultHostName string = app.properties.defaultHostName
