# The same output names as infra/bicep/main.bicep (test/infra checks it), so scripts and
# infra/hooks/postdeploy.* work with either stack.

output "AZURE_LOCATION" {
  description = "Azure region of the deployment."
  value       = azurerm_resource_group.main.location
}

output "AZURE_TENANT_ID" {
  description = "Entra tenant of the subscription."
  value       = data.azurerm_client_config.current.tenant_id
}

output "AZURE_RESOURCE_GROUP" {
  description = "Resource group holding everything."
  value       = azurerm_resource_group.main.name
}

output "AZURE_FUNCTION_APP_NAME" {
  description = "Name of the function app."
  value       = azurerm_function_app_flex_consumption.main.name
}

output "AZURE_FUNCTION_APP_URL" {
  description = "https URL of the function app."
  value       = "https://${azurerm_function_app_flex_consumption.main.default_hostname}"
}

output "AZURE_STORAGE_ACCOUNT_NAME" {
  description = "Storage account (CSV intake, reports, task hub)."
  value       = azurerm_storage_account.main.name
}

output "AZURE_MIGRATIONS_CONTAINER" {
  description = "Container receiving CSVs under incoming/."
  value       = azurerm_storage_container.migrations.name
}

output "AZURE_REPORTS_CONTAINER" {
  description = "Container holding status documents and reports."
  value       = azurerm_storage_container.reports.name
}

output "AZURE_KEY_VAULT_NAME" {
  description = "Key Vault holding client secrets, certificates and passwords."
  value       = azurerm_key_vault.main.name
}

output "AZURE_KEY_VAULT_URL" {
  description = "Key Vault URI (the KEY_VAULT_URL app setting)."
  value       = azurerm_key_vault.main.vault_uri
}

output "AZURE_MANAGED_IDENTITY_CLIENT_ID" {
  description = "Client id of the app's user-assigned identity."
  value       = azurerm_user_assigned_identity.app.client_id
}

output "AZURE_MANAGED_IDENTITY_RESOURCE_ID" {
  description = "Resource id of the app's user-assigned identity (the Event Grid topic dead-letters as it)."
  value       = azurerm_user_assigned_identity.app.id
}

output "AZURE_MANAGED_IDENTITY_PRINCIPAL_ID" {
  description = "Object id of the app's user-assigned identity."
  value       = azurerm_user_assigned_identity.app.principal_id
}

output "AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" {
  description = "Event Grid system topic of the storage account."
  value       = azurerm_eventgrid_system_topic.storage.name
}

output "AZURE_DEADLETTER_CONTAINER" {
  description = "Container holding upload events Event Grid could not deliver."
  value       = azurerm_storage_container.deadletter.name
}

output "APPLICATIONINSIGHTS_CONNECTION_STRING" {
  description = "Application Insights connection string (ingestion needs Entra: local auth is off)."
  value       = azurerm_application_insights.main.connection_string
  sensitive   = true
}
