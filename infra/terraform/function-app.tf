# Flex Consumption plan and function app, running as the user-assigned identity for host
# storage (AzureWebJobsStorage__*), the deployment package, Key Vault (AZURE_CLIENT_ID makes
# DefaultAzureCredential pick it) and Application Insights. local.app_settings lists every key
# of shared/config/schema.ts the app needs; test/infra checks it against the schema.

locals {
  app_settings = {
    # Host storage through the identity: no connection string, no key.
    AzureWebJobsStorage__accountName          = azurerm_storage_account.main.name
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
    SOURCE_AUTHORITY_HOST           = var.servers["source"].authority_host
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
    DESTINATION_AUTHORITY_HOST           = var.servers["destination"].authority_host
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
  }
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

  app_settings = local.app_settings

  # The host must find its storage, Key Vault and telemetry roles in place when it starts.
  depends_on = [
    azurerm_role_assignment.identity_blob_owner,
    azurerm_role_assignment.identity_queue_contributor,
    azurerm_role_assignment.identity_table_contributor,
    azurerm_role_assignment.identity_secrets_user,
    azurerm_role_assignment.identity_metrics_publisher,
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
    properties = merge(local.app_settings, {
      APPLICATIONINSIGHTS_CONNECTION_STRING = azurerm_application_insights.main.connection_string
    })
  }

  lifecycle {
    replace_triggered_by = [azurerm_function_app_flex_consumption.main]
  }
}
