# Every role assignment, one resource each, with the role's display name in a comment and its
# definition by GUID (test/infra compares these GUIDs with infra/bicep/modules/roles.bicep).
# The app identity needs blob + queue + table: Durable Functions on Azure Storage uses all
# three, and Flex deploys its package from a blob container. Certificates are read as secrets,
# so Key Vault Secrets User is enough (no Key Vault Certificate User).

locals {
  role_definition_prefix = "${data.azurerm_subscription.current.id}/providers/Microsoft.Authorization/roleDefinitions"
  grant_operator         = var.operator_principal_id != ""
}

# ---- the app's identity ------------------------------------------------------------------

# Storage Blob Data Owner
resource "azurerm_role_assignment" "identity_blob_owner" {
  scope                            = azurerm_storage_account.main.id
  role_definition_id               = "${local.role_definition_prefix}/b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# Storage Queue Data Contributor
resource "azurerm_role_assignment" "identity_queue_contributor" {
  scope                            = azurerm_storage_account.main.id
  role_definition_id               = "${local.role_definition_prefix}/974c5e8b-45b9-4653-ba55-5f855dd0fb88"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# Storage Table Data Contributor
resource "azurerm_role_assignment" "identity_table_contributor" {
  scope                            = azurerm_storage_account.main.id
  role_definition_id               = "${local.role_definition_prefix}/0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# Key Vault Secrets User
resource "azurerm_role_assignment" "identity_secrets_user" {
  scope                            = azurerm_key_vault.main.id
  role_definition_id               = "${local.role_definition_prefix}/4633458b-17de-408a-b874-0445c86b69e6"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# Monitoring Metrics Publisher
resource "azurerm_role_assignment" "identity_metrics_publisher" {
  scope                            = azurerm_application_insights.main.id
  role_definition_id               = "${local.role_definition_prefix}/3913510d-42f4-4e42-8a64-420c390055eb"
  principal_id                     = azurerm_user_assigned_identity.app.principal_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# ---- the operator (optional) -------------------------------------------------------------

# Storage Blob Data Contributor: upload CSVs to migrations/incoming/, read reports.
resource "azurerm_role_assignment" "operator_blob_contributor" {
  count              = local.grant_operator ? 1 : 0
  scope              = azurerm_storage_account.main.id
  role_definition_id = "${local.role_definition_prefix}/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
  principal_id       = var.operator_principal_id
  principal_type     = var.operator_principal_type
}

# Key Vault Secrets Officer: az keyvault secret set.
resource "azurerm_role_assignment" "operator_secrets_officer" {
  count              = local.grant_operator ? 1 : 0
  scope              = azurerm_key_vault.main.id
  role_definition_id = "${local.role_definition_prefix}/b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
  principal_id       = var.operator_principal_id
  principal_type     = var.operator_principal_type
}

# Key Vault Certificates Officer: az keyvault certificate import.
resource "azurerm_role_assignment" "operator_certificates_officer" {
  count              = local.grant_operator ? 1 : 0
  scope              = azurerm_key_vault.main.id
  role_definition_id = "${local.role_definition_prefix}/a4417e6f-fecd-4de8-b567-7b0420556985"
  principal_id       = var.operator_principal_id
  principal_type     = var.operator_principal_type
}
