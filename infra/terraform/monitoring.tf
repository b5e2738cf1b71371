# Log Analytics and workspace-based Application Insights. Local (key) authentication is off:
# the app sends telemetry with its identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING and
# Monitoring Metrics Publisher in roles.tf).

resource "azurerm_log_analytics_workspace" "main" {
  name                = "log-mailmig-${local.resource_token}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_in_days
  tags                = local.tags
}

resource "azurerm_application_insights" "main" {
  name                          = "appi-mailmig-${local.resource_token}"
  resource_group_name           = azurerm_resource_group.main.name
  location                      = azurerm_resource_group.main.location
  workspace_id                  = azurerm_log_analytics_workspace.main.id
  application_type              = "web"
  local_authentication_disabled = true
  tags                          = local.tags
}
