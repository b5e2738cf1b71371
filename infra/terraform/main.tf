# mailmig on Azure with Terraform: the same resources as infra/bicep/main.bicep, one file per
# concern. See docs/deploy.md.

data "azurerm_client_config" "current" {}

data "azurerm_subscription" "current" {}

locals {
  # Deterministic per subscription, environment and region, like Bicep's uniqueString().
  resource_token = substr(sha1("${data.azurerm_subscription.current.id}|${var.environment_name}|${var.location}"), 0, 13)
  tags           = merge(var.tags, { "azd-env-name" = var.environment_name })

  # Endpoints of the cloud being deployed to (Bicep reads them from environment()).
  clouds = {
    public       = { login_host = "https://login.microsoftonline.com", storage_suffix = "core.windows.net" }
    usgovernment = { login_host = "https://login.microsoftonline.us", storage_suffix = "core.usgovcloudapi.net" }
    china        = { login_host = "https://login.chinacloudapi.cn", storage_suffix = "core.chinacloudapi.cn" }
  }
  cloud = local.clouds[var.azure_environment]

  function_app_name         = "func-mailmig-${local.resource_token}"
  deployment_container_name = "app-package-${substr(local.function_app_name, 0, 32)}-${substr(local.resource_token, 0, 7)}"
}

resource "azurerm_resource_group" "main" {
  name     = coalesce(var.resource_group_name, "rg-${var.environment_name}")
  location = var.location
  tags     = local.tags
}
