using Mailmig.Lab.DurableEngine;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The real Durable Task engine for the lab: the WebJobs SDK with the Durable Functions extension
// (its Azure Storage provider on Azurite) driving the app's Node orchestrators and activities
// through the worker stand-in. Everything comes from the environment the lab sets:
//   MAILMIG_ENGINE_WORKER_URL     the worker stand-in's base URL
//   MAILMIG_ENGINE_HOST_JSON      the project's host.json (its extensions.durableTask section is applied)
//   MAILMIG_ENGINE_CLIENT_FILE    where to write the durable client binding JSON once started
//   MAILMIG_ENGINE_OVERRIDES      optional JSON object of durableTask settings that replace host.json's
//                                 (keys relative to the section, ':' between levels), e.g. the lab's
//                                 {"storageProvider:maxQueuePollingInterval":"00:00:01"}: the default
//                                 30 s idle back-off would make every test wait
//   AzureWebJobsStorage, DURABLE_TASK_HUB and the app settings, as on a Function App.
// `inventory <out.json>` instead writes what the task hub holds in storage (HubInventory) and exits.
string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new ArgumentException($"{name} is not set");

if (args is ["inventory", var outFile])
{
    await HubInventory.WriteAsync(Need("AzureWebJobsStorage"), Need("DURABLE_TASK_HUB"), outFile);
    return;
}

// The extension reads the worker language from this to pick its out-of-proc protocol
// (node: the JSON context in, OrchestratorState out: what durable-functions v3 speaks).
Environment.SetEnvironmentVariable("FUNCTIONS_WORKER_RUNTIME", "node");
// Set on some machines; it makes the extension believe it runs on Linux Consumption (other defaults).
Environment.SetEnvironmentVariable("CONTAINER_NAME", null);

WorkerBridge.Connect(Need("MAILMIG_ENGINE_WORKER_URL"));
var functions = await WorkerBridge.ListFunctionsAsync();
Type shims = FunctionShims.Emit(functions);

var settings = HostJsonSettings.Read(Need("MAILMIG_ENGINE_HOST_JSON"));
if (Environment.GetEnvironmentVariable("MAILMIG_ENGINE_OVERRIDES") is { Length: > 0 } overrides)
{
    foreach (var (key, value) in Newtonsoft.Json.JsonConvert.DeserializeObject<Dictionary<string, string>>(overrides))
        settings[$"{HostJsonSettings.Section}:{key}"] = value;
}

using IHost host = new HostBuilder()
    .ConfigureAppConfiguration(c => c.AddEnvironmentVariables().AddInMemoryCollection(settings))
    .ConfigureLogging(l => l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
        .SetMinimumLevel(LogLevel.Warning)
        // An activity that fails is an expected outcome in the tests; the engine records it anyway.
        .AddFilter("Host.Results", LogLevel.None)
        .AddFilter("Function", LogLevel.Critical)
        .AddFilter("Azure.Core", LogLevel.Error))
    .ConfigureWebJobs(b => b.AddDurableTask())
    .ConfigureServices(s => s
        .AddSingleton<ITypeLocator>(new ListedTypes(shims, typeof(ClientCapture)))
        .AddSingleton<IWebHookProvider>(new UnusedWebHookProvider()))
    .Build();

await host.StartAsync();
var jobHost = (JobHost)host.Services.GetRequiredService<IJobHost>();
await jobHost.CallAsync(typeof(ClientCapture).GetMethod(nameof(ClientCapture.Capture)));
string clientFile = Need("MAILMIG_ENGINE_CLIENT_FILE");
File.WriteAllText(clientFile + ".tmp", ClientCapture.ClientJson);
File.Move(clientFile + ".tmp", clientFile, overwrite: true);
Console.WriteLine($"engine host started: {functions.Count} worker functions");
// SIGTERM (the lab's stop) ends this gracefully: the host releases its partition leases.
await host.WaitForShutdownAsync();
