# Where Durable Functions keeps its task hub when not in the host storage account
# (var.durable_backend; the same choices as infra/bicep/modules/durable.bicep):
# - "storage-separate": its own storage account, so the task hub's queue polling and table
#   traffic do not share the account's request limits with the host, CSV intake and reports
#   (the Azure Storage provider's advice under load);
# - "scheduler": the Durable Task Scheduler, a managed backend with its own task hub, reached
#   with the app's identity (Durable Task Data Contributor). azurerm has no resource for it: azapi.

locals {
  durable_separate  = var.durable_backend == "storage-separate"
  durable_scheduler = var.durable_backend == "scheduler"

  durable_storage_account_name = local.durable_separate ? azurerm_storage_account.durable[0].name : azurerm_storage_account.main.name
  durable_scheduler_connection = local.durable_scheduler ? "Endpoint=${azapi_resource.scheduler[0].output.properties.endpoint};TaskHub=${var.durable_task_hub};Authentication=ManagedIdentity;ClientID=${azurerm_user_assigned_identity.app.client_id}" : ""
}

resource "azurerm_storage_account" "durable" {
  count                            = local.durable_separate ? 1 : 0
  name                             = "stmailmigdf${substr(local.resource_token, 0, 13)}"
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

  network_rules {
    default_action = "Allow"
    bypass         = ["AzureServices"]
  }
}

# Storage Blob Data Owner
resource "azurerm_role_assignment" "durable_blob_owner" {
  count                            = local.durable_separate ? 1 : 0
  scope                            = azurerm_storage_account.durable[0].id
  role_definition_id               = "${local.role_definition_prefix}/b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# Storage Queue Data Contributor
resource "azurerm_role_assignment" "durable_queue_contributor" {
  count                            = local.durable_separate ? 1 : 0
  scope                            = azurerm_storage_account.durable[0].id
  role_definition_id               = "${local.role_definition_prefix}/974c5e8b-45b9-4653-ba55-5f855dd0fb88"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# Storage Table Data Contributor
resource "azurerm_role_assignment" "durable_table_contributor" {
  count                            = local.durable_separate ? 1 : 0
  scope                            = azurerm_storage_account.durable[0].id
  role_definition_id               = "${local.role_definition_prefix}/0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

resource "azapi_resource" "scheduler" {
  count     = local.durable_scheduler ? 1 : 0
  type      = "Microsoft.DurableTask/schedulers@2025-11-01"
  name      = "dts-mailmig-${local.resource_token}"
  parent_id = azurerm_resource_group.main.id
  location  = azurerm_resource_group.main.location
  tags      = local.tags

  body = {
    properties = {
      # The app reaches it over the internet with its identity, like the rest of this deployment.
      ipAllowlist = ["0.0.0.0/0"]
      sku         = { name = "Consumption" }
    }
  }
  response_export_values = ["properties.endpoint"]
}

resource "azapi_resource" "scheduler_task_hub" {
  count     = local.durable_scheduler ? 1 : 0
  type      = "Microsoft.DurableTask/schedulers/taskHubs@2025-11-01"
  name      = var.durable_task_hub
  parent_id = azapi_resource.scheduler[0].id
  body      = { properties = {} }
}

# Durable Task Data Contributor
resource "azurerm_role_assignment" "scheduler_data_contributor" {
  count                            = local.durable_scheduler ? 1 : 0
  scope                            = azapi_resource.scheduler[0].id
  role_definition_id               = "${local.role_definition_prefix}/0ad04412-c4d5-4796-b79c-f76d14c8d402"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}
