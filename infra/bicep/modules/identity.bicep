// The user-assigned identity the function app runs as: host storage, Flex deployment package,
// Key Vault secrets and Application Insights ingestion all authenticate with it. User-assigned
// (not system-assigned) so role assignments exist before the app's first start.

@description('Required. Name of the user-assigned managed identity.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output resourceId string = identity.id

@description('Client (application) id: what AZURE_CLIENT_ID and the __clientId settings name.')
output clientId string = identity.properties.clientId

@description('Object (principal) id: what role assignments name.')
output principalId string = identity.properties.principalId

@description('Name of the identity.')
output name string = identity.name
