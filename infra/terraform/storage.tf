# Storage for the Functions host (Durable task hub), the Flex deployment package, CSV intake and
# reports. Shared-key access is disabled: every client authenticates with Entra ID.

resource "azurerm_storage_account" "main" {
  name                             = "stmailmig${substr(local.resource_token, 0, 13)}"
  resource_group_name              = azurerm_resource_group.main.name
  location                         = azurerm_resource_group.main.location
  account_kind                     = "StorageV2"
  account_tier                     = "Standard"
  account_replication_type         = "LRS"
  access_tier                      = "Hot"
  shared_access_key_enabled        = false
  default_to_oauth_authentication  = true
  allow_nested_items_to_be_public  = false
  cross_tenant_replication_enabled = false
  min_tls_version                  = "TLS1_2"
  https_traffic_only_enabled       = true
  public_network_access_enabled    = true
  tags                             = local.tags

  blob_properties {
    delete_retention_policy {
      days = 7
    }
  }

  network_rules {
    default_action = "Allow"
    bypass         = ["AzureServices"]
  }
}

# Created through ARM (storage_account_id): no data-plane call, no key needed.
resource "azurerm_storage_container" "migrations" {
  name                  = var.storage_layout.migrations_container
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "reports" {
  name                  = var.storage_layout.reports_container
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "deployment" {
  name                  = local.deployment_container_name
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}

# Event Grid writes upload events it could not deliver (30 attempts over 24 h) here.
resource "azurerm_storage_container" "deadletter" {
  name                  = "deadletter"
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}
