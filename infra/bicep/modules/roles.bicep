// Every role assignment of the deployment, one resource each, named
// guid(scope, principalId, roleDefinitionId) so a re-deployment finds the same assignment.
// The app identity needs blob + queue + table on its storage account: Durable Functions on
// Azure Storage uses all three, and Flex deploys its package from a blob container.
// Certificates are read as secrets (the secret of a Key Vault certificate holds the private
// key), so Key Vault Secrets User is enough and Key Vault Certificate User is not granted.

@description('Required. Principal (object) id of the function app\'s user-assigned identity.')
param identityPrincipalId string

@description('Optional. Object id of an operator (user, group or service principal) who uploads CSVs, reads reports and puts credentials into Key Vault. Empty: no operator roles.')
param operatorPrincipalId string = ''

@description('Optional. Kind of the operator principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

@description('Required. Storage account name.')
param storageAccountName string

@description('Required. Key Vault name.')
param keyVaultName string

@description('Required. Application Insights component name.')
param applicationInsightsName string

var grantOperator = !empty(operatorPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// ---- the app's identity ------------------------------------------------------------------

// Storage Blob Data Owner
resource identityBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor
resource identityQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor
resource identityTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets User
resource identitySecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher
resource identityMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- the operator (optional) -------------------------------------------------------------

// Storage Blob Data Contributor: upload CSVs to migrations/incoming/, read reports.
resource operatorBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantOperator) {
  name: guid(storage.id, operatorPrincipalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// Key Vault Secrets Officer: az keyvault secret set.
resource operatorSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantOperator) {
  name: guid(vault.id, operatorPrincipalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// Key Vault Certificates Officer: az keyvault certificate import.
resource operatorCertificatesOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantOperator) {
  name: guid(vault.id, operatorPrincipalId, 'a4417e6f-fecd-4de8-b567-7b0420556985')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a4417e6f-fecd-4de8-b567-7b0420556985')
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}
