using System.Net.Http;
using System.Text;
using Newtonsoft.Json.Linq;

namespace Mailmig.Lab.DurableEngine;

/// <summary>
/// The host's side of the Node worker: one HTTP call per invocation to the worker stand-in
/// (test/lab/durable-engine/worker-bridge.ts), which runs the app's own registered handlers.
/// </summary>
public static class WorkerBridge
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(30) };
    private static string baseUrl = "";

    public static void Connect(string workerUrl) => baseUrl = workerUrl.TrimEnd('/');

    /// <summary>The worker's registrations: what the Functions host learns from the Node worker at indexing.</summary>
    public static async Task<IReadOnlyList<WorkerFunction>> ListFunctionsAsync()
    {
        string json = await Http.GetStringAsync($"{baseUrl}/functions").ConfigureAwait(false);
        return JArray.Parse(json).Select(t => new WorkerFunction(t.Value<string>("name"), t.Value<string>("trigger"))).ToList();
    }

    /// <summary>
    /// One orchestrator episode. DTFx runs orchestrator code on its own thread and blocks on the
    /// result (TaskOrchestrationShim), so this stays synchronous: no await, no thread hop.
    /// </summary>
    public static string InvokeOrchestrator(string name, string context)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("orchestration", name))
        {
            Content = new StringContent(context, Encoding.UTF8, "application/json"),
        };
        using var response = Http.Send(request);
        using var reader = new StreamReader(response.Content.ReadAsStream());
        string body = reader.ReadToEnd();
        return response.IsSuccessStatusCode ? body : throw WorkerFailure(body);
    }

    /// <summary>
    /// One activity call. The trigger is bound as a string: the extension then hands over the JSON
    /// text the orchestrator scheduled (its out-of-proc path for JavaScript), which the worker parses once.
    /// </summary>
    public static async Task<JToken> InvokeActivity(string name, string input)
    {
        using var content = new StringContent(input ?? "", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(Url("activity", name), content).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return response.IsSuccessStatusCode ? JObject.Parse(body)["result"] : throw WorkerFailure(body);
    }

    private static string Url(string kind, string name) => $"{baseUrl}/{kind}/{Uri.EscapeDataString(name)}";

    /// <summary>
    /// The text the Functions host gives a failed out-of-proc invocation, which the extension's
    /// OutOfProcExceptionHelpers takes apart again into message and stack.
    /// </summary>
    private static Exception WorkerFailure(string body)
    {
        string message, stack;
        try
        {
            var failure = JObject.Parse(body);
            message = failure.Value<string>("message") ?? "worker failure";
            stack = failure.Value<string>("stack") ?? "";
        }
        catch (Newtonsoft.Json.JsonException)
        {
            message = $"the worker answered: {body}";
            stack = "";
        }
        return new InvalidOperationException($"Result: Failure\nException: {message}\nStack: {stack}");
    }
}

public sealed record WorkerFunction(string Name, string Trigger);
