// Key Vault holding the IMAP app registrations' client secrets or certificates and, for
// password auth, per-mailbox passwords. RBAC authorization (no access policies): the app's
// identity gets Key Vault Secrets User in roles.bicep. Purge protection keeps a deleted vault
// and its credentials recoverable for softDeleteRetentionInDays.

@description('Required. Key Vault name (3-24 letters, digits, "-").')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the vault.')
param tags object = {}

@description('Optional. Days a deleted vault or secret stays recoverable (7-90). Cannot be changed after creation.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Optional. "recover" restores the soft-deleted vault of the same name (a redeploy after `azd down`: purge protection keeps the name taken for the retention period); "default" creates it. infra/hooks/preprovision.* chooses.')
@allowed([
  'default'
  'recover'
])
param createMode string = 'default'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    createMode: createMode
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

@description('Resource id of the vault.')
output resourceId string = vault.id

@description('Name of the vault.')
output name string = vault.name

@description('Vault URI (https://<name>.vault.azure.net/): the KEY_VAULT_URL app setting.')
output uri string = vault.properties.vaultUri
