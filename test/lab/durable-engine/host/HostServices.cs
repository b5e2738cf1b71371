using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;

namespace Mailmig.Lab.DurableEngine;

/// <summary>The function types to index: the emitted shims and <see cref="ClientCapture"/>.</summary>
public sealed class ListedTypes(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}

/// <summary>
/// The Functions host supplies the extension's webhook base URL; without one the durable client
/// binding fails (DurableTaskExtension asks for it). The app's client talks to the extension's
/// local RPC endpoint (rpcBaseUrl) instead, so this URL is never called.
/// </summary>
public sealed class UnusedWebHookProvider : IWebHookProvider
{
    public Uri GetUrl(IExtensionConfigProvider extension) => new("http://127.0.0.1:1/runtime/webhooks/durabletask");
}

/// <summary>
/// The durable client binding as an out-of-proc worker receives it (a JSON string: task hub,
/// rpcBaseUrl, management URLs), obtained once by calling this function on the job host.
/// </summary>
public static class ClientCapture
{
    public static string ClientJson;

    [NoAutomaticTrigger]
    public static void Capture([DurableClient] string client) => ClientJson = client;
}
