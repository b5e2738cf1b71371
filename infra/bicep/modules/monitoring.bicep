// Log Analytics workspace and a workspace-based Application Insights component. Local
// (instrumentation-key) authentication is disabled: the app sends telemetry with its managed
// identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING + Monitoring Metrics Publisher).

@description('Required. Log Analytics workspace name.')
param logAnalyticsName string

@description('Required. Application Insights component name.')
param applicationInsightsName string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for both resources.')
param tags object = {}

@description('Optional. Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

@description('Resource id of the Application Insights component.')
output applicationInsightsId string = appInsights.id

@description('Name of the Application Insights component.')
output applicationInsightsName string = appInsights.name

@description('Connection string (not a secret once local auth is disabled: ingestion needs Entra).')
output connectionString string = appInsights.properties.ConnectionString

@description('Resource id of the Log Analytics workspace.')
output logAnalyticsId string = workspace.id
