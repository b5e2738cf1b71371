import type { Settings } from './settings.js';

export type StorageService = 'blob' | 'table' | 'queue';

/**
 * The https endpoint of one storage service of the account named in the settings, in the cloud
 * STORAGE_ENDPOINT_SUFFIX names: a sovereign cloud's accounts live under another suffix
 * (core.usgovcloudapi.net, core.chinacloudapi.cn), and a public-cloud host there never answers.
 */
export function storageServiceUrl(settings: Pick<Settings, 'storageAccountName' | 'storageEndpointSuffix'>, service: StorageService): string {
  return `https://${settings.storageAccountName ?? ''}.${service}.${settings.storageEndpointSuffix}`;
}
