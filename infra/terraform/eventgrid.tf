# Event Grid system topic on the storage account, and the subscription that delivers
# BlobCreated for <migrations>/incoming/*.csv to the blob trigger (EventGrid source). Events it
# cannot deliver (30 attempts over 24 h) are dead-lettered to the `deadletter` container, written
# with the app's identity (the topic runs as it; the account has no shared keys).
#
# The webhook URL carries the blobs_extension system key, which exists only after the app code
# has been deployed and the host has started. So the subscription is off on the first apply:
# apply, deploy the code, then apply with blob_trigger_subscription_enabled = true
# (docs/deploy.md). azd users get the same subscription from infra/hooks/postdeploy.*.

locals {
  blob_trigger_function_name = "onMigrationCsvUploaded"
}

resource "azurerm_eventgrid_system_topic" "storage" {
  name                = "evgt-mailmig-${local.resource_token}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  source_resource_id  = azurerm_storage_account.main.id
  topic_type          = "Microsoft.Storage.StorageAccounts"
  tags                = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }
}

data "azurerm_function_app_host_keys" "main" {
  count               = var.blob_trigger_subscription_enabled ? 1 : 0
  name                = azurerm_function_app_flex_consumption.main.name
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_eventgrid_system_topic_event_subscription" "migration_csv" {
  count               = var.blob_trigger_subscription_enabled ? 1 : 0
  name                = "migration-csv-uploaded"
  system_topic        = azurerm_eventgrid_system_topic.storage.name
  resource_group_name = azurerm_resource_group.main.name

  included_event_types = ["Microsoft.Storage.BlobCreated"]

  subject_filter {
    subject_begins_with = "/blobServices/default/containers/${var.storage_layout.migrations_container}/blobs/incoming/"
    subject_ends_with   = ".csv"
    case_sensitive      = false
  }

  webhook_endpoint {
    url = "https://${azurerm_function_app_flex_consumption.main.default_hostname}/runtime/webhooks/blobs?functionName=Host.Functions.${local.blob_trigger_function_name}&code=${data.azurerm_function_app_host_keys.main[0].blobs_extension_key}"
  }

  retry_policy {
    max_delivery_attempts = 30
    event_time_to_live    = 1440
  }

  dead_letter_identity {
    type                   = "UserAssigned"
    user_assigned_identity = azurerm_user_assigned_identity.app.id
  }

  storage_blob_dead_letter_destination {
    storage_account_id          = azurerm_storage_account.main.id
    storage_blob_container_name = azurerm_storage_container.deadletter.name
  }
}
