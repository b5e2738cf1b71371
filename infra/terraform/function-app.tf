# Flex Consumption plan and function app, running as the user-assigned identity for host
# storage (AzureWebJobsStorage__*), the deployment package, Key Vault (AZURE_CLIENT_ID makes
# DefaultAzureCredential pick it) and Application Insights. local.app_settings lists every key
# of shared/config/schema.ts the app needs; test/infra checks it against the schema.

locals {
  app_settings = {
    # Host storage through the identity: no connection string, no key. The service URIs carry
    # the cloud's storage suffix (accountName alone means the public cloud).
    AzureWebJobsStorage__accountName          = azurerm_storage_account.main.name
    AzureWebJobsStorage__blobServiceUri       = "https://${azurerm_storage_account.main.name}.blob.${local.cloud.storage_suffix}"
    AzureWebJobsStorage__queueServiceUri      = "https://${azurerm_storage_account.main.name}.queue.${local.cloud.storage_suffix}"
    AzureWebJobsStorage__tableServiceUri      = "https://${azurerm_storage_account.main.name}.table.${local.cloud.storage_suffix}"
    AzureWebJobsStorage__credential           = "managedidentity"
    AzureWebJobsStorage__clientId             = azurerm_user_assigned_identity.app.client_id
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "ClientId=${azurerm_user_assigned_identity.app.client_id};Authorization=AAD"
    # DefaultAzureCredential (Key Vault, Blob, Tables in the app) picks the user-assigned identity.
    AZURE_CLIENT_ID  = azurerm_user_assigned_identity.app.client_id
    DURABLE_TASK_HUB = var.durable_task_hub

    # shared/config/schema.ts: SOURCE_*
    SOURCE_IMAP_HOST                = var.servers["source"].host
    SOURCE_IMAP_PORT                = tostring(var.servers["source"].port)
    SOURCE_IMAP_TLS                 = var.servers["source"].tls
    SOURCE_AUTH                     = var.servers["source"].auth
    SOURCE_TENANT_ID                = var.servers["source"].tenant_id
    SOURCE_CLIENT_ID                = var.servers["source"].client_id
    SOURCE_AUTHORITY_HOST           = coalesce(var.servers["source"].authority_host, local.cloud.login_host)
    SOURCE_TOKEN_SCOPE              = var.servers["source"].token_scope
    SOURCE_CLIENT_SECRET_NAME       = var.servers["source"].client_secret_name
    SOURCE_CLIENT_CERT_NAME         = var.servers["source"].client_cert_name
    SOURCE_PASSWORD_SECRET_TEMPLATE = var.servers["source"].password_secret_template
    SOURCE_SERVER_KIND              = var.servers["source"].server_kind

    # shared/config/schema.ts: DESTINATION_*
    DESTINATION_IMAP_HOST                = var.servers["destination"].host
    DESTINATION_IMAP_PORT                = tostring(var.servers["destination"].port)
    DESTINATION_IMAP_TLS                 = var.servers["destination"].tls
    DESTINATION_AUTH                     = var.servers["destination"].auth
    DESTINATION_TENANT_ID                = var.servers["destination"].tenant_id
    DESTINATION_CLIENT_ID                = var.servers["destination"].client_id
    DESTINATION_AUTHORITY_HOST           = coalesce(var.servers["destination"].authority_host, local.cloud.login_host)
    DESTINATION_TOKEN_SCOPE              = var.servers["destination"].token_scope
    DESTINATION_CLIENT_SECRET_NAME       = var.servers["destination"].client_secret_name
    DESTINATION_CLIENT_CERT_NAME         = var.servers["destination"].client_cert_name
    DESTINATION_PASSWORD_SECRET_TEMPLATE = var.servers["destination"].password_secret_template
    DESTINATION_SERVER_KIND              = var.servers["destination"].server_kind

    # shared/config/schema.ts: everything else the app needs in Azure
    KEY_VAULT_URL                   = azurerm_key_vault.main.vault_uri
    STORAGE_ACCOUNT_NAME            = azurerm_storage_account.main.name
    MIGRATIONS_CONTAINER            = var.storage_layout.migrations_container
    REPORTS_CONTAINER               = var.storage_layout.reports_container
    CHECKPOINT_TABLE                = var.storage_layout.checkpoint_table
    MAX_CONCURRENT_MAILBOXES        = tostring(var.tuning.max_concurrent_mailboxes)
    MAX_CONNECTIONS_PER_MAILBOX     = tostring(var.tuning.max_connections_per_mailbox)
    RANGE_MAX_MESSAGES              = tostring(var.tuning.range_max_messages)
    RANGE_MAX_BYTES                 = tostring(var.tuning.range_max_bytes)
    MAX_MESSAGE_BYTES               = tostring(var.tuning.max_message_bytes)
    DELTA_INTERVAL_MINUTES          = tostring(var.tuning.delta_interval_minutes)
    AUTH_PROPAGATION_WINDOW_MINUTES = tostring(var.tuning.auth_propagation_window_minutes)
    MESSAGES_PER_FOLDER_WORKER      = tostring(var.tuning.messages_per_folder_worker)
    APPEND_PIPELINE_DEPTH           = tostring(var.tuning.append_pipeline_depth)
    APPEND_BATCH_MESSAGES           = tostring(var.tuning.append_batch_messages)
    IMAP_RESPONSE_TIMEOUT_SECONDS   = tostring(var.tuning.imap_response_timeout_seconds)
    DELETE_AT_CUTOVER               = tostring(var.tuning.delete_at_cutover)
    DELETE_GONE_FOLDERS_AT_CUTOVER  = tostring(var.tuning.delete_gone_folders_at_cutover)
    MAX_BYTES_PER_SECOND_PER_MAILBOX = tostring(var.tuning.max_bytes_per_second_per_mailbox)
    MAX_BYTES_PER_SECOND_PER_BATCH  = tostring(var.tuning.max_bytes_per_second_per_batch)
    DAILY_BYTES_PER_MAILBOX         = tostring(var.tuning.daily_bytes_per_mailbox)
    BUDGET_WINDOW_SECONDS           = tostring(var.tuning.budget_window_seconds)
    STORAGE_ENDPOINT_SUFFIX         = local.cloud.storage_suffix

    # host.json's 8, lowered when the instance memory cannot buffer 8 activities' messages.
    AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions = tostring(local.max_concurrent_activity_functions)
  }

  # Durable's storage provider: app settings override host.json (AzureFunctionsJobHost__ paths),
  # so one host.json serves the local lab, Azure Storage (the same or a separate account) and the
  # Durable Task Scheduler (durable.tf).
  durable_storage_app_settings = {
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionName = "DurableStorage"
    DurableStorage__accountName                                                     = local.durable_storage_account_name
    DurableStorage__blobServiceUri                                                  = "https://${local.durable_storage_account_name}.blob.${local.cloud.storage_suffix}"
    DurableStorage__queueServiceUri                                                 = "https://${local.durable_storage_account_name}.queue.${local.cloud.storage_suffix}"
    DurableStorage__tableServiceUri                                                 = "https://${local.durable_storage_account_name}.table.${local.cloud.storage_suffix}"
    DurableStorage__credential                                                      = "managedidentity"
    DurableStorage__clientId                                                        = azurerm_user_assigned_identity.app.client_id
  }
  durable_scheduler_app_settings = {
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__type                 = "azureManaged"
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName = "DURABLE_TASK_SCHEDULER_CONNECTION_STRING"
    DURABLE_TASK_SCHEDULER_CONNECTION_STRING                                              = local.durable_scheduler_connection
  }
  deployed_app_settings = merge(local.app_settings, var.durable_backend == "scheduler" ? local.durable_scheduler_app_settings : local.durable_storage_app_settings)

  # Memory budget of one instance: the host and the Node worker take about 256 MB at rest; each
  # running copyMessageRange activity holds up to its append pipeline (16 MB,
  # shared/engine/copy-range/append-queue.ts) plus a message read and one written
  # (2 x max_message_bytes). variables.tf refuses a memory size below one activity.
  max_concurrent_activity_functions = min(8, floor((var.instance_memory_mb - 256) / (16 + 2 * ceil(var.tuning.max_message_bytes / 1048576))))
}

resource "azurerm_service_plan" "main" {
  name                = "plan-mailmig-${local.resource_token}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  os_type             = "Linux"
  sku_name            = "FC1"
  tags                = local.tags
}

resource "azurerm_function_app_flex_consumption" "main" {
  name                = local.function_app_name
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  service_plan_id     = azurerm_service_plan.main.id
  https_only          = true
  tags                = merge(local.tags, { "azd-service-name" = "api" })

  runtime_name           = "node"
  runtime_version        = "22"
  maximum_instance_count = var.maximum_instance_count
  instance_memory_in_mb  = var.instance_memory_mb

  # The Durable-on-Flex advice: a warm `durable` instance, with host.json's
  # maxQueuePollingInterval of a few seconds, keeps orchestrations moving between events.
  dynamic "always_ready" {
    for_each = var.durable_always_ready_instances > 0 ? [1] : []
    content {
      name           = "durable"
      instance_count = var.durable_always_ready_instances
    }
  }

  storage_container_type            = "blobContainer"
  storage_container_endpoint        = "${azurerm_storage_account.main.primary_blob_endpoint}${azurerm_storage_container.deployment.name}"
  storage_authentication_type       = "UserAssignedIdentity"
  storage_user_assigned_identity_id = azurerm_user_assigned_identity.app.id

  # Deployments authenticate with Entra ID (azd, Core Tools): no basic-auth publishing credentials.
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }

  site_config {
    # The provider keeps this setting here, not in app_settings (it would diff forever there).
    application_insights_connection_string = azurerm_application_insights.main.connection_string
    minimum_tls_version                    = "1.2"
  }

  app_settings = local.deployed_app_settings

  # The host must find its storage, Key Vault and telemetry roles in place when it starts.
  depends_on = [
    azurerm_role_assignment.identity_blob_owner,
    azurerm_role_assignment.identity_queue_contributor,
    azurerm_role_assignment.identity_table_contributor,
    azurerm_role_assignment.identity_secrets_user,
    azurerm_role_assignment.identity_metrics_publisher,
    azurerm_role_assignment.durable_blob_owner,
    azurerm_role_assignment.durable_queue_contributor,
    azurerm_role_assignment.durable_table_contributor,
    azurerm_role_assignment.scheduler_data_contributor,
  ]
}

# azurerm (4.x) always adds an `AzureWebJobsStorage` connection string built from
# storage_access_key, empty with identity auth ("AccountKey=;"): the host then prefers that
# broken string to AzureWebJobsStorage__* (hashicorp/terraform-provider-azurerm#29693).
# Re-PUT the exact app settings without it, after every change of the app.
resource "azapi_resource_action" "app_settings" {
  type        = "Microsoft.Web/sites/config@2024-04-01"
  resource_id = "${azurerm_function_app_flex_consumption.main.id}/config/appsettings"
  method      = "PUT"

  body = {
    properties = merge(local.deployed_app_settings, {
      APPLICATIONINSIGHTS_CONNECTION_STRING = azurerm_application_insights.main.connection_string
    })
  }

  lifecycle {
    replace_triggered_by = [azurerm_function_app_flex_consumption.main]
  }
}
