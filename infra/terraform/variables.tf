# Inputs. Names mirror infra/bicep/main.bicep (snake_case here); defaults are those of
# shared/config/schema.ts, and test/infra checks that they stay so.

variable "environment_name" {
  description = "Required. Name of the environment: part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$|^[a-z0-9]$", var.environment_name))
    error_message = "environment_name must be 1-64 lower-case letters, digits or \"-\", not starting or ending with \"-\"."
  }
}

variable "location" {
  description = "Required. Azure region for every resource. It must offer the Flex Consumption plan."
  type        = string

  validation {
    condition     = length(trimspace(var.location)) > 0
    error_message = "location must not be empty."
  }
}

variable "resource_group_name" {
  description = "Optional. Resource group name. Default \"rg-<environment_name>\"."
  type        = string
  default     = null
}

variable "servers" {
  description = "Required. The two sides of the migration, keyed \"source\" and \"destination\": they become the SOURCE_* and DESTINATION_* app settings."
  type = map(object({
    host                     = string
    port                     = optional(number, 993)
    tls                      = optional(string, "implicit")
    auth                     = optional(string, "oauth2-app")
    tenant_id                = optional(string, "")
    client_id                = optional(string, "")
    authority_host           = optional(string) # unset: the login host of var.azure_environment
    token_scope              = optional(string, "https://outlook.office365.com/.default")
    client_secret_name       = optional(string, "")
    client_cert_name         = optional(string, "")
    password_secret_template = optional(string, "")
    server_kind              = optional(string, "auto")
  }))

  validation {
    condition     = length(var.servers) == 2 && contains(keys(var.servers), "source") && contains(keys(var.servers), "destination")
    error_message = "servers must have exactly the keys \"source\" and \"destination\"."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : length(trimspace(s.host)) > 0])
    error_message = "servers.<side>.host must not be empty."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : s.port >= 1 && s.port <= 65535 && floor(s.port) == s.port])
    error_message = "servers.<side>.port must be a whole number from 1 to 65535."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : contains(["implicit", "starttls"], s.tls)])
    error_message = "servers.<side>.tls must be \"implicit\" or \"starttls\" (plaintext is refused)."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : contains(["auto", "exchange", "generic"], s.server_kind)])
    error_message = "servers.<side>.server_kind must be \"auto\", \"exchange\" or \"generic\"."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : contains(["oauth2-app", "password"], s.auth)])
    error_message = "servers.<side>.auth must be \"oauth2-app\" or \"password\"."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : s.auth != "oauth2-app" || (s.tenant_id != "" && s.client_id != "" && (s.client_secret_name != "" || s.client_cert_name != ""))])
    error_message = "A server with auth \"oauth2-app\" needs tenant_id, client_id and client_secret_name or client_cert_name."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : s.auth != "password" || strcontains(s.password_secret_template, "{mailbox}")])
    error_message = "A server with auth \"password\" needs password_secret_template containing {mailbox}."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : alltrue([for n in [s.client_secret_name, s.client_cert_name] : n == "" || can(regex("^[A-Za-z0-9-]{1,127}$", n))])])
    error_message = "servers.<side>.client_secret_name and client_cert_name must be Key Vault names (letters, digits, \"-\")."
  }
  validation {
    condition     = alltrue([for s in values(var.servers) : s.authority_host == null || can(regex("^https://[^/]+/?$", s.authority_host))])
    error_message = "servers.<side>.authority_host must be an https URL without a path."
  }
}

variable "tuning" {
  description = "Optional. Throughput and size limits (the tuning app settings); unset fields take the schema defaults."
  type = object({
    max_concurrent_mailboxes        = optional(number, 4)
    max_connections_per_mailbox     = optional(number, 3)
    range_max_messages              = optional(number, 500)
    range_max_bytes                 = optional(number, 104857600)
    max_message_bytes               = optional(number, 36700160)
    delta_interval_minutes          = optional(number, 0)
    auth_propagation_window_minutes = optional(number, 0)
    messages_per_folder_worker      = optional(number, 500)
    append_pipeline_depth           = optional(number, 32)
    append_batch_messages           = optional(number, 50)
    imap_response_timeout_seconds   = optional(number, 300)
    delete_at_cutover               = optional(bool, false)
    delete_gone_folders_at_cutover  = optional(bool, false)
    max_bytes_per_second_per_mailbox = optional(number, 0)
    max_bytes_per_second_per_batch  = optional(number, 0)
    daily_bytes_per_mailbox         = optional(number, 0)
    budget_window_seconds           = optional(number, 86400)
  })
  default = {}

  validation {
    condition     = var.tuning.max_concurrent_mailboxes >= 1 && var.tuning.max_concurrent_mailboxes <= 500 && floor(var.tuning.max_concurrent_mailboxes) == var.tuning.max_concurrent_mailboxes
    error_message = "tuning.max_concurrent_mailboxes must be a whole number from 1 to 500."
  }
  validation {
    condition     = var.tuning.max_connections_per_mailbox >= 1 && var.tuning.max_connections_per_mailbox <= 20 && floor(var.tuning.max_connections_per_mailbox) == var.tuning.max_connections_per_mailbox
    error_message = "tuning.max_connections_per_mailbox must be a whole number from 1 to 20 (Exchange allows about 20 connections per mailbox)."
  }
  validation {
    condition     = var.tuning.range_max_messages >= 1 && var.tuning.range_max_messages <= 10000 && floor(var.tuning.range_max_messages) == var.tuning.range_max_messages
    error_message = "tuning.range_max_messages must be a whole number from 1 to 10000."
  }
  validation {
    condition     = var.tuning.range_max_bytes >= 1024 && floor(var.tuning.range_max_bytes) == var.tuning.range_max_bytes
    error_message = "tuning.range_max_bytes must be a whole number of at least 1024."
  }
  validation {
    condition     = var.tuning.max_message_bytes >= 1024 && var.tuning.max_message_bytes <= 157286400 && floor(var.tuning.max_message_bytes) == var.tuning.max_message_bytes
    error_message = "tuning.max_message_bytes must be a whole number from 1024 to 157286400 (150 MB, Exchange Online's limit)."
  }
  validation {
    condition     = var.tuning.messages_per_folder_worker >= 1 && var.tuning.messages_per_folder_worker <= 1000000 && floor(var.tuning.messages_per_folder_worker) == var.tuning.messages_per_folder_worker
    error_message = "tuning.messages_per_folder_worker must be a whole number from 1 to 1000000."
  }
  validation {
    condition     = var.tuning.append_pipeline_depth >= 0 && var.tuning.append_pipeline_depth <= 256 && floor(var.tuning.append_pipeline_depth) == var.tuning.append_pipeline_depth
    error_message = "tuning.append_pipeline_depth must be a whole number from 0 to 256."
  }
  validation {
    condition     = var.tuning.append_batch_messages >= 1 && var.tuning.append_batch_messages <= 500 && floor(var.tuning.append_batch_messages) == var.tuning.append_batch_messages
    error_message = "tuning.append_batch_messages must be a whole number from 1 to 500."
  }
  validation {
    condition     = var.tuning.imap_response_timeout_seconds >= 1 && var.tuning.imap_response_timeout_seconds <= 3600 && floor(var.tuning.imap_response_timeout_seconds) == var.tuning.imap_response_timeout_seconds
    error_message = "tuning.imap_response_timeout_seconds must be a whole number from 1 to 3600."
  }
  validation {
    condition     = var.tuning.daily_bytes_per_mailbox >= 0 && floor(var.tuning.daily_bytes_per_mailbox) == var.tuning.daily_bytes_per_mailbox && var.tuning.budget_window_seconds >= 1 && var.tuning.budget_window_seconds <= 31622400 && floor(var.tuning.budget_window_seconds) == var.tuning.budget_window_seconds
    error_message = "tuning.daily_bytes_per_mailbox must be a whole number of bytes (0 = no budget) and tuning.budget_window_seconds a whole number from 1 to 31622400."
  }
  validation {
    condition     = var.tuning.max_bytes_per_second_per_mailbox >= 0 && var.tuning.max_bytes_per_second_per_batch >= 0 && floor(var.tuning.max_bytes_per_second_per_mailbox) == var.tuning.max_bytes_per_second_per_mailbox && floor(var.tuning.max_bytes_per_second_per_batch) == var.tuning.max_bytes_per_second_per_batch
    error_message = "tuning.max_bytes_per_second_per_mailbox and _per_batch must be whole numbers of bytes per second; 0 = no cap. The batch cap holds per instance: divide the budget by the instances the app may scale to."
  }
  validation {
    condition     = var.tuning.delta_interval_minutes >= 0 && var.tuning.delta_interval_minutes <= 43200 && floor(var.tuning.delta_interval_minutes) == var.tuning.delta_interval_minutes
    error_message = "tuning.delta_interval_minutes must be a whole number from 0 (on demand only) to 43200."
  }
  validation {
    condition     = var.tuning.auth_propagation_window_minutes >= 0 && var.tuning.auth_propagation_window_minutes <= 1440 && floor(var.tuning.auth_propagation_window_minutes) == var.tuning.auth_propagation_window_minutes
    error_message = "tuning.auth_propagation_window_minutes must be a whole number from 0 to 1440."
  }
}

variable "storage_layout" {
  description = "Optional. Names of the intake and report containers and of the checkpoint table."
  type = object({
    migrations_container = optional(string, "migrations")
    reports_container    = optional(string, "reports")
    checkpoint_table     = optional(string, "mailmigcheckpoints")
  })
  default = {}

  validation {
    condition     = alltrue([for c in [var.storage_layout.migrations_container, var.storage_layout.reports_container] : can(regex("^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$", c)) && length(c) <= 63])
    error_message = "storage_layout containers must be blob container names (3-63 lower-case letters, digits, single \"-\")."
  }
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9]{2,62}$", var.storage_layout.checkpoint_table))
    error_message = "storage_layout.checkpoint_table must be 3-63 letters and digits, starting with a letter."
  }
}

variable "durable_task_hub" {
  description = "Optional. Durable Functions task hub name (DURABLE_TASK_HUB)."
  type        = string
  default     = "mailmig"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9]{2,44}$", var.durable_task_hub))
    error_message = "durable_task_hub must be 3-45 letters and digits, starting with a letter."
  }
}

variable "operator_principal_id" {
  description = "Optional. Object id of the operator who uploads CSVs, reads reports and puts credentials into Key Vault. Empty: no operator roles."
  type        = string
  default     = ""

  validation {
    condition     = var.operator_principal_id == "" || can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.operator_principal_id))
    error_message = "operator_principal_id must be an object id (GUID) or empty."
  }
}

variable "operator_principal_type" {
  description = "Optional. Kind of the operator principal."
  type        = string
  default     = "User"

  validation {
    condition     = contains(["User", "Group", "ServicePrincipal"], var.operator_principal_type)
    error_message = "operator_principal_type must be \"User\", \"Group\" or \"ServicePrincipal\"."
  }
}

variable "maximum_instance_count" {
  description = "Optional. Most instances the function app scales out to."
  type        = number
  default     = 100

  validation {
    condition     = var.maximum_instance_count >= 1 && var.maximum_instance_count <= 1000
    error_message = "maximum_instance_count must be from 1 to 1000."
  }
}

variable "instance_memory_mb" {
  description = "Optional. Memory per function app instance in MB."
  type        = number
  default     = 2048

  validation {
    condition     = contains([512, 2048, 4096], var.instance_memory_mb)
    error_message = "instance_memory_mb must be 512, 2048 or 4096."
  }
  # Same budget as local.max_concurrent_activity_functions (function-app.tf).
  validation {
    condition     = floor((var.instance_memory_mb - 256) / (16 + 2 * ceil(var.tuning.max_message_bytes / 1048576))) >= 1
    error_message = "instance_memory_mb cannot hold one copy activity with messages of tuning.max_message_bytes: choose more memory or a smaller limit."
  }
}

variable "durable_always_ready_instances" {
  description = "Optional. Always-ready instances of the function app's `durable` group (Durable on Flex Consumption: a warm instance keeps polling the task hub). 0: none."
  type        = number
  default     = 1

  validation {
    condition     = var.durable_always_ready_instances >= 0 && var.durable_always_ready_instances <= 20 && floor(var.durable_always_ready_instances) == var.durable_always_ready_instances
    error_message = "durable_always_ready_instances must be a whole number from 0 to 20."
  }
}

variable "durable_backend" {
  description = "Optional. Where Durable Functions keeps its task hub: \"storage\" (the host storage account), \"storage-separate\" (its own account, for heavy fleets on Azure Storage) or \"scheduler\" (the Durable Task Scheduler). See docs/deploy.md."
  type        = string
  default     = "storage"

  validation {
    condition     = contains(["storage", "storage-separate", "scheduler"], var.durable_backend)
    error_message = "durable_backend must be \"storage\", \"storage-separate\" or \"scheduler\"."
  }
}

variable "azure_environment" {
  description = "Optional. Azure cloud: \"public\", \"usgovernment\" or \"china\". Sets the providers' cloud and the login and storage endpoints the app uses."
  type        = string
  default     = "public"

  validation {
    condition     = contains(["public", "usgovernment", "china"], var.azure_environment)
    error_message = "azure_environment must be \"public\", \"usgovernment\" or \"china\"."
  }
}

variable "key_vault_soft_delete_retention_days" {
  description = "Optional. Days a deleted Key Vault or secret stays recoverable. Cannot be changed after creation."
  type        = number
  default     = 90

  validation {
    condition     = var.key_vault_soft_delete_retention_days >= 7 && var.key_vault_soft_delete_retention_days <= 90
    error_message = "key_vault_soft_delete_retention_days must be from 7 to 90."
  }
}

variable "log_retention_in_days" {
  description = "Optional. Days Log Analytics keeps data."
  type        = number
  default     = 30

  validation {
    condition     = var.log_retention_in_days >= 30 && var.log_retention_in_days <= 730
    error_message = "log_retention_in_days must be from 30 to 730."
  }
}

variable "blob_trigger_subscription_enabled" {
  description = "Optional. Create the Event Grid subscription that feeds the blob trigger. Needs the app code deployed first (the webhook key exists only then): apply once with false, deploy, apply again with true. See docs/deploy.md."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Optional. Tags added to every resource."
  type        = map(string)
  default     = {}
}
